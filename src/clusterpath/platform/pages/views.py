"""The pages: server-rendered views over the same services as the API.

Every page calls the API's own functions (api/*.py) for what it shows and does, so the access rules
(access.py), the audit log, upload validation (memberdata.py) and job submission (jobs.py) are the
API's, not a second copy. Those functions raise HTTPException, DataProblem or InputError; forms show
them inline, anything else becomes an HTML error page (pages/__init__.py).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from pydantic import ValidationError
from sqlalchemy import select

from clusterpath import examples
from clusterpath.io import limits
from clusterpath.io.errors import InputError
from clusterpath.platform import audit
from clusterpath.platform.access import Role, can_read_raw, can_write_data
from clusterpath.platform.api import auth as auth_api
from clusterpath.platform.api import clusters as clusters_api
from clusterpath.platform.api import data as data_api
from clusterpath.platform.api import initiatives as initiatives_api
from clusterpath.platform.api import jobs as jobs_api
from clusterpath.platform.api import results as results_api
from clusterpath.platform.api.deps import DB, IDENTIFIER, MAX_ID, ClusterContext, address, cluster_context, coordinator
from clusterpath.platform.jobs import KINDS, QUEUED, RUNNING
from clusterpath.platform.memberdata import DataProblem, validate_member
from clusterpath.platform.models import MemberDataVersion, Result
from clusterpath.platform.pages import charts
from clusterpath.platform.pages.web import (
    PRE_COOKIE,
    SESSION_COOKIE,
    PageUser,
    csrf_ok,
    current,
    local_path,
    redirect,
    render,
    required,
    set_cookie,
)
from clusterpath.schema.vocabulary import ClusterKind, Sector


async def csrf_guard(request: Request) -> None:
    """Every form POST of the pages carries the CSRF token of its session (or pre-session) cookie."""
    if request.method != "POST":
        return
    form = await request.form()  # parsed once: the endpoint's Form parameters read the same cached form
    if not csrf_ok(request, str(form.get("csrf") or "")):
        raise HTTPException(403, "the form has expired or did not come from this site: reload the page and try again")


router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_guard)])


# -- helpers -------------------------------------------------------------------------------------------
def _problems_of(error: Exception) -> list[dict]:
    """Inline form errors, each with its field and where (line, or sheet and row) when known."""
    if isinstance(error, DataProblem):
        return [{"field": p.get("field"), "where": p.get("where"), "problem": p["problem"]} for p in error.problems]
    if isinstance(error, InputError):
        return [{"field": None, "where": None, "problem": p} for p in error.problems]
    if isinstance(error, ValidationError):
        return [{"field": ".".join(str(part) for part in item["loc"]) or None, "where": None, "problem": item["msg"]}
                for item in error.errors()]  # fmt: skip
    if isinstance(error, HTTPException):
        return [{"field": None, "where": None, "problem": str(error.detail)}]
    raise error


FORM_ERRORS = (DataProblem, InputError, ValidationError, HTTPException)


def failed(session, error: Exception) -> int:
    """Undo whatever the form changed, and the status its page answers with: the error's own, else 422."""
    session.rollback()
    return error.status_code if isinstance(error, HTTPException) else 422


def _in_cluster(request: Request, session, slug: str) -> tuple[PageUser, ClusterContext]:
    who = required(request, session)
    if len(slug) > 64 or not re.match(IDENTIFIER, slug):
        raise HTTPException(404, f"no cluster '{slug[:64]}' among yours")
    return who, cluster_context(slug, session, who.caller)


def _page(request: Request, template: str, who: PageUser, context: ClusterContext | None = None, *,
          nav: str | None = None, status: int = 200, **values: Any):  # fmt: skip
    return render(request, template, status=status, who=who.user, cluster=context.cluster if context else None,
                  viewer=context.viewer if context else None, nav=nav, **values)  # fmt: skip


def _result_ids(session, context: ClusterContext, kind: str) -> list[dict]:
    return results_api.list_results(context, session, input_version=None, kind=kind)


