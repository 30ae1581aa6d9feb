"""The access lifecycle on the pages: the coordinator removes a user, a member company or an open invitation;
an initiative's owner invites analysts (and coordinators, to enrol a cluster) and removes analysts.

Each form calls the API's own function (api/clusters.py, api/initiatives.py), so the rule, the audit entry
(with the acting user's email) and the answer are the API's; the CSRF guard is the pages' (views.csrf_guard).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request

from clusterpath.platform.api import clusters as clusters_api
from clusterpath.platform.api import initiatives as initiatives_api
from clusterpath.platform.api.deps import DB, MAX_ID, address, coordinator
from clusterpath.platform.pages.initiatives import _initiative, _portfolio_page
from clusterpath.platform.pages.views import (
    FORM_ERRORS,
    _in_cluster,
    _member_key,
    _members_page,
    _problems_of,
    csrf_guard,
    failed,
)
from clusterpath.platform.pages.web import redirect

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_guard)])


def _row_id(raw: str, what: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise HTTPException(404, f"no {what} {raw[:20]}")
    return int(raw)


def _cluster_change(request: Request, session, slug: str, change) -> object:
    """Run ``change(context, where)`` as the coordinator; a refusal (409: the last coordinator) shows inline."""
    who, context = _in_cluster(request, session, slug)
    coordinator(context)
    try:
        change(context, address(request))
    except FORM_ERRORS as error:
        status = failed(session, error)
        if status == 404:
            raise
        return _members_page(request, session, who, context, status=status, problems=_problems_of(error))
    # Whoever removed himself has no members page left to see.
    if clusters_api.slug_in_use(session, who.user.id, context.cluster.slug):
        return redirect(f"/clusters/{context.cluster.slug}/members")
    return redirect("/clusters")


@router.post("/clusters/{slug}/memberships/{membership_id}/remove")
def remove_membership(slug: str, membership_id: str, request: Request, session: DB):
    number = _row_id(membership_id, "membership")
    return _cluster_change(request, session, slug, lambda context, where: clusters_api.remove_membership(
        number, context, session, where))  # fmt: skip


@router.post("/clusters/{slug}/members/{key}/remove")
def remove_member(slug: str, key: str, request: Request, session: DB):
    key = _member_key(key)
    return _cluster_change(request, session, slug, lambda context, where: clusters_api.remove_member(
        key, context, session, where))  # fmt: skip


@router.post("/clusters/{slug}/invitations/{invitation_id}/revoke")
def revoke_invitation(slug: str, invitation_id: str, request: Request, session: DB):
    number = _row_id(invitation_id, "invitation")
    return _cluster_change(request, session, slug, lambda context, where: clusters_api.revoke_invitation(
        number, context, session, where))  # fmt: skip


# -- an initiative's owner -------------------------------------------------------------------------------
@router.post("/initiatives/{slug}/analysts")
def invite_analyst(slug: str, request: Request, session: DB, email: Annotated[str, Form()] = "",
                   purpose: Annotated[str, Form()] = "analyst"):  # fmt: skip
    """A one-time code for an email: to read the initiative (an analyst), or to enrol a cluster (a coordinator)."""
    who, initiative = _initiative(request, session, slug)
    try:
        if purpose == "cluster":
            body = initiatives_api.NewEnrolmentCode(email=email.strip())
            issued = initiatives_api.enrolment_code(body, initiative, who.caller, session, address(request))
        else:
            body = initiatives_api.NewAnalyst(email=email.strip())
            issued = initiatives_api.invite_analyst(body, initiative, who.caller, session, address(request))
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _portfolio_page(request, session, who, initiative, status=status, problems=_problems_of(error))
    # The code is shown this once, on this response: never in a URL, where logs and history would keep it.
    return _portfolio_page(request, session, who, initiative, status=201,
                           issued=issued | {"purpose": "cluster" if purpose == "cluster" else "analyst"})  # fmt: skip


@router.post("/initiatives/{slug}/analysts/{analyst_id}/remove")
def remove_analyst(slug: str, analyst_id: str, request: Request, session: DB):
    who, initiative = _initiative(request, session, slug)
    number = _row_id(analyst_id, "analyst")
    try:
        initiatives_api.remove_analyst(number, initiative, who.caller, session, address(request))
    except FORM_ERRORS as error:
        status = failed(session, error)
        if status == 404:
            raise
        return _portfolio_page(request, session, who, initiative, status=status, problems=_problems_of(error))
    return redirect(f"/initiatives/{initiative.slug}#analysts")
