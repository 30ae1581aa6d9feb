"""Results of jobs and live aggregates, each filtered for the caller by access.py; the audit log."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import select

from clusterpath.io.errors import InputError
from clusterpath.platform import audit, releases
from clusterpath.platform.access import Viewer, filter_aggregates, filter_result, shown
from clusterpath.platform.api.deps import DB, MAX_ID, Address, AsCoordinator, InCluster, RowId
from clusterpath.platform.api.jobs import _latest_versions
from clusterpath.platform.disclosure.figures import TOTAL_COLUMNS
from clusterpath.platform.disclosure.results import (
    ResultFigures,
    allocate_figures,
    collaborate_figures,
    plan_figures,
)
from clusterpath.platform.jobs import contributors
from clusterpath.platform.memberdata import assemble, content_hash
from clusterpath.platform.models import InputVersion, Result

router = APIRouter(tags=["results"])


def _meta(row: Result) -> dict:
    return {"id": row.id, "kind": row.kind, "job": row.job_id, "input_version": row.input_version.number,
            "created_at": row.created_at}  # fmt: skip


@router.get("/clusters/{slug}/results")
def list_results(context: InCluster, session: DB,
                 input_version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                 kind: Annotated[str | None, Query(max_length=20, pattern=r"^[a-z]+$")] = None) -> list[dict]:  # fmt: skip
    query = select(Result).join(InputVersion).where(Result.cluster_id == context.cluster.id)
    if input_version is not None:
        query = query.where(InputVersion.number == input_version)
    if kind is not None:
        query = query.where(Result.kind == kind)
    return [_meta(row) for row in session.scalars(query.order_by(Result.id.desc()).limit(500))]


@router.get("/clusters/{slug}/results/{result_id}")
def get_result(result_id: RowId, context: InCluster, session: DB, where: Address) -> dict:
    """A result as the caller may see it; 'withheld' names what was left out and why."""
    row = session.get(Result, result_id)
    if row is None or row.cluster_id != context.cluster.id:
        raise HTTPException(404, f"no result {result_id} in cluster '{context.cluster.slug}'")
    payload, withheld = visible_result(session, context.cluster, context.viewer, row)
    audit.record(session, "result.read", user_id=context.user.id, cluster_id=context.cluster.id,
                 target=f"result {row.id}", address=where, kind=row.kind, filtered=bool(withheld))  # fmt: skip
    session.commit()
    return _meta(row) | {"result": payload, "withheld": withheld}


def visible_result(session, cluster, viewer: Viewer, row: Result) -> tuple[dict, dict]:
    """``row`` as ``viewer`` may see it, and what was withheld and why. Members and observers get a result's
    aggregates only as released per figure (disclosure/results.py), over the release of the same data."""
    if viewer.is_coordinator:
        return row.payload, {}
    release, unreleased = release_of(session, cluster, row)
    figures = reasons = None
    builder = RESULT_FIGURES.get(row.kind)
    if unreleased is None and builder is not None and shown(len(row.contributors.get("members", [])),
                                                            cluster.k_threshold):  # fmt: skip
        made = builder(row, release)
        decided = releases.for_result(session, cluster, row.id, release.members, made)
        figures, reasons = releases.result_view(decided, made)
    payload, withheld = filter_result(viewer, row.kind, row.payload, row.contributors, cluster.k_threshold, unreleased,
                                      figures, reasons)  # fmt: skip
    if row.kind == "inventory":
        payload, withheld = _released_inventory(release, unreleased, payload, withheld)
    return payload, withheld


def _plan_figures(row: Result, release) -> ResultFigures:
    totals = {column: tuple(release.figures[f"totals::{column}"][3]) for column in RESULT_TOTALS}
    return plan_figures(row.payload, row.job.options, release.members, releases.earlier(release).cells, totals)


RESULT_FIGURES = {
    "plan": _plan_figures,
    "allocate": lambda row, release: allocate_figures(row.payload, row.job.options, release.members),
    "collaborate": lambda row, release: collaborate_figures(row.payload, row.job.options, release.members),
}


# The cluster totals a job result's aggregates would give away when the release of the same data withholds them.
RESULT_TOTALS = ("total_tco2e", "scope1_tco2e", "scope2_tco2e", "value_added", "jobs")


def release_of(session, cluster, row: Result):
    """The release of exactly the data of ``row``'s input (made now if they are the cluster's current data), and
    why the result's aggregates are not for members and observers (None when they may be)."""
    version = row.input_version
    members = releases.epochs(version.description, version.member_versions)
    release, held = releases.matching(session, cluster, members), None
    if release is None:
        latest, _ = _latest_versions(session, cluster)
        if releases.epochs(cluster.description, latest) == members:
            try:
                inventory, _, cells = _baseline(cluster.description, latest, cluster.slug)
            except InputError:
                return None, "the cluster's data do not form a valid cluster yet"
            rows = {name: [str(r[name]) for r in inventory[plural]] for name, plural in releases.TABLES.items()}
            release, held = releases.current(session, cluster, cells, rows, members)
            if release is not None and release.members != members:
                release = None
    if release is None:
        return None, (f"not released to members and observers: {held}" if held else
                      "computed from data never released to members and observers (docs/security.md)")  # fmt: skip
    hidden = [key for key in RESULT_TOTALS if release.figures[f"totals::{key}"][3]
              and f"totals::{key}" not in release.released]  # fmt: skip
    if hidden:
        return release, (f"release {release.number} of the same data withholds the cluster's {', '.join(hidden)}, "
                         "which this result's aggregates would give away")  # fmt: skip
    return release, None


