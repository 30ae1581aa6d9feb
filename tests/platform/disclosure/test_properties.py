"""Property: random small clusters, random sequences of uploads and reads; an attacker that solves its own audit
LP (``helpers.attacker``, written apart from the disclosure module) over every release it read, with its own
data, bounds no other member's figure to within p %."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers.attacker import Attacker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterpath.platform import releases
from clusterpath.platform.disclosure import decide, table_figures
from clusterpath.platform.disclosure.cells import CELL_FIELDS

K, P = 3, 10.0
SECTORS = ("chemicals", "steel")

amount = st.floats(min_value=1.0, max_value=1000.0, allow_nan=False).map(lambda x: round(x, 1))
company = st.fixed_dictionaries({
    "sector": st.sampled_from(SECTORS), "electricity": amount, "gas": amount, "added": amount,
    "process": st.one_of(st.none(), amount),
})  # fmt: skip
# A step: a company uploads (its first data or new data), or the audience reads.
step = st.one_of(st.tuples(st.just("upload"), st.integers(0, 4), company), st.tuples(st.just("read")))


def cells_of(data: dict) -> dict[tuple[str, str], float]:
    out = {("electricity", "energy_mwh"): data["electricity"], ("electricity", "scope2_tco2e"): data["electricity"] / 5,
           ("natural_gas", "energy_mwh"): data["gas"], ("natural_gas", "scope1_combustion_tco2e"): data["gas"] / 4,
           ("", "value_added"): data["added"] * 1000}  # fmt: skip
    if data["process"] is not None:
        out[("process", "scope1_process_tco2e")] = data["process"]
    return out


def frame(state: dict[str, tuple[int, dict]]) -> pd.DataFrame:
    rows = [{"member": m, "epoch": str(epoch), "sector": data["sector"], "carrier": carrier, "column": column,
             "value": value}
            for m, (epoch, data) in state.items() for (carrier, column), value in cells_of(data).items()]
    out = pd.DataFrame(rows)[CELL_FIELDS]
    out.index = out["member"] + "@" + out["epoch"] + "|" + out["carrier"] + "|" + out["column"]
    return out.sort_index()


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(company, min_size=3, max_size=4), steps=st.lists(step, min_size=1, max_size=5))
def test_no_attacker_pins_another_members_figure(start, steps):
    state = {f"m{i}": (1, data) for i, data in enumerate(start)}
    steps = [("read",), *steps, ("read",)]
    attackers = {who: Attacker() for who in [""] + [f"m{i}" for i in range(5)]}
    known: set[str] = set()
    earlier, number = [], 0
    for action in steps:
        if action[0] == "upload":
            key = f"m{action[1]}"
            epoch = state[key][0] + 1 if key in state else 1
            state[key] = (epoch, action[2])
            continue
        cells = frame(state)
        members = {m: str(epoch) for m, (epoch, _) in state.items()}
        for m, (epoch, data) in state.items():
            if f"{m}@{epoch}" not in known:
                known.add(f"{m}@{epoch}")
                for who, attacker in attackers.items():
                    attacker.know(f"{m}@{epoch}", data["sector"], cells_of(data), own=who == m)
        rows = {"sector": sorted({d["sector"] for _, d in state.values()}),
                "carrier": sorted({c for _, d in state.values() for c, _ in cells_of(d) if c})}  # fmt: skip
        figures = table_figures(cells, rows)
        decision = decide(figures, cells, members, K, P, earlier)
        if decision.held is not None:
            continue
        number += 1
        release = releases.record(1, releases.CLUSTER, number, str(number), K, P, members, rows, cells, figures,
                                  decision)  # fmt: skip
        earlier.append(releases.earlier(release))
        epochs = [f"{m}@{epoch}" for m, (epoch, _) in state.items()]
        for by in ("sector", "carrier"):
            response = releases.view(release, by, K, P, None)
            for attacker in attackers.values():
                attacker.read(response, epochs)
    for who in ("", "m0", "m1"):
        attacker = attackers[who]
        for target in sorted(known):
            if target.split("@")[0] == who:
                continue
            sector = attacker.sectors[target]
            for table, row, column in (("totals", None, "total_tco2e"), ("sector", sector, "total_tco2e"),
                                       ("carrier", "process", "scope1_tco2e")):  # fmt: skip
                if attacker.truth(target, table, row, column) > 0:
                    assert not attacker.pins(target, table, row, column, P), (who, target, table, row, column)
