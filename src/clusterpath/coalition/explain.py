"""Why a member's share is what it is: the figures behind one member's line of an allocation.

From the same game (the same coalition costs) as the allocation: what the member pays alone and together;
its average marginal cost by size of the coalition it joins (the Shapley value is the mean of these);
the coalitions closest to leaving the grand coalition and their margin c(S) - x(S) (the nucleolus and the
least core make the smallest margins as large as they can, so their binding coalitions are those at the
smallest margin); every group that would be better off on its own, and by how much; and, for a cluster,
how much of the member's saving comes from each lever and what the split moves on top of the plan.
docs/allocation.md ("Explaining a share") writes it out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from clusterpath.coalition.game import Game, popcounts, subset_sums
from clusterpath.pathway.hub import HUB

# Rules whose split is in the core whenever the core is not empty, in the order a board would take them.
CORE_FIRST = ("nucleolus", "least-core")
# Margins closer than this (relative to the largest stand-alone or grand-coalition cost) are equal.
TIE = 1e-7
SHOWN = 5  # coalitions listed per question


def core_split(rules: Mapping[str, Mapping]) -> str | None:
    """The rule to quote as "who pays what": the nucleolus or least core when in the core, else any rule
    found in the core; None when no rule's split is known to be in the core."""
    for name in (*CORE_FIRST, *rules):
        if name in rules and rules[name].get("in_core") is True:
            return name
    return None


def marginal_by_size(game: Game, member: str) -> list[dict]:
    """Mean of c(S + i) - c(S) over the coalitions S without i of each size: the Shapley value is their mean."""
    n, i = game.n, game.players.index(member)
    table = game.table()
    sizes = popcounts(n)
    masks = np.arange(2**n, dtype=np.int64)
    without = masks[(masks >> i) & 1 == 0]
    marginal = table[without | (1 << i)] - table[without]
    return [{"joins_size": int(k), "coalitions": int((sizes[without] == k).sum()),
             "mean_marginal_cost": float(marginal[sizes[without] == k].mean())} for k in range(n)]  # fmt: skip


def margins(game: Game, x: np.ndarray) -> pd.DataFrame:
    """Every proper coalition's margin c(S) - x(S) (negative: S pays more than it would alone), smallest first."""
    n = game.n
    masks = np.arange(1, 2**n - 1, dtype=np.int64)
    table = game.table()
    frame = pd.DataFrame({"mask": masks, "cost_alone": table[masks], "pays": subset_sums(np.asarray(x, float))[masks]})
    frame["margin"] = frame["cost_alone"] - frame["pays"]
    return frame.sort_values(["margin", "mask"]).reset_index(drop=True)


def explain_member(game: Game, rule: Mapping, member: str, *, lever_saving: list[dict] | None = None) -> dict:
    """One member's explanation of its share under ``rule`` (``Allocation.to_dict()``) of ``game``."""
    if member not in game.players:
        raise ValueError(f"'{member}' is not a member (members: {', '.join(game.players)})")
    x = np.array([rule["allocation"][p] for p in game.players], dtype=float)
    i = game.players.index(member)
    alone = float(rule["standalone"][member])
    out: dict = {"member": member, "method": rule["method"], "alone": alone, "pays": float(x[i]),
                 "saving": alone - float(x[i]), "together": float(rule["total"]), "in_core": rule.get("in_core")}  # fmt: skip
    if lever_saving is not None:
        out["levers"] = lever_saving
    if not game.is_explicit:
        out["coalitions_note"] = ("not computed: the cost of every coalition is not known (more members than "
                                  "--exact-up-to); the Shapley value was sampled")  # fmt: skip
        return out
    out["shapley_marginal_by_size"] = marginal_by_size(game, member)
    frame = margins(game, x)
    scale = max(abs(game.total), float(np.abs(game.standalone()).max()), 1e-300)
    tie = TIE * scale

    def named(rows: pd.DataFrame) -> list[dict]:
        return [{"members": sorted(game.coalition(int(r.mask))), "cost_alone": float(r.cost_alone),
                 "pays": float(r.pays), "margin": float(r.margin)} for r in rows.itertuples()]  # fmt: skip

    with_member = frame[(frame["mask"].to_numpy() >> i) & 1 == 1]
    closest = float(with_member["margin"].iloc[0])
    out["binding_coalitions"] = named(with_member[with_member["margin"] <= closest + tie].head(SHOWN))
    out["closest_coalitions"] = named(with_member.head(SHOWN))
    leaving = frame[frame["margin"] < -tie]
    out["would_leave"] = named(leaving.head(SHOWN))
    out["groups_better_off_alone"] = len(leaving)
    out["in_a_group_better_off_alone"] = bool((with_member["margin"] < -tie).any())
    return out