def _released_inventory(release, reason: str | None, visible: dict, withheld: dict) -> tuple[dict, dict]:
    """An inventory result's cluster totals and sector and carrier tables as released for exactly its data."""
    fields, reasons = releases.inventory_view(release, reason)
    for key in (*TOTAL_COLUMNS, releases.INTENSITY, "sectors", "carriers"):
        visible.pop(key, None)
        withheld.pop(key, None)
    return visible | fields, withheld | reasons


# Baseline inventories by the exact input they were computed from, most recently used last.
_BASELINES: OrderedDict[str, tuple[dict, dict, pd.DataFrame]] = OrderedDict()
_BASELINES_KEPT = 32
_BASELINES_LOCK = threading.Lock()


def _baseline(description: dict, versions: list, slug: str) -> tuple[dict, dict, pd.DataFrame]:
    """The baseline inventory, its contributors and its cells (``disclosure.cells_of``) for this description
    and these member versions.

    Every dashboard asks for the aggregates and an inventory costs a tenth of a second of CPU per
    request, while its inputs change only with an upload or an edit of the cluster: it is computed once
    per distinct input. Member data versions are immutable, so their hashes and the description name
    the input exactly."""
    from clusterpath.inventory import Inventory
    from clusterpath.platform.disclosure import cells_of

    key = content_hash({"description": description, "members": sorted((v.member.key, v.sha256) for v in versions)})
    with _BASELINES_LOCK:
        if key in _BASELINES:
            _BASELINES.move_to_end(key)
            return copy.deepcopy(_BASELINES[key])
    cluster = assemble(description, [dict(v.content) for v in versions], slug)
    inventory = Inventory(cluster)
    cells = cells_of(inventory.lines, inventory.members, releases.epochs(description, versions))
    computed = (inventory.to_dict(), contributors(cluster, inventory), cells)
    with _BASELINES_LOCK:
        _BASELINES[key] = computed
        while len(_BASELINES) > _BASELINES_KEPT:
            _BASELINES.popitem(last=False)
    return copy.deepcopy(computed)


@router.get("/clusters/{slug}/aggregates/emissions")
def emissions(context: InCluster, session: DB, where: Address,
              by: Annotated[Literal["sector", "carrier"], Query()] = "sector") -> dict:  # fmt: skip
    """Baseline emissions by sector or carrier. The coordinator sees the members' latest data, every figure;
    members and observers see the cluster's latest release (docs/security.md): a figure only when at least k
    members contribute to it, none dominates it (p% rule), it gives no withheld figure away, and nothing
    released before narrows any member's part; a withheld figure is null and ``withheld`` says why."""
    versions, _ = _latest_versions(session, context.cluster)
    try:
        inventory, who, cells = _baseline(context.cluster.description, versions, context.cluster.slug)
    except InputError as error:
        # The reason can quote a member's data: only the coordinator reads it.
        detail = error.message if context.viewer.is_coordinator else \
            "the cluster's data do not form a valid cluster yet; the coordinator can see why"  # fmt: skip
        raise HTTPException(409, detail) from None
    table = "sectors" if by == "sector" else "carriers"
    if context.viewer.is_coordinator:
        counts = {group: len(keys) for group, keys in who[table].items()}
        totals = {key: inventory[key] for key in ("total_tco2e", "scope1_tco2e", "scope2_tco2e", "energy_mwh")}
        out = filter_aggregates(context.viewer, inventory[table], by, counts, len(versions),
                                context.cluster.k_threshold, totals)  # fmt: skip
        out |= {"p": context.cluster.p_percent, "members": sorted(v.member.key for v in versions), "release": None,
                "held": None, "withheld": {}}  # fmt: skip
        detail = {"versions": {v.member.key: v.number for v in versions}}
    else:
        rows = {name: [str(row[name]) for row in inventory[plural]] for name, plural in releases.TABLES.items()}
        release, held = releases.current(session, context.cluster, cells, rows,
                                         releases.epochs(context.cluster.description, versions))  # fmt: skip
        out = releases.view(release, by, context.cluster.k_threshold, context.cluster.p_percent, held)
        detail = {"release": out["release"], "held": held is not None}
    audit.record(session, "aggregates.read", user_id=context.user.id, cluster_id=context.cluster.id,
                 target=f"emissions by {by}", address=where, **detail)  # fmt: skip
    session.commit()
    return out


@router.get("/clusters/{slug}/audit")
def audit_log(context: AsCoordinator, session: DB, where: Address,
              before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="entries older than this id")] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict]:  # fmt: skip
    """Who read or changed the cluster's confidential data, newest first."""
    rows = audit.entries(session, context.cluster.id, limit=limit, before=before)
    out = [{"id": row.id, "at": row.at, "user": row.user_id, "action": row.action, "target": row.target,
            "detail": row.detail, "address": row.address} for row in rows]  # fmt: skip
    audit.record(session, "audit.read", user_id=context.user.id, cluster_id=context.cluster.id, address=where)
    session.commit()
    return out
