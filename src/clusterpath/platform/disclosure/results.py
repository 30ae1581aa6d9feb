"""Job results' aggregate figures as sums of cells, so the rules, suppression and audit of the aggregate tables
apply to them (docs/security.md, "Job results").

A job result's figure (a plan's emissions in a period, the cost of the grand coalition) is the sum of each
member's part of it plus, for a plan, the part of the shared infrastructure (the hub), which belongs to no member
and is treated as known to everyone (the stronger attacker). A member's part is a *cell* as for the inventory:
``member@epoch|<scope>|<name>``, where the scope names the kind of job, its options and the data set, so the
same member's part in a result of other data or options is another unknown (a plan's optimum moves with every
member's data). Differences between results of the same kind and options are checked by the change rule instead,
on figure ids that stay the same across data sets (``<kind>.<options>:<field>:<key>``).

A figure whose parts are not known per member (costs of the whole plan, levelized costs, pillar scores, the
finance and funding totals, compared scenarios) is not a sum of cells: no rule can bound what it tells of one
member, so it goes to the coordinator only. A figure with a member's part below zero is withheld too: the audit
assumes parts of one sign.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from clusterpath.platform.disclosure.cells import CELL_FIELDS
from clusterpath.platform.disclosure.figures import Figure
from clusterpath.platform.memberdata import content_hash

NO_PARTS = "not a sum of the members' parts, so no rule can bound what it tells of one member: the coordinator's to read"
OLD = "computed before job results were released per figure: the coordinator runs the job again"
NEGATIVE = "a member's part of it is below zero, and the rules assume parts of one sign"
NOISE = 1e-7  # relative to a figure: HiGHS's tolerance
# Options of a job that do not change its figures' meaning (a solver's time limit changes only how good the optimum is).
IGNORED = ("time_limit",)


@dataclass
class ResultFigures:
    """A result's figures for the audience: each with its cells, where its value goes in the payload, and the part
    of it nobody protects (the hub's)."""

    cells: pd.DataFrame
    figures: list[Figure] = field(default_factory=list)
    paths: dict[str, tuple] = field(default_factory=dict)  # figure id -> keys into the payload
    offsets: dict[str, float] = field(default_factory=dict)  # figure id -> shown value minus the sum of its cells
    relations: list[tuple[str, ...]] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)  # payload path 'a.b.c' -> why, for figures with no cells


def plan_parts(result) -> dict:
    """Each member's part of a plan's emissions by scope and period and of its investment by period: stored with
    the result so that its figures can be released per figure (``plan_figures``)."""
    emissions = result.data["emissions"].to_pandas()
    where = result.buses.loc[emissions.index]
    by = emissions.groupby([where["node"].to_numpy(), where["carrier"].to_numpy()]).sum()
    spent = result.data["investment"].to_pandas()
    spent = spent.groupby(result.units.loc[spent.index, "node"].to_numpy()).sum()
    if "store_investment" in result.data:
        stores = result.data["store_investment"].to_pandas()
        nodes = result.buses.loc[result.stores.loc[stores.index, "bus"], "node"].to_numpy()
        spent = spent.add(stores.groupby(nodes).sum(), fill_value=0.0)
    members = set(result.member_emissions().index) - {"shared infrastructure"}
    out: dict = {"emissions": {}, "investment": {}}
    for (node, scope), row in by.iterrows():
        if node in members:
            out["emissions"].setdefault(str(node), {})[str(scope)] = {str(int(p)): float(v) for p, v in row.items()}
    for node, row in spent.iterrows():
        if node in members:
            out["investment"][str(node)] = {str(int(p)): float(v) for p, v in row.items()}
    return out


def _keys(kind: str, options: dict, members: dict[str, str]) -> tuple[str, str]:
    """The figure ids' prefix (kind and options) and the cells' scope (those and the data set)."""
    meaning = content_hash({"kind": kind, "options": {k: v for k, v in options.items() if k not in IGNORED}})[:10]
    return f"{kind}.{meaning}", f"{kind}.{meaning}.{content_hash(members)[:10]}"


