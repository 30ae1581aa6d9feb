"""What each role may see and do: the one place that decides.

- The coordinator manages the cluster and sees everything, raw data included.
- A member company's users see and change their own company's raw data (demands, costs, its own
  results and share of an allocation) and nothing raw of any other member.
- Observers, and members looking beyond their own company, see aggregates only, and only figures to
  which at least k members contribute (k is set per cluster, default 3).
- An initiative's analysts see each enrolled cluster as an observer does; if the coordinator consents,
  also the register's projects without their money or companies (shared_register).

Results are filtered here by an allow-list per kind of job: a field not named below is withheld from
everyone but the coordinator, so a new field in a library result cannot leak by default.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from clusterpath.coalition.explain import member_view
from clusterpath.schema.models import Project


class Role(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"
    OBSERVER = "observer"


@dataclass(frozen=True)
class Viewer:
    """A user as seen by one cluster: their role there, and the company a member user belongs to."""

    user_id: int
    role: Role
    member_key: str | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.role is Role.COORDINATOR

    def own(self, member_key: str) -> bool:
        return self.role is Role.MEMBER and self.member_key is not None and member_key == self.member_key


def can_manage(viewer: Viewer) -> bool:
    """Invite, add members, change settings, run jobs, read the audit log and job logs."""
    return viewer.is_coordinator


def can_read_raw(viewer: Viewer, member_key: str) -> bool:
    return viewer.is_coordinator or viewer.own(member_key)


def can_write_data(viewer: Viewer, member_key: str) -> bool:
    return viewer.is_coordinator or viewer.own(member_key)


def shown(contributors: int, k: int) -> bool:
    """An aggregate is shown only when at least k members contribute to it."""
    return contributors >= k


WITHHELD = "withheld"


def register_view(viewer: Viewer, description: dict) -> dict:
    """The cluster description without the register's projects the viewer takes no part in: a project's
    investment and funding are its companies' business (the coordinator sees them all)."""
    if viewer.is_coordinator or "projects" not in description:
        return description
    projects = [p for p in description["projects"] if any(viewer.own(str(m)) for m in p.get("members", []))]
    return {**description, "projects": projects}


def initiative_register(description: dict) -> list[dict]:
    """The register's projects of ``description`` as an initiative's analysts see them: id, name, lever, stage,
    abatement and operating year. Money (investment, committed, public funding) and the member companies are
    not on this list, whatever the coordinator shares; a field added to projects later stays with the cluster."""
    projects = [Project.model_validate(raw) for raw in description.get("projects") or []]  # checked when stored
    return [{"project": p.id, "name": p.name, "lever": p.lever, "stage": p.stage.value, "abatement_tco2e": p.abatement,
             "operating_year": p.operating_year} for p in projects]  # fmt: skip


NO_PARTS = ("not a sum of the members' parts, so no rule can bound what it tells of one member: the "
            "coordinator's to read")


@dataclass
class _View:
    viewer: Viewer
    k: int
    members: int  # how many members the result's input holds
    withheld: dict[str, str]
    unreleased: str | None = None  # why the result's data were not released to this audience (docs/security.md)
    # The result's figures as released to this audience (path 'a.b.c' -> value, None when withheld) and why not;
    # an aggregate with no figure here is not a sum of members' parts and is withheld (disclosure/results.py).
    figures: dict[str, float | None] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def cluster_wide(self) -> bool:
        return self.unreleased is None and shown(self.members, self.k)

    def keep_aggregate(self, out: dict, payload: dict, keys: Iterable[str], where: str = "") -> None:
        for key in keys:
            if key not in payload:
                continue
            path = f"{where}{key}"
            if not self.cluster_wide:
                below_k = not shown(self.members, self.k)
                self.withheld[path] = f"fewer than {self.k} members contribute" if below_k else self.unreleased
                continue
            inside = {p: v for p, v in self.figures.items() if p == path or p.startswith(path + ".")}
            if not inside:
                self.withheld[path] = self.reasons.get(path, NO_PARTS)
                continue
            out[key] = _overlay(copy.deepcopy(payload[key]), path, inside)
            self.withheld |= {p: why for p, why in self.reasons.items() if p in inside}

    def own_only(self, mapping: dict | None) -> dict:
        return {key: value for key, value in (mapping or {}).items() if self.viewer.own(str(key))}


