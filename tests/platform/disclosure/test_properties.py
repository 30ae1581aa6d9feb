"""Property: random small clusters, random sequences of uploads and reads; an attacker that solves its own audit
LP (``helpers.attacker``, written apart from the disclosure module) over every release it read, with its own
data, bounds no other member's figure to within p %."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers.attacker import Attacker
from hypothesis import HealthCheck, example, given, settings
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


PERIOD = "2035"
HUB = 3.0  # the shared infrastructure's scope 2 in every plan: known to everyone


def plan_of(state: dict[str, tuple[int, dict]]) -> dict:
    """A plan-like result, cheap enough for many examples: by 2035 heat pumps have taken the gas of every sector but
    steel (at a COP of 3, so scope 2 gains gas / 15); steel's furnaces keep it and the process vents stay. So the
    plan's scope 1 has other contributors than the baseline's. Each member's parts depend on its own data only: a
    member's parts are the same in every plan it is in."""
    parts = {m: {"scope1": {PERIOD: plan_cells(data).get(("plan", "scope1"), 0.0)},
                 "scope2": {PERIOD: plan_cells(data)[("plan", "scope2")]}} for m, (_, data) in state.items()}
    by_scope = {s: {PERIOD: sum(p[s][PERIOD] for p in parts.values()) + (HUB if s == "scope2" else 0.0)}
                for s in ("scope1", "scope2")}  # fmt: skip
    total = by_scope["scope1"][PERIOD] + by_scope["scope2"][PERIOD]
    baseline = sum(sum(v for (_, column), v in cells_of(data).items() if column.endswith("tco2e"))
                   for _, data in state.values())  # fmt: skip
    added = sum(data["added"] * 1000 for _, data in state.values())
    # What an initiative's analyst reads of the cluster (as portfolio/figures.py computes it).
    portfolio = {"cluster": "room", "name": "Room", "country": "BE", "kind": "port", "currency": "EUR",
                 "scenario": "cheap", "target_year": int(PERIOD), "status": "optimal", "message": None,
                 "baseline_tco2e": baseline, "value_added": added, "jobs_direct": 0,
                 "pathway_tco2e": [[int(PERIOD), total]], "investment": None, "jobs_created": None,
                 "pillars": None}  # fmt: skip
    return {"periods": [int(PERIOD)], "emissions_by_scope_tco2e": by_scope, "emissions_tco2e": {PERIOD: total},
            "member_parts": {"emissions": parts, "investment": {}}, "portfolio_figures": portfolio}  # fmt: skip


def plan_cells(data: dict) -> dict[tuple[str, str], float]:
    """A member's parts of the plan as the attacker knows them: linked across plans (the same unknowns)."""
    steel = data["sector"] == "steel"
    out = {("plan", "scope2"): data["electricity"] / 5 + (0.0 if steel else data["gas"] / 15)}
    scope1 = (data["process"] or 0.0) + (data["gas"] / 4 if steel else 0.0)
    if scope1:
        out[("plan", "scope1")] = scope1
    return out


def read_plan(attacker: Attacker, plan: dict, epochs: list[str]) -> None:
    """The figures of a plan as released: scope 1, scope 2 and the total of 2035, each less the hub's part."""
    for scopes, value in ((("scope1",), plan["emissions_by_scope_tco2e"]["scope1"][PERIOD]),
                          (("scope2",), plan["emissions_by_scope_tco2e"]["scope2"][PERIOD]),
                          (("scope1", "scope2"), plan["emissions_tco2e"][PERIOD])):  # fmt: skip
        if value is None:
            continue
        terms = {}
        for scope in scopes:
            terms |= attacker.composition(epochs, "carrier", "plan", scope)
        attacker.equations.append((terms, value - (HUB if "scope2" in scopes else 0.0)))
        attacker.received += 1


# Companies whose baseline scope 1 is their gas (so the release gate lets plans through) and of which a few are
# steel works, whose furnaces keep their gas in the plan: its scope 1 has fewer contributors than the baseline's.
plain = st.fixed_dictionaries({"sector": st.sampled_from(("chemicals", "chemicals", "steel")), "electricity": amount,
                               "gas": amount, "added": amount, "process": st.none()})  # fmt: skip
