"""Releases: the only way members and observers see a cluster's aggregates (docs/security.md).

When the members' data, the description, k or p differ from what the audience's latest release was made of,
a new release is decided by ``disclosure.decide`` over every earlier release of that audience and stored; if
the change since the latest one would give a member away, the latest one stays and the answer says why.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clusterpath.platform.disclosure import Decision, Earlier, Figure, decide, table_figures
from clusterpath.platform.disclosure.cells import CELL_FIELDS
from clusterpath.platform.disclosure.figures import ROW_COLUMNS, TOTAL_COLUMNS
from clusterpath.platform.disclosure.release import decide_result
from clusterpath.platform.disclosure.results import ResultFigures
from clusterpath.platform.memberdata import content_hash
from clusterpath.platform.models import Cluster, Release, utcnow

# Members and observers of a cluster see the same releases; each member's own data is in the audit as its
# side knowledge. An initiative's analysts see only what these were shown (docs/security.md). Job results' figures
# go to the same people and are numbered apart: each audience's releases are audited over both.
CLUSTER = "cluster"
RESULTS = "results"
TABLES = {"sector": "sectors", "carrier": "carriers"}
INTENSITY = "tco2e_per_million_value_added"

# Decisions that held a release back, by input key: they are asked for again at every read until enough changes.
_HELD: OrderedDict[str, str] = OrderedDict()
_HELD_KEPT = 64
_HELD_LOCK = threading.Lock()


# The parts of the coordinator's description the inventory reads (the grid factor sets every member's scope 2);
# the register, resources or a new name change no member's figures.
INVENTORY_INPUTS = ("country", "base_year", "grid")


def epochs(description: dict, versions: list) -> dict[str, str]:
    """Each member's data identity: its upload and what of the description its figures depend on."""
    described = content_hash({key: description.get(key) for key in INVENTORY_INPUTS})
    return {v.member.key: content_hash([described, v.sha256])[:16] for v in versions}


def input_key(members: dict[str, str], k: int, p: float) -> str:
    return content_hash({"members": members, "k": k, "p": p})


def _frame(stored: dict) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(stored, orient="index", columns=CELL_FIELDS)
    frame["value"] = frame["value"].astype(float)
    return frame


def earlier(row: Release) -> Earlier:
    figures = [Figure(table, key, column, tuple(cells)) for table, key, column, cells in row.figures.values()]
    return Earlier(row.number, _frame(row.cells), figures, frozenset(row.released), dict(row.members))


def latest(session: Session, cluster: Cluster, audience: str = CLUSTER) -> Release | None:
    return session.scalar(select(Release).where(Release.cluster_id == cluster.id, Release.audience == audience)
                          .order_by(Release.number.desc()).limit(1))  # fmt: skip


def current(session: Session, cluster: Cluster, cells: pd.DataFrame, rows: dict[str, list[str]],
            members: dict[str, str], audience: str = CLUSTER) -> tuple[Release | None, str | None]:  # fmt: skip
    """The release the audience sees now, and why a newer one is held back (None when it is not)."""
    k, p = cluster.k_threshold, cluster.p_percent
    key = input_key(members, k, p)
    newest = latest(session, cluster, audience)
    if newest is not None and newest.input_key == key:
        return newest, None
    # A decision to hold back was taken against the latest release then: a newer one needs a new decision.
    held_key = f"{cluster.id}:{audience}:{newest.number if newest else 0}:{key}"
    with _HELD_LOCK:
        if held_key in _HELD:
            return newest, _HELD[held_key]
    # Releases of one audience take turns from here to their commit, so numbers do not collide.
    session.execute(update(Cluster).where(Cluster.id == cluster.id).values(k_threshold=Cluster.k_threshold))
    newest = latest(session, cluster, audience)
    if newest is not None and newest.input_key == key:
        return newest, None
    rows_before = session.scalars(select(Release).where(Release.cluster_id == cluster.id,
                                                        Release.audience == audience).order_by(Release.number)).all()
    # The same people hold the job results' releases: a result's cells that copy inventory cells link them.
    results = session.scalars(select(Release).where(Release.cluster_id == cluster.id, Release.audience == RESULTS)
                              .order_by(Release.number)).all() if audience == CLUSTER else []  # fmt: skip
    figures = table_figures(cells, rows)
    decision = decide(figures, cells, members, k, p, [earlier(row) for row in rows_before],
                      [earlier(row) for row in results])  # fmt: skip
    if decision.held is not None:
        with _HELD_LOCK:
            _HELD[f"{cluster.id}:{audience}:{newest.number if newest else 0}:{key}"] = decision.held
            while len(_HELD) > _HELD_KEPT:
                _HELD.popitem(last=False)
        return newest, decision.held
    mine = (Release.cluster_id == cluster.id) & (Release.audience == audience)
    number = (session.scalar(select(func.max(Release.number)).where(mine)) or 0) + 1
    release = record(cluster.id, audience, number, key, k, p, members, rows, cells, figures, decision)
    session.add(release)
    session.flush()
    return release, None