def _read_result(session, request: Request, context: ClusterContext, result_id: int) -> dict:
    """A result as this viewer may see it; the read is audited by the API function."""
    out = results_api.get_result(result_id, context, session, address(request))
    row = session.get(Result, result_id)
    scenario = (row.input_version.scenario or {}) if row is not None else {}
    return out | {"scenario": scenario.get("name")}


def _chosen(session, request: Request, context: ClusterContext, kind: str,
            wanted: int | None) -> tuple[dict | None, list]:  # fmt: skip
    listing = _result_ids(session, context, kind)
    if not listing:
        return None, listing
    ids = [row["id"] for row in listing]
    if wanted is not None and wanted not in ids:
        raise HTTPException(404, f"no {kind} result {wanted} in cluster '{context.cluster.slug}'")
    return _read_result(session, request, context, wanted or ids[0]), listing


def _result_param(request: Request) -> int | None:
    raw = request.query_params.get("result")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise HTTPException(404, "no such result")
    return int(raw)


# -- accounts ------------------------------------------------------------------------------------------
@router.get("/")
def home(request: Request, session: DB):
    return redirect("/clusters" if current(request, session) else "/login")


@router.get("/login")
def login_page(request: Request, session: DB, next: str = "/clusters"):
    if current(request, session):
        return redirect(local_path(next))
    return render(request, "login.html", title="Log in", next=local_path(next), email="", problems=[])


def _start_session(request: Request, session, email: str, password: str, next_url: str):
    token = auth_api.login(auth_api.Login(email=email, password=password), session, request.app.state.settings,
                           address(request), Response())  # fmt: skip
    response = redirect(local_path(next_url))
    set_cookie(request, response, SESSION_COOKIE, token["token"],
               max_age=int(request.app.state.settings.session_hours * 3600))  # fmt: skip
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


