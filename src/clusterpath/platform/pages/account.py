"""The account page: one's API tokens (listed, revoked) and a new password, through the API's functions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response

from clusterpath.platform.api import auth as auth_api
from clusterpath.platform.api.deps import DB, MAX_ID, address
from clusterpath.platform.pages.views import FORM_ERRORS, _page, _problems_of, csrf_guard, failed
from clusterpath.platform.pages.web import SESSION_COOKIE, redirect, required, set_cookie

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_guard)])


def _account_page(request: Request, session, who, status: int = 200, **values):
    values.setdefault("problems", [])
    values.setdefault("notice", None)
    return _page(request, "account.html", who, title="Your account", status=status,
                 tokens=auth_api.tokens(who.caller, session), **values)  # fmt: skip


@router.get("/account")
def account(request: Request, session: DB):
    return _account_page(request, session, required(request, session))


@router.post("/account/tokens/{token_id}/revoke")
def revoke(token_id: str, request: Request, session: DB):
    who = required(request, session)
    if not token_id.isdigit() or not 1 <= int(token_id) <= MAX_ID:
        raise HTTPException(404, f"no token {token_id[:20]} of yours")
    auth_api.revoke_token(int(token_id), who.caller, session, address(request))
    return redirect("/account")


@router.post("/account/password")
def change_password(request: Request, session: DB, current: Annotated[str, Form()] = "",
                    new: Annotated[str, Form()] = ""):  # fmt: skip
    who = required(request, session)
    try:
        body = auth_api.PasswordChange(current=current, new=new)
        fresh = auth_api.change_password(body, who.caller, session, request.app.state.settings, address(request),
                                         Response())  # fmt: skip
    except FORM_ERRORS as error:
        status = failed(session, error)
        # Never echo a password: only which field is wrong and why.
        problems = [{"field": p["field"], "where": None, "problem": p["problem"]} for p in _problems_of(error)]
        return _account_page(request, session, who, status=status, problems=problems)
    # Every session ended with the change, this one too: the browser carries on with the new one.
    response = redirect("/account")
    set_cookie(request, response, SESSION_COOKIE, fresh["token"],
               max_age=int(request.app.state.settings.session_hours * 3600))  # fmt: skip
    return response