def for_result(session: Session, cluster: Cluster, result_id: int, members: dict[str, str],
               figures: ResultFigures) -> Release:  # fmt: skip
    """The release of a job result's figures to members and observers: decided at its first read (per k and p)
    over every release they saw before, of the aggregates and of other results, and kept."""
    k, p = cluster.k_threshold, cluster.p_percent
    key = input_key({"result": str(result_id)}, k, p)
    mine = (Release.cluster_id == cluster.id) & (Release.audience == RESULTS)
    found = session.scalar(select(Release).where(mine, Release.input_key == key))
    if found is not None:
        return found
    session.execute(update(Cluster).where(Cluster.id == cluster.id).values(k_threshold=Cluster.k_threshold))
    found = session.scalar(select(Release).where(mine, Release.input_key == key))
    if found is not None:
        return found
    before = session.scalars(select(Release).where(Release.cluster_id == cluster.id,
                                                   Release.audience.in_([CLUSTER, RESULTS])).order_by(Release.id)).all()
    hidden = {figure for figure, path in figures.paths.items() if not path}
    decision = decide_result(figures.figures, figures.cells, k, p, [earlier(row) for row in before],
                             figures.relations, hidden)  # fmt: skip
    number = (session.scalar(select(func.max(Release.number)).where(mine)) or 0) + 1
    release = record(cluster.id, RESULTS, number, key, k, p, members, {}, figures.cells, figures.figures, decision)
    session.add(release)
    session.flush()
    return release


def result_view(release: Release, figures: ResultFigures) -> tuple[dict[str, float | None], dict[str, str]]:
    """Each figure's shown value (with the hub's part added; None when withheld) by its path 'a.b.c' in the
    payload, and why the withheld ones are."""
    values: dict[str, float | None] = dict.fromkeys(figures.withheld)
    reasons = dict(figures.withheld)
    for figure in figures.figures:
        path = ".".join(map(str, figures.paths[figure.id]))
        if not path:
            continue
        if figure.id in release.released:
            values[path] = release.released[figure.id] + figures.offsets[figure.id]
        else:
            values[path] = None
            reasons[path] = release.withheld.get(figure.id, f"withheld in release {release.number}")
    return values, reasons


def record(cluster_id: int, audience: str, number: int, key: str, k: int, p: float, members: dict[str, str],
           rows: dict[str, list[str]], cells: pd.DataFrame, figures: list[Figure], decision: Decision) -> Release:
    """A release as stored: what went out, why the rest did not, and the cells behind it for later audits."""
    stored = {i: [*r[:-1], float(r[-1])] for i, r in zip(cells.index, cells.itertuples(index=False), strict=True)}
    return Release(cluster_id=cluster_id, audience=audience, number=number, input_key=key, k=k, p=p, members=members,
                   rows=rows, cells=stored, figures={f.id: [f.table, f.row, f.column, list(f.cells)] for f in figures},
                   released=decision.released, withheld=decision.withheld, created_at=utcnow())  # fmt: skip


def _ratio(row: dict) -> dict:
    """Jobs as a count, and the intensity where both its terms are released (the ratio then tells nothing more)."""
    if row.get("jobs") is not None:
        row["jobs"] = round(row["jobs"])
    total, added = row.get("total_tco2e"), row.get("value_added")
    row[INTENSITY] = total * 1e6 / added if total is not None and added else None
    return row


