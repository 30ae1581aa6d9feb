"""The server-rendered pages: login, clusters, overview with a map of sites, emissions, pathway, MACC,
collaboration, scenario comparison, jobs and member data forms (docs/platform.md, "Pages").

Every asset is served by this server: the stylesheet and script in ../static and the plotly.js that the
plotly package ships. No page loads anything from another origin.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from clusterpath.io.limits import too_deep

from clusterpath.io.errors import InputError
from clusterpath.platform.memberdata import DataProblem
from clusterpath.platform.pages.web import HERE, LoginNeeded, current, login_redirect, render

STATIC = HERE / "static"


def plotly_js() -> Path:
    """The plotly.js bundle inside the installed plotly package: the version its figures are written for."""
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/health", "/static/"))


def _error_page(request: Request, status: int, message: str):
    sessions = request.app.state.sessions
    with sessions() as session:
        who = current(request, session)
    return render(request, "error.html", status=status, title=f"Error {status}", message=message,
                  who=who.user if who else None)  # fmt: skip


def install(app: FastAPI) -> None:
    """Add the pages, their static files and HTML error pages to the app (the API keeps its JSON errors)."""
    from clusterpath.platform.pages.access import router as access_pages
    from clusterpath.platform.pages.account import router as account_pages
    from clusterpath.platform.pages.initiatives import router as initiative_pages
    from clusterpath.platform.pages.transfer import router as transfer_pages
    from clusterpath.platform.pages.views import router

    api_handlers = {kind: app.exception_handlers.get(kind) for kind in (DataProblem, InputError)}

    async def http_error(request: Request, error: StarletteHTTPException):
        if isinstance(error.__cause__, RecursionError):
            # FastAPI's JSON parser gave up on a body nested too deep: say so, as the file readers do.
            error = StarletteHTTPException(422, too_deep("request body").message)
        if not _is_page(request):
            return await http_exception_handler(request, error)
        return _error_page(request, error.status_code, str(error.detail))

    async def data_error(request: Request, error: Exception):
        if not _is_page(request):
            answer = api_handlers[type(error)](request, error)
            return await answer if inspect.isawaitable(answer) else answer
        return _error_page(request, 422, str(error))

    async def login_needed(request: Request, error: LoginNeeded):
        return login_redirect(error.next_url)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(HTTPException, http_error)
    for kind in api_handlers:
        app.add_exception_handler(kind, data_error)
    app.add_exception_handler(LoginNeeded, login_needed)

    bundle = plotly_js()

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_bundle() -> FileResponse:
        return FileResponse(bundle, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        # Browsers ask for it whatever the pages say.
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Before the cluster pages: /clusters/import and /clusters/try are not cluster ids.
    app.include_router(transfer_pages)
    app.include_router(router)
    app.include_router(initiative_pages)
    app.include_router(account_pages)
    app.include_router(access_pages)