def _overlay(value, path: str, figures: dict[str, float | None]):
    """``value`` (the payload at ``path``) with each figure's released value put in its place."""
    if path in figures:
        return figures[path]
    for where, shown_value in figures.items():
        keys = where[len(path) + 1:].split(".")
        container = value
        for key in keys[:-1]:
            container = container[key]
        if isinstance(container, list):  # pairs [key, value], as a pathway's [period, tCO2e]
            for pair in container:
                if str(pair[0]) == keys[-1]:
                    pair[1] = shown_value
        else:
            container[keys[-1]] = shown_value
    return value


def _inventory(view: _View, payload: dict, contributors: dict) -> dict:
    out = {key: payload[key] for key in ("cluster", "grid_emission_factor", "gwp") if key in payload}
    view.keep_aggregate(out, payload, ("total_tco2e", "scope1_tco2e", "scope1_combustion_tco2e",
                                       "scope1_process_tco2e", "scope1_wastewater_tco2e", "scope2_tco2e",
                                       "biogenic_co2_t", "energy_mwh", "value_added", "jobs",
                                       "tco2e_per_million_value_added"))  # fmt: skip
    out["members"] = [row for row in payload.get("members", []) if view.viewer.own(str(row.get("id")))]
    for table, key in (("sectors", "sector"), ("carriers", "carrier")):
        counts = {group: len(keys) for group, keys in contributors.get(table, {}).items()}
        out[table] = suppress(payload.get(table, []), key, counts, view.k)
        hidden = [row[key] for row in payload.get(table, []) if row not in out[table]]
        if hidden:
            view.withheld[table] = f"{len(hidden)} row(s) to which fewer than {view.k} members contribute"
    return out


def suppress(rows: list[dict], key: str, counts: dict[str, int], k: int) -> list[dict]:
    """Rows with at least k contributors; if exactly one row is hidden, the smallest shown one goes too,
    since the total minus the shown rows would otherwise give the hidden one away."""
    keep = [row for row in rows if shown(counts.get(str(row.get(key)), 0), k)]
    if len(rows) - len(keep) == 1 and keep:
        smallest = min(keep, key=lambda row: (counts.get(str(row.get(key)), 0), str(row.get(key))))
        keep = [row for row in keep if row is not smallest]
    return keep


def _plan(view: _View, payload: dict, contributors: dict) -> dict:
    out = {key: payload[key] for key in ("status", "currency", "periods") if key in payload}
    view.keep_aggregate(out, payload, ("objective", "emissions_tco2e", "emissions_by_scope_tco2e", "cost_breakdown",
                                       "baseline_cost", "levelized_costs", "investment_by_period",
                                       "portfolio_figures"))  # fmt: skip
    if "member_parts" in payload:
        out["member_parts"] = {part: view.own_only(by) for part, by in payload["member_parts"].items()}
    out["member_emissions_tco2e"] = view.own_only(payload.get("member_emissions_tco2e"))
    return out


PER_MEMBER_ALLOCATION = ("allocation", "standalone", "savings", "ci95")


def _split(view: _View, split: dict, where: str = "") -> dict:
    out = {key: split[key] for key in ("method", "players", "core_note", "samples", "basis") if key in split}
    view.keep_aggregate(out, split, ("total",), where)
    # Whether the split is in the core depends on every member's costs: shown with the total only.
    if "in_core" in split:
        if out.get("total") is not None:
            out["in_core"] = split["in_core"]
        else:
            view.withheld[f"{where}in_core"] = view.withheld.get(f"{where}total") or view.reasons.get(f"{where}total") \
                or "shown only with the total"  # fmt: skip
    for key in PER_MEMBER_ALLOCATION:
        if key in split:
            out[key] = view.own_only(split[key])
    return out


def _allocate(view: _View, payload: dict, contributors: dict) -> dict:
    out = _split(view, payload)
    if "currency" in payload:
        out["currency"] = payload["currency"]
    return out