class _Builder:
    def __init__(self, kind: str, options: dict, members: dict[str, str]) -> None:
        self.prefix, self.scope = _keys(kind, options, members)
        self.members = members
        self.rows: list[dict] = []
        self.out = ResultFigures(pd.DataFrame(columns=CELL_FIELDS))

    def cell(self, member: str, name: str, value: float) -> str | None:
        """The id of a member's part (None when it is zero: a non-contributor)."""
        if value == 0.0 or member not in self.members:
            return None
        cell = f"{member}@{self.members[member]}|{self.scope}|{name}"
        self.rows.append({"id": cell, "member": member, "epoch": self.members[member], "sector": "",
                          "carrier": self.scope, "column": name, "value": float(value)})  # fmt: skip
        return cell

    def figure(self, row: str, column: str, path: tuple, shown: float | None,
               parts: dict[str, dict[str, float]]) -> str | None:  # fmt: skip
        """A figure shown as ``shown`` that sums ``parts`` (member -> its cells' names and values: the same name is the
        same unknown in every figure that sums it); None when it cannot be released per figure."""
        if shown is None:
            return None
        # A solver's noise below zero is zero (a contributor of noise fails the p% rule anyway).
        noise = NOISE * max(1.0, sum(abs(v) for cells in parts.values() for v in cells.values()))
        parts = {m: {name: (0.0 if -noise < v < 0 else v) for name, v in cells.items()} for m, cells in parts.items()}
        if any(v < 0 for cells in parts.values() for v in cells.values()):
            self.out.withheld[".".join(map(str, path))] = NEGATIVE
            return None
        ids = [self.cell(m, name, v) for m, cells in parts.items() for name, v in cells.items()]
        figure = Figure(self.prefix, row, column, tuple(sorted(c for c in ids if c is not None)))
        self.out.figures.append(figure)
        self.out.paths[figure.id] = path
        self.out.offsets[figure.id] = float(shown) - sum(v for cells in parts.values() for v in cells.values())
        return figure.id

    def known(self, row: str, path: tuple, cells: tuple[str, ...], frame: pd.DataFrame, shown: float | None) -> None:
        """A figure that is a figure of the inventory (its cells are those of a release of the same data)."""
        if shown is None:
            return
        self.rows += [{"id": c} | frame.loc[c].to_dict() for c in cells]
        figure = Figure(self.prefix, row, "", tuple(sorted(cells)))
        self.out.figures.append(figure)
        self.out.paths[figure.id] = path
        self.out.offsets[figure.id] = float(shown) - float(frame.loc[list(cells), "value"].sum())

    def done(self) -> ResultFigures:
        if self.rows:
            frame = pd.DataFrame(self.rows).drop_duplicates("id").set_index("id")[CELL_FIELDS]
            frame["value"] = frame["value"].astype(float)
            self.out.cells = frame.sort_index()
        return self.out