def lever_saving(member: str, together: pd.Series, alone: Mapping[str, pd.Series], pays: float,
                 fixed: Mapping[str, float] | None = None) -> list[dict]:
    """How much of a member's saving c({i}) - x_i comes from each lever, and what the split moves.

    ``together`` is the grand coalition's spending by (node, lever); ``alone[m]`` member m's stand-alone
    plan's. The member's part of the plan together is its own node's spending and, of each shared (hub)
    lever, a share in proportion to what each member would spend on that lever alone (equal shares
    where no member would). Per lever: alone minus that part; the last line, "the split", is what
    the allocation charges beyond the member's part of the plan. The lines add up to the saving.
    """
    fixed = fixed or {}
    own_alone = alone[member]
    members = list(alone)
    rows: dict[str, dict] = {}

    def add(label: str, kind: str, before: float, after: float) -> None:
        entry = rows.setdefault(label, {"lever": label, "kind": kind, "alone": 0.0, "together": 0.0})
        entry["alone"] += before
        entry["together"] += after

    levers = set(together.index) | set(own_alone.index)
    for node, lever in sorted(levers):
        if node == HUB:
            need = pd.Series({m: float(alone[m].get((HUB, lever), 0.0)) for m in members})
            share = need[member] / need.sum() if need.sum() > 1e-9 else 1 / len(members)
            add(f"shared {lever}", "shared", float(own_alone.get((node, lever), 0.0)),
                share * float(together.get((node, lever), 0.0)))
        elif node == member:
            add(lever, "own", float(own_alone.get((node, lever), 0.0)), float(together.get((node, lever), 0.0)))
    if fixed.get(member):
        add("carbon on fixed emissions", "own", float(fixed[member]), float(fixed[member]))
    part = sum(r["together"] for r in rows.values())
    table = [{**r, "saving": r["alone"] - r["together"]} for r in rows.values()
             if abs(r["alone"]) > 1e-6 or abs(r["together"]) > 1e-6]  # fmt: skip
    table.sort(key=lambda r: -abs(r["saving"]))
    table.append({"lever": "the split (charged beyond its part of the plan)", "kind": "split", "alone": 0.0,
                  "together": pays - part, "saving": part - pays})  # fmt: skip
    return table


# Re-solving every coalition twice more for the sensitivities is worth it only for small clusters.
SENSITIVITY_MAX_MEMBERS = 5
CHANGE = 0.10


def demand_changed(cluster, member: str, factor: float):
    """The cluster with one member's energy demand (every service, useful or final) times ``factor``."""
    def scaled(demand):
        return demand.model_copy(update={k: getattr(demand, k) * factor for k in ("useful_energy", "final_energy")
                                         if getattr(demand, k) is not None})  # fmt: skip

    members = [m.model_copy(update={"demands": [scaled(d) for d in m.demands]}) if m.id == member else m
               for m in cluster.members]  # fmt: skip
    return cluster.model_copy(update={"members": members})