# A step: a company uploads, a company leaves (the coordinator removes it), the audience reads the aggregates, the
# coordinator runs a plan that everyone reads, or an initiative's analyst closes a year (reads the latest plan's
# figures as the initiative counts the cluster).
job_step = st.one_of(st.tuples(st.just("upload"), st.integers(0, 4), plain),
                     st.tuples(st.just("leave"), st.integers(0, 4)), st.tuples(st.just("read")),
                     st.tuples(st.just("plan")), st.tuples(st.just("close")))  # fmt: skip


def read_closing(attacker: Attacker, view: dict, epochs: list[str]) -> None:
    """A closed year of an initiative of this one cluster: its row and totals (baseline, value added, the pathway's
    2035 less the hub's part), which ``progress`` subtracts from a later year's."""
    for row in [*view["clusters"], view["totals"]]:
        totals = {"total_tco2e": row.get("baseline_tco2e"), "value_added": row.get("value_added")}
        attacker.read({"by": "sector", "rows": [], "totals": totals}, epochs)
    for row in view["clusters"]:
        if row.get("target_year_tco2e") is not None:
            terms = {}
            for scope in ("scope1", "scope2"):
                terms |= attacker.composition(epochs, "carrier", "plan", scope)
            attacker.equations.append((terms, row["target_year_tco2e"] - HUB))
            attacker.received += 1


# The two sequences an analyst's year closings must survive, whatever the random ones: a member joins, or one leaves,
# between two closed years, and a plan is made of the new data.
THREE = [{"sector": "chemicals", "electricity": 310.5, "gas": 420.5, "added": 510.5, "process": None},
         {"sector": "chemicals", "electricity": 290.5, "gas": 380.5, "added": 470.5, "process": None},
         {"sector": "steel", "electricity": 330.5, "gas": 400.5, "added": 530.5, "process": None}]  # fmt: skip