def plan_figures(payload: dict, options: dict, members: dict[str, str], baseline: pd.DataFrame,
                 totals: dict[str, tuple[str, ...]]) -> ResultFigures:  # fmt: skip
    """A plan's emissions by period and scope, investment by period and its portfolio figures. ``baseline``: the
    cells of the release of the same data, ``totals``: its cluster totals' cells by column."""
    b = _Builder("plan", options, members)
    parts = payload.get("member_parts")
    if parts is None:
        b.out.withheld |= dict.fromkeys(("emissions_tco2e", "emissions_by_scope_tco2e", "investment_by_period",
                                         "portfolio_figures"), OLD)  # fmt: skip
        return b.done()
    emissions, spent = parts["emissions"], parts["investment"]

    def of(scopes, period) -> dict[str, dict[str, float]]:
        return {m: {f"{s}:{period}": by.get(s, {}).get(period, 0.0) for s in scopes} for m, by in emissions.items()}

    def spending(periods) -> dict[str, dict[str, float]]:
        return {m: {f"investment:{p}": by.get(p, 0.0) for p in periods} for m, by in spent.items()}

    scopes = sorted(payload.get("emissions_by_scope_tco2e", {}))
    for period in map(str, payload.get("periods", [])):
        total = b.figure("emissions_tco2e", period, ("emissions_tco2e", period),
                         payload.get("emissions_tco2e", {}).get(period), of(scopes, period))
        rows = [b.figure(f"emissions_by_scope_tco2e/{s}", period, ("emissions_by_scope_tco2e", s, period),
                         payload["emissions_by_scope_tco2e"][s].get(period), of([s], period))
                for s in scopes]  # fmt: skip
        if total and all(rows):
            b.out.relations.append((total, *rows))
        b.figure("investment_by_period", period, ("investment_by_period", period),
                 payload.get("investment_by_period", {}).get(period), spending([period]))
    figures = payload.get("portfolio_figures")
    if figures is not None:
        pathway = {str(p): v for p, v in figures.get("pathway_tco2e") or []}
        for period, value in pathway.items():
            b.figure("portfolio_figures/pathway_tco2e", period, ("portfolio_figures", "pathway_tco2e", period), value,
                     of(["scope1", "scope2"], period))
        b.figure("portfolio_figures/investment", "", ("portfolio_figures", "investment"), figures.get("investment"),
                 spending(sorted({p for by in spent.values() for p in by})))  # fmt: skip
        for key, column in (("baseline_tco2e", "total_tco2e"), ("value_added", "value_added"), ("jobs_direct", "jobs")):
            b.known(f"portfolio_figures/{key}", ("portfolio_figures", key), totals.get(column, ()), baseline,
                    figures.get(key))  # fmt: skip
        for key in ("jobs_created", "pillars"):
            if figures.get(key) is not None:
                b.out.withheld[f"portfolio_figures.{key}"] = NO_PARTS
    return b.done()


def _split_figures(b: _Builder, split: dict, path: tuple, name: str) -> str | None:
    parts = {m: {name: v} for m, v in (split.get("allocation") or {}).items()}
    return b.figure("/".join(map(str, path)), "", path, split.get("total"), parts)


def allocate_figures(payload: dict, options: dict, members: dict[str, str]) -> ResultFigures:
    """An allocation's total: the sum of the members' allocations (each member sees its own)."""
    b = _Builder("allocate", options, members)
    _split_figures(b, payload, ("total",), "allocation")
    return b.done()


def collaborate_figures(payload: dict, options: dict, members: dict[str, str]) -> ResultFigures:
    """Every rule's total (the members' allocations under it), the cost together (those of the first rule), the
    dividend (their savings under it: standalone minus allocation) and the sum of the standalone costs, never shown
    but protected: together plus dividend give it."""
    b = _Builder("collaborate", options, members)
    rules = payload.get("rules", {})
    for rule in sorted(rules):
        _split_figures(b, rules[rule], ("rules", rule, "total"), f"allocation:{rule}")
    if rules:
        name = min(rules)
        allocation, savings = rules[name].get("allocation") or {}, rules[name].get("savings") or {}
        b.figure("together", "", ("together",), payload.get("together"),
                 {m: {f"allocation:{name}": v} for m, v in allocation.items()})  # fmt: skip
        if b.figure("dividend", "", ("dividend",), payload.get("dividend"),
                    {m: {f"savings:{name}": v} for m, v in savings.items()}) is not None:  # fmt: skip
            standalone = {m: {f"allocation:{name}": allocation.get(m, 0.0), f"savings:{name}": savings.get(m, 0.0)}
                          for m in members}  # fmt: skip
            hidden = b.figure("standalone", "", (), sum(map(sum, (c.values() for c in standalone.values()))), standalone)
            if hidden is None:
                b.out.withheld.pop("", None)
    return b.done()