def _collaborate(view: _View, payload: dict, contributors: dict) -> dict:
    out = {key: payload[key] for key in ("cluster", "currency", "players") if key in payload}
    view.keep_aggregate(out, payload, ("together", "dividend"))
    if "dividend_share" in payload:
        # dividend / (together + dividend): it tells nothing more than both of them.
        if out.get("together") is not None and out.get("dividend") is not None:
            out["dividend_share"] = payload["dividend_share"]
        else:
            view.withheld["dividend_share"] = "shown only with the cost together and the dividend"
    out["standalone"] = view.own_only(payload.get("standalone"))
    out["rules"] = {name: _split(view, split, f"rules.{name}.") for name, split in payload.get("rules", {}).items()}
    # The split in the core says whether that rule's split is: shown where the rule's core test is.
    quoted = payload.get("core_split")
    if quoted is not None and "in_core" in out["rules"].get(quoted, {}):
        out["core_split"] = quoted
    elif quoted is not None:
        view.withheld["core_split"] = "says whether a split is in the core, shown only as the core test is"
    # Each member its own explanation, without the coalition figures that are other members' (coalition/explain.py).
    out["explanations"] = {member: member_view(why, "in_core" in out["rules"].get(why.get("method"), {}))
                           for member, why in view.own_only(payload.get("explanations")).items()}  # fmt: skip
    return out


def _finance(view: _View, payload: dict, contributors: dict) -> dict:
    out = {key: payload[key] for key in ("currency", "base_year", "conventions") if key in payload}
    # The hub's projects are sized by every member's demand, but not as sums of their parts: the coordinator's.
    out["projects"] = [p for p in payload.get("projects", []) if view.viewer.own(str(p.get("member")))]
    members = payload.get("members", {})
    out["members"] = view.own_only(members)
    if any(p.get("member") is None for p in payload.get("projects", [])) or "shared" in members:
        view.withheld["shared"] = NO_PARTS
    return out


def _compare(view: _View, payload: dict, contributors: dict) -> dict:
    out = {key: payload[key] for key in ("cluster", "currency") if key in payload}
    rows = []
    for row in payload.get("scenarios", []):
        # Why a scenario cannot be met names the largest emitters: the coordinator's to read.
        shown_row = {key: row[key] for key in ("scenario", "description", "status", "currency", "periods") if key in row}
        view.keep_aggregate(shown_row, row, ("total_cost", "cost_by_kind", "emissions_tco2e", "investments"))
        rows.append(shown_row)
    out["scenarios"] = rows
    return out


def _fund(view: _View, payload: dict, contributors: dict) -> dict:
    out = {key: payload[key] for key in ("scenario", "currency", "base_year", "target_year", "max_share", "objective",
                                         "objective_meaning", "budget", "status", "note") if key in payload}  # fmt: skip
    for key in ("projects", "viable_without_support"):
        out[key] = [p for p in payload.get(key, []) if view.viewer.own(str(p.get("member")))]
    view.keep_aggregate(out, payload, ("totals",))
    return out


FILTERS: dict[str, Callable[[_View, dict, dict], dict]] = {
    "inventory": _inventory,
    "plan": _plan,
    "allocate": _allocate,
    "collaborate": _collaborate,
    "finance": _finance,
    "compare": _compare,
    "fund": _fund,
}


def filter_result(viewer: Viewer, kind: str, payload: dict, contributors: dict, k: int,
                  unreleased: str | None = None, figures: dict[str, float | None] | None = None,
                  reasons: dict[str, str] | None = None) -> tuple[dict, dict]:  # fmt: skip
    """The part of a result this viewer may see, and what was withheld and why. ``unreleased``: why the result's
    data were never released to this viewer's audience; then no aggregate of it is shown either. ``figures`` and
    ``reasons``: the result's figures as released to the viewer's audience (``releases.result_view``); an aggregate
    that is none of them is withheld."""
    if viewer.is_coordinator:
        return payload, {}
    view = _View(viewer, k, len(contributors.get("members", [])), {}, unreleased, figures or {}, reasons or {})
    rule = FILTERS.get(kind)
    if rule is None:  # a kind this module does not know yet shows nothing until someone decides what it may
        return {}, {"*": "no access rule for this kind of result"}
    visible = rule(view, payload, contributors)
    for key in payload:
        if key not in visible and key not in view.withheld:
            view.withheld[key] = "raw data of other members, or not shared beyond the coordinator"
    return visible, view.withheld


def filter_aggregates(viewer: Viewer, rows: list[dict], key: str, counts: dict[str, int], members: int,
                      k: int, totals: dict) -> dict:  # fmt: skip
    """Emissions by sector or carrier for this viewer: every row for the coordinator, k-anonymous otherwise."""
    if viewer.is_coordinator:
        visible, total_shown = rows, True
    else:
        visible, total_shown = suppress(rows, key, counts, k), shown(members, k)
    return {
        "by": key,
        "k": k,
        "members_with_data": members if total_shown else None,
        "totals": totals if total_shown else None,
        "rows": visible,
        "withheld_rows": len(rows) - len(visible),
    }
