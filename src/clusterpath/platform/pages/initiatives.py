"""The initiative pages: one's initiatives, a new initiative, enrolling a cluster and sharing its register or not,
the portfolio, closing a year and what changed since a closed year.

Like the cluster pages, they call the API's functions (api/initiatives.py), so what an analyst sees is
decided by access.py and every read is audited there.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request

from clusterpath.platform.access import Role
from clusterpath.platform.api import clusters as clusters_api
from clusterpath.platform.api import initiatives as api
from clusterpath.platform.api.deps import DB, IDENTIFIER, address, cluster_context, coordinator
from clusterpath.platform.pages import charts
from clusterpath.platform.pages.views import FORM_ERRORS, _page, _problems_of, csrf_guard, failed
from clusterpath.platform.pages.web import redirect, required
from clusterpath.schema.vocabulary import ProjectStage

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_guard)])


def _list_page(request: Request, session, who, status: int = 200, **values):
    values.setdefault("problems", [])
    values.setdefault("enrolled", None)
    values.setdefault("form", {"slug": "", "name": "", "currency": "USD", "cluster": "", "initiative": "",
                               "share_register": False})  # fmt: skip
    coordinated = [c for c in clusters_api.list_clusters(who.caller, session) if c["role"] == Role.COORDINATOR]
    # Where the coordinator's clusters are enrolled, and whether each shares its register there.
    enrolments = [{"cluster": c["slug"], "cluster_name": c["name"]} | row for c in coordinated
                  for row in api.cluster_initiatives(_coordinating(c["slug"], session, who), session)]  # fmt: skip
    return _page(request, "initiatives.html", who, title="Initiatives", status=status,
                 initiatives=api.list_initiatives(who.caller, session), coordinated=coordinated,
                 enrolments=enrolments, **values)  # fmt: skip


def _coordinating(cluster: str, session, who):
    return coordinator(cluster_context(cluster, session, who.caller))


@router.get("/initiatives")
def initiatives(request: Request, session: DB):
    return _list_page(request, session, required(request, session))


@router.post("/initiatives")
def create(request: Request, session: DB, slug: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
           currency: Annotated[str, Form()] = ""):  # fmt: skip
    who = required(request, session)
    form = {"slug": slug, "name": name, "currency": currency, "cluster": "", "initiative": "", "share_register": False}
    try:
        body = api.NewInitiative(slug=slug.strip(), name=name.strip(), currency=currency.strip())
        api.create_initiative(body, who.caller, session, address(request))
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _list_page(request, session, who, status=status, form=form, problems=_problems_of(error))
    return redirect(f"/initiatives/{body.slug}")


@router.post("/initiatives/enrol")
def enrol(request: Request, session: DB, cluster: Annotated[str, Form()] = "",
          initiative: Annotated[str, Form()] = "", code: Annotated[str, Form()] = "",
          share_register: Annotated[str, Form()] = ""):  # fmt: skip
    who = required(request, session)
    # An unticked box is not sent at all: sharing is on only when the coordinator ticks it.
    shared = bool(share_register)
    form = {"slug": "", "name": "", "currency": "USD", "cluster": cluster, "initiative": initiative,
            "share_register": shared}  # fmt: skip
    try:
        context = _coordinating(cluster, session, who)  # someone else's cluster: 403 before the form is checked
        body = api.NewEnrolment(initiative=initiative.strip(), code=code.strip(), share_register=shared)
        api.enrol(body, context, session, address(request))
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _list_page(request, session, who, status=status, form=form, problems=_problems_of(error))
    return _list_page(request, session, who, form=form, enrolled=f"'{cluster}' is now in '{initiative.strip()}'")


@router.post("/initiatives/share")
def share(request: Request, session: DB, cluster: Annotated[str, Form()] = "", initiative: Annotated[str, Form()] = "",
          share_register: Annotated[str, Form()] = ""):  # fmt: skip
    """The coordinator shares the cluster's register with an initiative, or stops sharing it."""
    who = required(request, session)
    try:
        slug = initiative.strip()
        if len(slug) > 64 or not re.match(IDENTIFIER, slug):
            raise HTTPException(404, f"cluster '{cluster[:64]}' is not in initiative '{slug[:64]}'")
        changed = api.change_enrolment(slug, api.EnrolmentChange(share_register=bool(share_register)),
                                       _coordinating(cluster, session, who), session, address(request))  # fmt: skip
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _list_page(request, session, who, status=status, problems=_problems_of(error))
    now = "shares its register with" if changed["share_register"] else "no longer shares its register with"
    return _list_page(request, session, who, enrolled=f"'{cluster}' {now} '{slug}'")