@pytest.mark.slow
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(plain, min_size=3, max_size=4), steps=st.lists(job_step, min_size=1, max_size=8))
@example(start=THREE, steps=[("close",), ("upload", 3, THREE[0] | {"gas": 350.5}), ("plan",), ("close",)])
@example(start=THREE + [THREE[1] | {"electricity": 250.5}], steps=[("close",), ("leave", 1), ("plan",), ("close",)])
def test_no_attacker_pins_another_members_figure_from_aggregates_and_plans(start, steps):
    """Uploads, members leaving, reads of the aggregates, plans read by an observer and every member, and years an
    initiative's analyst closes between them: the attacker, who links a member's plan parts across plans (they are
    the same here) and reads every closed year as an analyst too, bounds no other member's aggregate or plan part to
    within p %."""
    from clusterpath.platform.access import Role, Viewer, filter_result
    from clusterpath.platform.api.results import RESULT_TOTALS
    from clusterpath.platform.disclosure.release import decide_result
    from clusterpath.platform.disclosure.results import plan_figures
    from clusterpath.portfolio.assessment import tabulate

    state = {f"m{i}": (1, data) for i, data in enumerate(start)}
    steps = [("read",), ("plan",), *steps, ("plan",)]
    attackers = {who: Attacker() for who in [""] + [f"m{i}" for i in range(5)]}
    known: set[str] = set()
    earlier: list = []
    numbers = {releases.CLUSTER: 0, releases.RESULTS: 0}

    def release_of_now() -> tuple:
        """The inventory release of the current data, made now if need be (as api/results.release_of)."""
        cells = frame(state)
        members = {m: str(epoch) for m, (epoch, _) in state.items()}
        for m, (epoch, data) in state.items():
            if f"{m}@{epoch}" not in known:
                known.add(f"{m}@{epoch}")
                for who, attacker in attackers.items():
                    attacker.know(f"{m}@{epoch}", data["sector"], cells_of(data) | plan_cells(data), own=who == m)
        matching = [e for e in earlier if e.members == members and e.figures[0].table == "totals"]
        if matching:
            return matching[-1], members
        rows = {"sector": sorted({d["sector"] for _, d in state.values()}),
                "carrier": sorted({c for _, d in state.values() for c, _ in cells_of(d) if c})}  # fmt: skip
        figures = table_figures(cells, rows)
        # Each audience's releases are audited over both (releases.current); the change rule is on the aggregates'.
        tables = [e for e in earlier if e.figures[0].table == "totals"]
        decision = decide(figures, cells, members, K, P, tables, [e for e in earlier if e.figures[0].table != "totals"])
        if decision.held is not None:
            return None, members
        numbers[releases.CLUSTER] += 1
        row = releases.record(1, releases.CLUSTER, numbers[releases.CLUSTER], "", K, P, members, rows, cells, figures,
                              decision)  # fmt: skip
        earlier.append(releases.earlier(row))
        epochs = [f"{m}@{epoch}" for m, (epoch, _) in state.items()]
        for by in ("sector", "carrier"):
            response = releases.view(row, by, K, P, None)
            for attacker in attackers.values():
                attacker.read(response, epochs)
        return earlier[-1], members

    latest_plan = None  # the latest plan as members and observers were shown it, or None when it was withheld
    uploads = 1  # epochs are numbered over all uploads: a company that left and comes back has data of a new epoch
    for action in steps:
        if action[0] == "upload":
            uploads += 1
            state[f"m{action[1]}"] = (uploads, action[2])
            continue
        if action[0] == "leave":
            if f"m{action[1]}" in state and len(state) > 1:
                del state[f"m{action[1]}"]
            continue
        if action[0] == "close":
            if latest_plan is None:
                continue  # the initiative leaves the cluster out: nothing of it is read
            seen, epochs = latest_plan
            if "portfolio_figures" not in seen:
                continue
            view = tabulate({"id": "tic"}, [seen["portfolio_figures"]], lambda currency: 1.0).to_dict()
            for attacker in attackers.values():
                read_closing(attacker, view, epochs)
            continue
        inventory, members = release_of_now()
        if action[0] == "read":
            continue
        latest_plan = None
        if inventory is None or any(f.cells and f.id not in inventory.released for f in inventory.figures
                                    if f.id in {f"totals::{key}" for key in RESULT_TOTALS}):  # fmt: skip
            continue  # the release gate: the plan's aggregates would give away what the release withholds
        payload = plan_of(state)
        totals = {f.column: f.cells for f in inventory.figures if f.table == "totals"}
        made = plan_figures(payload, {"scenario": "cheap"}, members, inventory.cells, totals)
        hidden = {f for f, path in made.paths.items() if not path}
        decision = decide_result(made.figures, made.cells, K, P, earlier, made.relations, hidden)
        numbers[releases.RESULTS] += 1
        row = releases.record(1, releases.RESULTS, numbers[releases.RESULTS], "", K, P, members, {}, made.cells,
                              made.figures, decision)  # fmt: skip
        earlier.append(releases.earlier(row))
        figures, reasons = releases.result_view(row, made)
        seen, _ = filter_result(Viewer(0, Role.OBSERVER), "plan", payload, {"members": list(members)}, K, None,
                                figures, reasons)  # fmt: skip
        epochs = [f"{m}@{epoch}" for m, (epoch, _) in state.items()]
        latest_plan = (seen, epochs)
        for attacker in attackers.values():
            read_plan(attacker, {"emissions_tco2e": seen["emissions_tco2e"],
                                 "emissions_by_scope_tco2e": seen["emissions_by_scope_tco2e"]}, epochs)
    for who in ("", "m0", "m1"):
        attacker = attackers[who]
        for target in sorted(known):
            if target.split("@")[0] == who:
                continue
            sector = attacker.sectors[target]
            for table, row, column in (("totals", None, "total_tco2e"), ("sector", sector, "total_tco2e"),
                                       ("carrier", "plan", "scope1"), ("carrier", "plan", "scope2")):  # fmt: skip
                if attacker.truth(target, table, row, column) > 0:
                    assert not attacker.pins(target, table, row, column, P), (who, target, table, row, column)