@router.post("/login")
def login(request: Request, session: DB, email: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/clusters"):  # fmt: skip
    try:
        return _start_session(request, session, email.strip().lower(), password, next)
    except FORM_ERRORS as error:
        status = error.status_code if isinstance(error, HTTPException) else 422
        problems = _problems_of(error)
        if isinstance(error, ValidationError):  # an empty or malformed field: say which, never echo the password
            problems = [{"field": p["field"], "where": None, "problem": p["problem"]} for p in problems]
        return render(request, "login.html", status=status, title="Log in", next=local_path(next), email=email,
                      problems=problems)  # fmt: skip


@router.get("/register")
def register_page(request: Request):
    return render(request, "register.html", title="Create an account", email="", name="", problems=[])


@router.post("/register")
def register(request: Request, session: DB, email: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
             password: Annotated[str, Form()] = ""):  # fmt: skip
    try:
        body = auth_api.Registration(email=email.strip(), name=name.strip(), password=password)
        auth_api.register(body, session, request.app.state.settings, address(request))
        return _start_session(request, session, body.email, password, "/clusters")
    except FORM_ERRORS as error:
        status = error.status_code if isinstance(error, HTTPException) else 422
        return render(request, "register.html", status=status, title="Create an account", email=email, name=name,
                      problems=_problems_of(error))  # fmt: skip


@router.post("/logout")
def logout(request: Request, session: DB):
    who = current(request, session)
    if who is not None:
        auth_api.logout(who.caller, session, address(request))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- clusters ------------------------------------------------------------------------------------------
def _clusters_page(request: Request, session, who: PageUser, status: int = 200, **values):
    values.setdefault("problems", [])
    values.setdefault("accepted", None)
    return _page(request, "clusters.html", who, title="Your clusters", status=status,
                 clusters=clusters_api.list_clusters(who.caller, session), examples=examples.names(),
                 **values)  # fmt: skip


@router.get("/clusters")
def clusters(request: Request, session: DB):
    return _clusters_page(request, session, required(request, session))


@router.post("/invitations/accept")
def accept(request: Request, session: DB, code: Annotated[str, Form()] = ""):
    who = required(request, session)
    try:
        joined = auth_api.accept(auth_api.Acceptance(code=code.strip()), who.caller, session, address(request))
    except FORM_ERRORS as error:
        status = error.status_code if isinstance(error, HTTPException) else 422
        return _clusters_page(request, session, who, status=status, problems=_problems_of(error))
    # The same codes field takes an initiative's invitation of an analyst.
    if "initiative" in joined:
        return redirect(f"/initiatives/{joined['initiative']}")
    return redirect(f"/clusters/{joined['cluster']}")


NEW_CLUSTER_DEFAULTS = {"slug": "", "name": "", "k": "", "country": "", "lat": "", "lon": "", "kind": "port",
                        "currency": "EUR", "base_year": "", "discount_rate": "0.05", "extra": ""}  # fmt: skip


def _number_field(value: str, field: str, kind=float):
    try:
        return kind(value.strip())
    except ValueError:
        raise DataProblem("form", [{"field": field, "where": None, "problem": f"'{value}' is not a number"}]) from None


@router.get("/new-cluster")
def new_cluster_page(request: Request, session: DB):
    who = required(request, session)
    return _page(request, "new_cluster.html", who, title="New cluster", form=NEW_CLUSTER_DEFAULTS, problems=[],
                 kinds=[k.value for k in ClusterKind])  # fmt: skip


@router.post("/new-cluster")
def new_cluster(request: Request, session: DB, slug: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                k: Annotated[str, Form()] = "", country: Annotated[str, Form()] = "",
                lat: Annotated[str, Form()] = "", lon: Annotated[str, Form()] = "",
                kind: Annotated[str, Form()] = "port", currency: Annotated[str, Form()] = "",
                base_year: Annotated[str, Form()] = "", discount_rate: Annotated[str, Form()] = "",
                extra: Annotated[str, Form()] = ""):  # fmt: skip
    who = required(request, session)
    form = {"slug": slug, "name": name, "k": k, "country": country, "lat": lat, "lon": lon, "kind": kind,
            "currency": currency, "base_year": base_year, "discount_rate": discount_rate, "extra": extra}  # fmt: skip
    try:
        more = _yaml_mapping(extra, "more (YAML)")
        description = {**more, "country": country.strip(), "kind": kind, "currency": currency.strip(),
                       "location": {"lat": _number_field(lat, "location.lat"),
                                    "lon": _number_field(lon, "location.lon")},
                       "base_year": _number_field(base_year, "base_year", int),
                       "discount_rate": _number_field(discount_rate, "discount_rate")}  # fmt: skip
        body = clusters_api.NewCluster(slug=slug.strip(), name=name.strip(), description=description,
                                       k=_number_field(k, "k", int) if k.strip() else None)  # fmt: skip
        clusters_api.create_cluster(body, who.caller, session, request.app.state.settings, address(request))
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _page(request, "new_cluster.html", who, title="New cluster", form=form, problems=_problems_of(error),
                     kinds=[k.value for k in ClusterKind], status=status)  # fmt: skip
    return redirect(f"/clusters/{body.slug}/members")


def _yaml_mapping(text: str, field: str) -> dict:
    if not text.strip():
        return {}
    try:
        data = limits.parse_yaml(text, field)
    except InputError as error:
        raise DataProblem("form", [{"field": field, "where": None, "problem": p} for p in error.problems]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise DataProblem("form", [{"field": field, "where": where, "problem": "not valid YAML: "
                                    f"{getattr(error, 'problem', None) or error}"}]) from None  # fmt: skip
    if not isinstance(data, dict):
        raise DataProblem("form", [{"field": field, "where": None, "problem": "expected a mapping of fields"}])
    return data


# -- one cluster ---------------------------------------------------------------------------------------
def _latest(session, context: ClusterContext, kind: str) -> int | None:
    listing = _result_ids(session, context, kind)
    return listing[0]["id"] if listing else None


@router.get("/clusters/{slug}")
def overview(slug: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    members = clusters_api.list_members(context, session)
    description = context.cluster.description
    hub = description.get("location") or {}
    plan = None
    latest = _latest(session, context, "plan")
    if latest is not None:
        plan = _read_result(session, request, context, latest)
    shared = (plan or {}).get("result", {}).get("shared_assets")
    hub_text = [f"{context.cluster.name}: cluster hub", *sorted(shared or ())]
    points = [{"name": "hub", "kind": "cluster hub", "lat": hub.get("lat", 0.0), "lon": hub.get("lon", 0.0),
               "hover": hub_text}] if hub else []  # fmt: skip
    # Sites are members' raw data: the coordinator sees all, a member its own; the reads are audited.
    versions, _ = jobs_api._latest_versions(session, context.cluster)
    readable = [v for v in versions if can_read_raw(context.viewer, v.member.key)]
    for version in readable:
        where = version.content.get("location") or hub
        if where:
            points.append({"name": version.member.key, "kind": "member site", "lat": where.get("lat"),
                           "lon": where.get("lon"), "hover": [f"{version.member.name} (data version {version.number})"
                           + ("" if version.content.get("location") else ", at the cluster's location")]})  # fmt: skip
    if readable:
        audit.record(session, "data.read", user_id=who.user.id, cluster_id=context.cluster.id, target="member sites",
                     address=address(request), versions={v.member.key: v.number for v in readable})  # fmt: skip
        session.commit()
    recent = jobs_api.list_jobs(context, session)[:5]
    return _page(request, "overview.html", who, context, nav="overview", title=context.cluster.name, members=members,
                 map=charts.sites(points) if points else None, plan=plan, shared=shared, recent=recent,
                 sites_shown=len(readable))  # fmt: skip


@router.get("/clusters/{slug}/emissions")
def emissions(slug: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    inventory = None
    latest = _latest(session, context, "inventory")
    if latest is not None:
        inventory = _read_result(session, request, context, latest)
    groups, problem = {}, None
    for by in ("sector", "carrier"):
        try:
            groups[by] = results_api.emissions(context, session, address(request), by=by)
        except HTTPException as error:
            if error.status_code != 409:
                raise
            problem = str(error.detail)
            break
    figures = {}
    if inventory and inventory["result"].get("members"):
        figures["member"] = charts.emissions_by(inventory["result"]["members"], "id", "Emissions by member "
                                                "(latest inventory)")  # fmt: skip
    for by, table in groups.items():
        if table["rows"]:
            figures[by] = charts.emissions_by(table["rows"], by, f"Emissions by {by} (members' latest data)")
    return _page(request, "emissions.html", who, context, nav="emissions", title="Emissions", inventory=inventory,
                 groups=groups, problem=problem, figures=figures)  # fmt: skip


@router.get("/clusters/{slug}/pathway")
def pathway(slug: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    plan, listing = _chosen(session, request, context, "plan", _result_param(request))
    figures = {}
    if plan is not None:
        result = plan["result"]
        if result.get("emissions_tco2e") or result.get("member_emissions_tco2e"):
            figures["emissions"] = charts.pathway_emissions(result)
        if result.get("investment_by_period"):
            figures["investment"] = charts.investment(result)
    return _page(request, "pathway.html", who, context, nav="pathway", title="Pathway", plan=plan, listing=listing,
                 figures=figures)  # fmt: skip


@router.get("/clusters/{slug}/macc")
def macc(slug: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    plan, listing = _chosen(session, request, context, "plan", _result_param(request))
    figure = None
    if plan is not None and plan["result"].get("macc"):
        figure = charts.macc(plan["result"]["macc"], plan["result"].get("currency", ""))
    return _page(request, "macc.html", who, context, nav="macc", title="Abatement costs", plan=plan, listing=listing,
                 figure=figure)  # fmt: skip


@router.get("/clusters/{slug}/collaboration")
def collaboration(slug: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    collaborate, listing = _chosen(session, request, context, "collaborate", _result_param(request))
    allocations = [_read_result(session, request, context, row["id"])
                   for row in _result_ids(session, context, "allocate")[:5]]  # fmt: skip
    figures = {}
    if collaborate is not None:
        result = collaborate["result"]
        rules = {name: split for name, split in result.get("rules", {}).items() if split.get("allocation")}
        if rules:
            figures["rules"] = charts.allocation(rules, result.get("standalone") or {}, result.get("currency", ""))
    for row in allocations:
        if row["result"].get("allocation"):
            result = row["result"]
            figures[f"allocate-{row['id']}"] = charts.allocation({result.get("method", "allocation"): result},
                                                                 result.get("standalone") or {},
                                                                 result.get("currency", ""))  # fmt: skip
    return _page(request, "collaboration.html", who, context, nav="collaboration", title="Collaboration",
                 collaborate=collaborate, listing=listing, allocations=allocations, figures=figures)  # fmt: skip


@router.get("/clusters/{slug}/comparison")
def comparison(slug: str, request: Request, session: DB):
    """The cluster's plans side by side, one per scenario (the newest result of each input version)."""
    who, context = _in_cluster(request, session, slug)
    runs = []
    seen = set()
    for row in _result_ids(session, context, "plan")[:20]:
        if row["input_version"] in seen:
            continue
        seen.add(row["input_version"])
        plan = _read_result(session, request, context, row["id"])
        runs.append(plan)
    lines = [{"label": f"{run['scenario'] or 'scenario'} (input {run['input_version']})",
              "periods": run["result"].get("periods", []), "emissions": run["result"]["emissions_tco2e"]}
             for run in reversed(runs) if run["result"].get("emissions_tco2e")]  # fmt: skip
    return _page(request, "comparison.html", who, context, nav="comparison", title="Scenario comparison", runs=runs,
                 figure=charts.comparison(lines) if lines else None)  # fmt: skip


# -- jobs ----------------------------------------------------------------------------------------------
JOB_DEFAULTS = {"kind": "plan", "scenario": "scope-1-net-zero-2050", "custom": "", "typical_days": "", "method": "dual",
                "samples": "", "time_limit": "", "compare": [], "budget": "", "objective": "abatement"}  # fmt: skip


def _jobs_page(request: Request, session, who: PageUser, context: ClusterContext, status: int = 200, **values):
    from clusterpath.io.load import scenario_names

    listing = jobs_api.list_jobs(context, session)
    values.setdefault("form", JOB_DEFAULTS)
    values.setdefault("problems", [])
    values.setdefault("submitted", None)
    active = any(job["status"] in (QUEUED, RUNNING) for job in listing)
    return _page(request, "jobs.html", who, context, nav="jobs", title="Jobs", jobs=listing, kinds=list(KINDS),
                 scenarios=scenario_names(), methods=list(jobs_api.KINDS["allocate"].options.model_fields["method"]
                                                          .annotation.__args__), refresh=active, status=status,
                 **values)  # fmt: skip


@router.get("/clusters/{slug}/jobs")
def jobs(slug: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    return _jobs_page(request, session, who, context)


@router.post("/clusters/{slug}/jobs")
def submit_job(slug: str, request: Request, session: DB, kind: Annotated[str, Form()] = "",
               scenario: Annotated[str, Form()] = "", custom: Annotated[str, Form()] = "",
               typical_days: Annotated[str, Form()] = "", method: Annotated[str, Form()] = "",
               samples: Annotated[str, Form()] = "", time_limit: Annotated[str, Form()] = "",
               compare: Annotated[list[str] | None, Form()] = None, budget: Annotated[str, Form()] = "",
               objective: Annotated[str, Form()] = "abatement"):  # fmt: skip
    who, context = _in_cluster(request, session, slug)
    coordinator(context)
    form = {"kind": kind, "scenario": scenario, "custom": custom, "typical_days": typical_days, "method": method,
            "samples": samples, "time_limit": time_limit, "compare": compare or [], "budget": budget,
            "objective": objective}  # fmt: skip
    try:
        options: dict[str, Any] = {}
        needs_scenario = kind in KINDS and KINDS[kind].needs_scenario
        if needs_scenario:
            options["scenario"] = _yaml_mapping(custom, "custom scenario") if custom.strip() else scenario
            if typical_days.strip():
                options["typical_days"] = _number_field(typical_days, "typical_days", int)
            if time_limit.strip():
                options["time_limit"] = _number_field(time_limit, "time_limit")
        if kind == "allocate" and method:
            options["method"] = method
        if kind == "collaborate" and samples.strip():
            options["samples"] = _number_field(samples, "samples", int)
        if kind == "compare":
            options["scenarios"] = compare or []
            if typical_days.strip():
                options["typical_days"] = _number_field(typical_days, "typical_days", int)
        if kind == "fund":
            options |= {"budget": _number_field(budget, "budget") if budget.strip() else None, "objective": objective}
        body = jobs_api.NewJob(kind=kind, options=options)
        job = jobs_api.submit(body, context, session, request, address(request))
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _jobs_page(request, session, who, context, status=status, form=form, problems=_problems_of(error))
    return redirect(f"/clusters/{context.cluster.slug}/jobs/{job['id']}")


@router.get("/clusters/{slug}/jobs/{job_id}")
def job(slug: str, job_id: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    if not job_id.isdigit() or not 1 <= int(job_id) <= MAX_ID:
        raise HTTPException(404, f"no job {job_id[:20]} in cluster '{context.cluster.slug}'")
    found = jobs_api.get_job(int(job_id), context, session)
    result = session.scalar(select(Result.id).where(Result.job_id == found["id"]))
    pages = {"plan": "pathway", "inventory": "emissions", "collaborate": "collaboration", "allocate": "collaboration"}
    return _page(request, "job.html", who, context, nav="jobs", title=f"Job {found['id']}", job=found, result=result,
                 result_page=pages.get(found["kind"]), refresh=found["status"] in (QUEUED, RUNNING))  # fmt: skip


# -- members, invitations and data ---------------------------------------------------------------------
def _members_page(request: Request, session, who: PageUser, context: ClusterContext, status: int = 200, **values):
    values.setdefault("problems", [])
    values.setdefault("invited", None)
    values.setdefault("imported", None)
    manage = context.viewer.is_coordinator
    return _page(request, "members.html", who, context, nav="members", title="Members", status=status,
                 members=clusters_api.list_members(context, session),
                 invitations=clusters_api.list_invitations(context, session) if manage else [],
                 memberships=clusters_api.list_memberships(context, session) if manage else [],
                 initiatives=initiatives_api.cluster_initiatives(context, session) if manage else [],
                 roles=[r.value for r in Role], **values)  # fmt: skip


@router.get("/clusters/{slug}/members")
def members(slug: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    return _members_page(request, session, who, context)


@router.post("/clusters/{slug}/members")
def add_member(slug: str, request: Request, session: DB, key: Annotated[str, Form()] = "",
               name: Annotated[str, Form()] = ""):  # fmt: skip
    who, context = _in_cluster(request, session, slug)
    coordinator(context)
    try:
        clusters_api.add_member(clusters_api.NewMember(key=key.strip(), name=name.strip()), context, session,
                                address(request))  # fmt: skip
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _members_page(request, session, who, context, status=status, problems=_problems_of(error))
    return redirect(f"/clusters/{context.cluster.slug}/members")


@router.post("/clusters/{slug}/invitations")
def invite(slug: str, request: Request, session: DB, email: Annotated[str, Form()] = "",
           role: Annotated[str, Form()] = "", member: Annotated[str, Form()] = ""):  # fmt: skip
    who, context = _in_cluster(request, session, slug)
    coordinator(context)
    try:
        body = clusters_api.NewInvitation(email=email.strip(), role=role, member=member.strip() or None)
        invited = clusters_api.invite(body, context, session, address(request))
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _members_page(request, session, who, context, status=status, problems=_problems_of(error))
    # The code is shown this once, on this response: never in a URL, where logs and history would keep it.
    return _members_page(request, session, who, context, status=201, invited=invited)


def _data_page(request: Request, session, who: PageUser, context: ClusterContext, key: str, status: int = 200,
               **values):  # fmt: skip
    history = data_api.versions(key, context, session)  # 403 for another member's data, 404 for an unknown one
    latest = None
    if history:
        latest = data_api.version(key, history[-1]["number"], context, session, address(request))
    content = (latest or {}).get("content") or {}
    member = data_api.member_of(session, context.cluster, key)
    values.setdefault("problems", [])
    values.setdefault("stored", None)
    values.setdefault("form", {"name": content.get("name", member.name), "sector": content.get("sector", ""),
                               "value_added": content.get("value_added", ""), "jobs": content.get("jobs", ""),
                               "lat": (content.get("location") or {}).get("lat", ""),
                               "lon": (content.get("location") or {}).get("lon", "")})  # fmt: skip
    return _page(request, "member_data.html", who, context, nav="members", title=f"Data of {member.name}",
                 status=status, member=member, history=history, latest=latest, content=content,
                 sectors=[s.value for s in Sector], writable=can_write_data(context.viewer, key), **values)  # fmt: skip


def _member_key(key: str) -> str:
    if len(key) > 64 or not re.match(IDENTIFIER, key):
        raise HTTPException(404, f"no member '{key[:64]}'")
    return key


@router.get("/clusters/{slug}/members/{key}")
def member_data(slug: str, key: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    return _data_page(request, session, who, context, _member_key(key))


@router.post("/clusters/{slug}/members/{key}/upload")
def upload(slug: str, key: str, request: Request, session: DB,
           file: Annotated[UploadFile | None, File()] = None):  # fmt: skip
    who, context = _in_cluster(request, session, slug)
    key = _member_key(key)
    response = Response()
    try:
        if file is None or not file.filename:
            data_api._writable(context, session, key)
            raise DataProblem("form", [{"field": "file", "where": None,
                                        "problem": "choose a YAML, JSON or Excel file"}])  # fmt: skip
        stored = data_api.upload(key, file, context, session, request.app.state.settings, address(request), response,
                                 request.app.state.upload_slots)  # fmt: skip
    except (DataProblem, InputError, HTTPException) as error:
        # Permission and unknown-member errors stay errors; what is wrong with the file is shown by the form.
        if isinstance(error, HTTPException) and error.status_code not in (409, 413, 503):
            raise
        status = failed(session, error)
        return _data_page(request, session, who, context, key, status=status, problems=_problems_of(error),
                          rejected=file.filename if file is not None else None)  # fmt: skip
    return _data_page(request, session, who, context, key, status=response.status_code, stored=stored)


@router.post("/clusters/{slug}/members/{key}/edit")
def edit(slug: str, key: str, request: Request, session: DB, name: Annotated[str, Form()] = "",
         sector: Annotated[str, Form()] = "", value_added: Annotated[str, Form()] = "",
         jobs: Annotated[str, Form()] = "", lat: Annotated[str, Form()] = "",
         lon: Annotated[str, Form()] = ""):  # fmt: skip
    """Change the simple fields of the latest version; demands and the rest are kept as they are."""
    who, context = _in_cluster(request, session, slug)
    key = _member_key(key)
    member = data_api._writable(context, session, key)
    form = {"name": name, "sector": sector, "value_added": value_added, "jobs": jobs, "lat": lat, "lon": lon}
    latest = session.scalar(select(MemberDataVersion).where(MemberDataVersion.member_id == member.id)
                            .order_by(MemberDataVersion.number.desc()).limit(1))  # fmt: skip
    data = dict(latest.content) if latest is not None else {}
    try:
        data |= {"name": name.strip(), "sector": sector, "value_added": _number_field(value_added, "value_added"),
                 "jobs": _number_field(jobs, "jobs", int)}  # fmt: skip
        if lat.strip() or lon.strip():
            data["location"] = {"lat": _number_field(lat, "location.lat"), "lon": _number_field(lon, "location.lon")}
        else:
            data.pop("location", None)
        checked = validate_member(data, member.key, "form")
        response = Response()
        stored = data_api._store(context, session, member, checked, "form", None, address(request), response)
    except (DataProblem, InputError) as error:
        session.rollback()
        return _data_page(request, session, who, context, key, status=422, problems=_problems_of(error), form=form)
    return _data_page(request, session, who, context, key, status=response.status_code, stored=stored)


@router.get("/clusters/{slug}/members/{key}/versions/{number}")
def version(slug: str, key: str, number: str, request: Request, session: DB):
    who, context = _in_cluster(request, session, slug)
    key = _member_key(key)
    if not number.isdigit() or not 1 <= int(number) <= MAX_ID:
        raise HTTPException(404, f"member '{key}' has no version {number[:20]}")
    found = data_api.version(key, int(number), context, session, address(request))
    member = data_api.member_of(session, context.cluster, key)
    return _page(request, "version.html", who, context, nav="members", title=f"{member.name}, version {number}",
                 member=member, version=found, text=yaml.safe_dump(found["content"], sort_keys=False,
                                                                   allow_unicode=True))  # fmt: skip