def electricity_price_changed(cluster, scenario, factor: float):
    """The scenario with the electricity price (its own, else the cluster's grid price) times ``factor``; None
    when neither gives one."""
    prices = scenario.electricity_price or (cluster.grid.electricity_price if cluster.grid else None)
    if not prices:
        return None
    return scenario.model_copy(update={"electricity_price": {year: value * factor for year, value in prices.items()}})


def share_sensitivity(member: str, share: float, variants: Mapping[str, Callable[[], Mapping[str, float] | None]],
                      size: int) -> dict:  # fmt: skip
    """How ``member``'s share moves under each variant: a function giving the re-solved split (None: no change)."""
    if size > SENSITIVITY_MAX_MEMBERS:
        return {"note": f"skipped for time: each change re-solves all {2**size - 1} coalitions, done up to "
                        f"{SENSITIVITY_MAX_MEMBERS} members"}  # fmt: skip
    rows = []
    for label, split in variants.items():
        shares = split()
        if shares is None:
            rows.append({"change": label, "note": "skipped: nothing to change"})
            continue
        moved = shares[member]
        rows.append({"change": label, "share": moved, "difference": moved - share,
                     "percent": 100 * (moved - share) / abs(share) if abs(share) > 1e-9 else None})  # fmt: skip
    return {"share": share, "changes": rows}


# The report solves every coalition to quote a split in the core up to this many members (2^n - 1 plans).
BOARD_MAX_MEMBERS = 8


def board_split(game: Game) -> dict:
    """The split a board can be shown as "who pays what", with every member's explanation.

    Up to BOARD_MAX_MEMBERS members every coalition is solved: the nucleolus or least core when in the core
    (the dual split is compared), else the nucleolus, which keeps the largest gain from leaving as small
    as it can, with the groups that would leave named. Above, the dual split, its core not tested."""
    from clusterpath.coalition.allocation import allocate

    if game.n > BOARD_MAX_MEMBERS:
        chosen = allocate(game, "dual").to_dict()
        chosen["core_note"] = (f"not tested: {game.n} members are more than the {BOARD_MAX_MEMBERS} whose every "
                               "coalition the report solves (`clusterpath collaborate` tests it)")  # fmt: skip
        return chosen
    game.table()
    rules = {method: allocate(game, method).to_dict() for method in ("nucleolus", "least-core", "dual")}
    chosen = dict(rules[core_split(rules) or "nucleolus"])
    chosen["compared"] = {method: rule["in_core"] for method, rule in rules.items()}
    chosen["explanations"] = {p: explain_member(game, chosen, p) for p in game.players}
    return chosen


def member_view(why: Mapping, core_shown: bool) -> dict:
    """A member's explanation with nothing in it that is another member's figure (docs/security.md).

    Its own costs alone and together and its own levers stay; shared levers (sized by everyone's needs) and
    the split become one line, which its own figures give; coalition costs and margins, which are sums of
    other members' figures, become counts, and only where the viewer is shown whether the split is in the
    core (``core_shown``: an aggregate of k members, as the core test is); the Shapley marginal costs,
    differences of others' coalition costs, are left out."""
    own = [row for row in why.get("levers", []) if row["kind"] == "own"]
    shown = {key: why[key] for key in ("member", "method", "alone", "pays", "saving") if key in why}
    if "levers" in why:
        rest = {"alone": why["alone"] - sum(r["alone"] for r in own), "together": why["pays"] - sum(r["together"] for r in own)}
        shown["levers"] = [*own, {"lever": "shared assets and the split", "kind": "shared", **rest,
                                  "saving": rest["alone"] - rest["together"]}]  # fmt: skip
    if "binding_coalitions" in why and core_shown:
        shown["in_core"] = why["in_core"]
        shown["binding_coalitions"] = len(why["binding_coalitions"])
        shown["groups_better_off_alone"] = why["groups_better_off_alone"]
        shown["in_a_group_better_off_alone"] = why["in_a_group_better_off_alone"]
    return shown
