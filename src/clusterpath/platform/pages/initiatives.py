"""The initiative pages: one's initiatives, a new initiative, enrolling a cluster, and the portfolio.

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
from clusterpath.platform.pages.views import FORM_ERRORS, _page, _problems_of, csrf_guard
from clusterpath.platform.pages.web import redirect, required

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_guard)])


def _list_page(request: Request, session, who, status: int = 200, **values):
    values.setdefault("problems", [])
    values.setdefault("enrolled", None)
    values.setdefault("form", {"slug": "", "name": "", "currency": "USD", "cluster": "", "initiative": ""})
    coordinated = [c for c in clusters_api.list_clusters(who.caller, session) if c["role"] == Role.COORDINATOR]
    return _page(request, "initiatives.html", who, title="Initiatives", status=status,
                 initiatives=api.list_initiatives(who.caller, session), coordinated=coordinated, **values)  # fmt: skip


@router.get("/initiatives")
def initiatives(request: Request, session: DB):
    return _list_page(request, session, required(request, session))


@router.post("/initiatives")
def create(request: Request, session: DB, slug: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
           currency: Annotated[str, Form()] = ""):  # fmt: skip
    who = required(request, session)
    form = {"slug": slug, "name": name, "currency": currency, "cluster": "", "initiative": ""}
    try:
        body = api.NewInitiative(slug=slug.strip(), name=name.strip(), currency=currency.strip())
        api.create_initiative(body, who.caller, session, address(request))
    except FORM_ERRORS as error:
        session.rollback()
        status = error.status_code if isinstance(error, HTTPException) else 422
        return _list_page(request, session, who, status=status, form=form, problems=_problems_of(error))
    return redirect(f"/initiatives/{body.slug}")


@router.post("/initiatives/enrol")
def enrol(request: Request, session: DB, cluster: Annotated[str, Form()] = "",
          initiative: Annotated[str, Form()] = ""):  # fmt: skip
    who = required(request, session)
    form = {"slug": "", "name": "", "currency": "USD", "cluster": cluster, "initiative": initiative}
    try:
        context = coordinator(cluster_context(cluster, session, who.caller))
        api.enrol(api.NewEnrolment(initiative=initiative.strip()), context, session, address(request))
    except FORM_ERRORS as error:
        session.rollback()
        status = error.status_code if isinstance(error, HTTPException) else 422
        return _list_page(request, session, who, status=status, form=form, problems=_problems_of(error))
    return _list_page(request, session, who, form=form, enrolled=f"'{cluster}' is now in '{initiative.strip()}'")


@router.get("/initiatives/{slug}")
def portfolio(slug: str, request: Request, session: DB):
    who = required(request, session)
    if len(slug) > 64 or not re.match(IDENTIFIER, slug):
        raise HTTPException(404, f"no initiative '{slug[:64]}' among yours")
    initiative = api.analyst_of(slug, session, who.caller)
    shown = api.portfolio(initiative, who.caller, session, address(request))
    figure = charts.portfolio_map(shown["clusters"]) if shown["clusters"] else None
    return _page(request, "initiative.html", who, title=initiative.name, initiative=api.public(initiative),
                 portfolio=shown, figure=figure)  # fmt: skip
