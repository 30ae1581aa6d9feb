"""What every page needs: templates with autoescape, the session cookie, CSRF tokens, HTML errors.

A page session is an ordinary session token (the one `POST /auth/login` hands out) kept in an HttpOnly
cookie, so pages and the API share one login, one rate limit and one way to revoke. Each form carries a
CSRF token derived from the session token: a page of another site can make the browser send the cookie
but cannot read the token. Forms shown before login (login, register) use a random pre-session cookie
the same way (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from clusterpath.platform.api.deps import Caller
from clusterpath.platform.security import token_user

HERE = Path(__file__).resolve().parent.parent
SESSION_COOKIE = "cp_session"
PRE_COOKIE = "cp_pre"
# Pages hold confidential figures: never cached, never framed, scripts and styles only from this server.
# plotly.js sets style attributes on the elements it draws (allowed by 'unsafe-inline' for styles only);
# it needs no eval, no inline script and nothing from another origin.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
}


def _number(value: Any, digits: int = 0) -> str:
    """A figure as people read it: thousands separated, a fixed number of decimals, a dash for none."""
    if value is None or isinstance(value, bool):
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "–"
    if abs(number) < 0.5 * 10**-digits:
        number = 0.0  # -0 and solver noise read as zero
    return f"{number:,.{digits}f}"


def _quantity(value: Any) -> str:
    """A quantity as uploaded: text such as '2000 MWh', or the value and unit an Excel upload stores."""
    if isinstance(value, dict) and "value" in value:
        return f"{_number(value['value'], 1 if float(value['value']) % 1 else 0)} {value.get('unit', '')}".strip()
    return "–" if value is None else str(value)


def _environment() -> jinja2.Environment:
    # Autoescape on for every template whatever its name: anything a user typed is text, never markup.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             extensions=["jinja2.ext.do"], undefined=jinja2.StrictUndefined)  # fmt: skip
    env.filters["number"] = _number
    env.filters["quantity"] = _quantity
    env.filters["percent"] = lambda v, digits=1: "–" if v is None else f"{100 * float(v):.{digits}f} %"
    env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if v else "–"
    return env


templates = Jinja2Templates(env=_environment())


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"clusterpath pages csrf", hashlib.sha256).hexdigest()


@dataclass
class PageUser:
    caller: Caller
    secret: str  # the session token from the cookie: the CSRF token is derived from it

    @property
    def user(self):
        return self.caller.user


class LoginNeeded(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def current(request: Request, session) -> PageUser | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    found = token_user(session, secret)
    if found is None:
        return None
    session.commit()  # keeps last_used_at, as the API does
    return PageUser(Caller(*found), secret)


def required(request: Request, session) -> PageUser:
    who = current(request, session)
    if who is None:
        raise LoginNeeded(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return who


def local_path(target: str | None, default: str = "/clusters") -> str:
    """Only a path on this site: a 'next' parameter must not send a user elsewhere after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def form_token(request: Request) -> tuple[str, str | None]:
    """The CSRF token for this page's forms, and a new pre-session secret to set when there was none."""
    secret = request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_COOKIE)
    fresh = None
    if not secret:
        fresh = secrets.token_urlsafe(32)
        secret = fresh
    return csrf_token(secret), fresh


def csrf_ok(request: Request, token: str | None) -> bool:
    if not token:
        return False
    for name in (SESSION_COOKIE, PRE_COOKIE):
        secret = request.cookies.get(name)
        if secret and hmac.compare_digest(csrf_token(secret), token):
            return True
    return False


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    token, fresh = form_token(request)
    context.setdefault("who", None)
    context.setdefault("nav", None)
    context.setdefault("title", "")
    context.setdefault("cluster", None)
    context.setdefault("viewer", None)
    context.setdefault("refresh", False)
    response = templates.TemplateResponse(request, template, {"csrf": token, **context}, status_code=status)
    for header, value in PAGE_HEADERS.items():
        response.headers[header] = value
    if fresh is not None:
        set_cookie(request, response, PRE_COOKIE, fresh, max_age=None)
    return response


def set_cookie(request: Request, response, name: str, value: str, max_age: int | None) -> None:
    settings = request.app.state.settings
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=settings.cookie_secure,
                        path="/")  # fmt: skip


def redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def login_redirect(next_url: str) -> RedirectResponse:
    return redirect(f"/login?next={quote(local_path(next_url), safe='/')}")