def matching(session: Session, cluster: Cluster, members: dict[str, str], audience: str = CLUSTER) -> Release | None:
    """The latest release of exactly these members' data, if there was one."""
    rows = session.scalars(select(Release).where(Release.cluster_id == cluster.id, Release.audience == audience)
                           .order_by(Release.number.desc())).all()  # fmt: skip
    return next((row for row in rows if row.members == members), None)


def inventory_view(release: Release | None, unreleased: str | None) -> tuple[dict, dict]:
    """The aggregate fields of an inventory result (totals, sectors, carriers) as ``release`` has them, and why the
    others are not shown; with no release, none of them, for the reason ``unreleased``."""
    if release is None:
        return {}, dict.fromkeys([*TOTAL_COLUMNS, INTENSITY, "sectors", "carriers"], unreleased)
    sector, carrier = (view(release, by, release.k, release.p, None) for by in ("sector", "carrier"))
    totals = sector["totals"] or {}
    fields = {key: value for key, value in totals.items() if value is not None}
    fields |= {"sectors": sector["rows"], "carriers": carrier["rows"]}
    withheld = {key: sector["withheld"].get(f"totals.{key}", "withheld in release " + str(release.number))
                for key in [*TOTAL_COLUMNS, INTENSITY] if key not in fields}  # fmt: skip
    for name, table in (("sectors", sector), ("carriers", carrier)):
        reasons = {key: why for key, why in table["withheld"].items() if not key.startswith("totals.")}
        if reasons:
            withheld[name] = reasons
    return fields, withheld


def shown_members(release: Release | None) -> set[str]:
    """The members whose data the audience's latest release covers: what others are told of upload status."""
    return set(release.members) if release is not None else set()


def view(release: Release | None, by: str, k: int, p: float, held: str | None) -> dict:
    """The table ``by`` of a release as the API answers it: withheld figures are null, and say why."""
    out = {"by": by, "k": k, "p": p, "release": None, "released_at": None, "held": held, "members": [],
           "members_with_data": None, "totals": None, "rows": [], "withheld_rows": 0, "withheld": {}}  # fmt: skip
    if release is None:
        out["withheld"]["*"] = "nothing has been released to members and observers yet"
        return out
    released, withheld = release.released, release.withheld
    figures = {i: stored[3] for i, stored in release.figures.items()}  # figure id -> its cells
    cells = release.cells
    out |= {"release": release.number, "released_at": release.created_at, "members": sorted(release.members),
            "k": release.k, "p": release.p}  # fmt: skip
    totals = _ratio({column: released.get(f"totals::{column}") for column in TOTAL_COLUMNS})
    if any(figures[f"totals::{column}"] and totals[column] is not None for column in TOTAL_COLUMNS):
        out["totals"] = totals
        out["members_with_data"] = len(release.members)
    out["withheld"] |= {f"totals.{column}": withheld[f"totals::{column}"] for column in TOTAL_COLUMNS
                        if f"totals::{column}" in withheld}  # fmt: skip
    hidden = 0
    # Rows in the order of their names: an order by size would rank rows whose figures are withheld.
    for key in sorted(release.rows.get(by, [])):
        ids = {column: f"{by}:{key}:{column}" for column in ROW_COLUMNS[by]}
        if not any(figures[i] and i in released for i in ids.values()):
            hidden += 1
            continue
        row = {by: key} | {column: released.get(i) for column, i in ids.items()}
        if by == "sector":
            row["members"] = len({cells[c][0] for i in ids.values() for c in figures[i]})
        out["rows"].append(_ratio(row))
        out["withheld"] |= {f"{key}.{column}": withheld[i] for column, i in ids.items() if i in withheld}
    out["withheld_rows"] = hidden
    if hidden:
        out["withheld"]["rows"] = (f"{hidden} row(s) with no figure that can be released: fewer than {release.k} "
                                   f"members contribute, one dominates (p = {release.p:g} %), or the figures would "
                                   "give a withheld one away")  # fmt: skip
    return out