# The totals of the year-on-year table, in the order and words of the portfolio's table above it.
CHANGE_LABELS = {
    "clusters": "clusters counted", "countries": "countries", "continents": "continents",
    "planned": "clusters with a plan", "baseline_tco2e": "baseline emissions, scope 1 and 2 (tCO2e a year)",
    "reduction_target_year_tco2e": "reduction potential in the target year (tCO2e a year)",
    "reduction_cumulative_tco2e": "reduction to the target year, cumulative (tCO2e)",
    "value_added": "value added (a year)", "jobs_direct": "jobs in the clusters",
    "construction_job_years": "construction job-years of the pathways", "operation_jobs": "operation jobs of the pathways",
    "investment": "investment of the pathways",
    "registers_shared": "clusters sharing their project register",
    "projects": "projects in the shared registers",
    "projects_committed": "of which committed (final investment decision or later)",
    **{f"projects_{stage.value}": f"of which {stage.value.replace('_', ' ')}" for stage in ProjectStage},
    "avoided_tco2e": "emissions already avoided by operating projects (tCO2e a year)",
}  # fmt: skip


def _initiative(request: Request, session, slug: str):
    who = required(request, session)
    if len(slug) > 64 or not re.match(IDENTIFIER, slug):
        raise HTTPException(404, f"no initiative '{slug[:64]}' among yours")
    return who, api.analyst_of(slug, session, who.caller)


def _since(request: Request, session, who, initiative, years: list[dict], view: dict, since: int | None,
           until: int | None) -> dict | None:  # fmt: skip
    """What changed from a closed year (the latest unless chosen) to a later one or to now; None with no year closed."""
    if since is None:
        earlier = [row["year"] for row in years if until is None or row["year"] < until]
        if not earlier:
            return None
        since = max(earlier)
    if until is not None and until <= since:
        raise HTTPException(422, f"until: {until} is not after since: {since}: choose a later year to compare with")
    where = address(request)
    before = api.closed_year(session, initiative, since)
    later = None if until is None else api.closed_year(session, initiative, until)
    then = api.read_closed(session, initiative, before, who.user.id, where)
    now = view if later is None else api.read_closed(session, initiative, later, who.user.id, where)
    out = api.changes(initiative, then, now)
    out["totals"] = [{"metric": key, "label": CHANGE_LABELS.get(key, key)} | row for key, row in out["totals"].items()]
    return out


def _portfolio_page(request: Request, session, who, initiative, *, since: int | None = None, until: int | None = None,
                    status: int = 200, problems: list | None = None, year: str = "",
                    issued: dict | None = None):  # fmt: skip
    where = address(request)
    view = api.view_now(session, initiative, who.user.id, where)
    years = api.list_years(initiative, who.caller, session, where)
    figure = charts.portfolio_map(view["clusters"]) if view["clusters"] else None
    progress = _since(request, session, who, initiative, years, view, since, until)
    return _page(request, "initiative.html", who, title=initiative.name, initiative=api.public(initiative),
                 portfolio=view, figure=figure, years=years, progress=progress, status=status,
                 problems=problems or [], year=year, issued=issued, analysts=api.analysts_of(session, initiative),
                 owner=initiative.created_by == who.user.id)  # fmt: skip


@router.get("/initiatives/{slug}")
def portfolio(slug: str, request: Request, session: DB, since: int | None = None, until: int | None = None):
    who, initiative = _initiative(request, session, slug)
    return _portfolio_page(request, session, who, initiative, since=since, until=until)


@router.post("/initiatives/{slug}/years")
def close_year(slug: str, request: Request, session: DB, year: Annotated[str, Form()] = ""):
    who, initiative = _initiative(request, session, slug)
    try:
        body = api.NewYear(year=year.strip())
        closed = api.close_year(body, initiative, who.caller, session, address(request))
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _portfolio_page(request, session, who, initiative, status=status, problems=_problems_of(error),
                               year=year)  # fmt: skip
    earlier = [row["year"] for row in api.list_years(initiative, who.caller, session, address(request))
               if row["year"] < closed["year"]]  # fmt: skip
    # The year just closed against the one before it: the comparison of the annual report.
    query = f"?since={max(earlier)}&until={closed['year']}" if earlier else ""
    return redirect(f"/initiatives/{initiative.slug}{query}")
