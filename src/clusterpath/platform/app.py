"""The application factory: database, migrations, job recovery and worker, API, error handling."""

from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from clusterpath.io.errors import InputError
from clusterpath.platform import db
from clusterpath.platform.jobs import Worker, recover
from clusterpath.platform.memberdata import DataProblem
from clusterpath.platform.settings import Settings

logger = logging.getLogger("clusterpath.platform")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
}


class BodyLimit:
    """Refuse a request body above the limit before reading it into memory, declared or streamed."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            response = JSONResponse({"detail": f"the request body is above the {self.limit / 2**20:.1f} MiB limit"},
                                    status_code=413)  # fmt: skip
            await response(scope, receive, send)
            return
        received = 0

        async def limited():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, f"the request body is above the {self.limit / 2**20:.1f} MiB limit")
            return message

        await self.app(scope, limited, send)


class InFlight:
    """At most ``limit`` requests inside the app at once; the others wait here, holding no thread and no
    database connection.

    A request holds one pooled connection from its first query to its end, and needs a worker thread for
    each of its steps (dependencies, endpoint, closing the session). With more requests inside than the
    pool has connections, the threads end up all waiting for a connection while the requests holding
    the connections wait for a thread to finish in: every request then fails on the pool's timeout.
    """

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(limit)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with self.slots:
            await self.app(scope, receive, send)


def _validation(_request: Request, error: RequestValidationError) -> JSONResponse:
    # Without the 'input' pydantic would echo: a password in a rejected login must not come back.
    problems = [{"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]} for item in error.errors()]
    text = "; ".join(f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in problems)
    return JSONResponse({"detail": f"invalid request: {text}", "problems": problems}, status_code=422)


def _data_problem(_request: Request, error: DataProblem) -> JSONResponse:
    return JSONResponse({"detail": error.message, "problems": error.problems}, status_code=422)


def _input_error(_request: Request, error: InputError) -> JSONResponse:
    return JSONResponse({"detail": error.message, "problems": [{"field": None, "where": None, "problem": p}
                                                               for p in error.problems]}, status_code=422)  # fmt: skip


def _conflict(_request: Request, _error: IntegrityError) -> JSONResponse:
    return JSONResponse({"detail": "this conflicts with a change made at the same time: try again"}, status_code=409)


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    logger.error("unexpected error", exc_info=error)
    return JSONResponse({"detail": "internal error: it has been logged"}, status_code=500)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    sessions = db.session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        recovered = recover(sessions, settings)
        if recovered:
            logger.warning("jobs interrupted by a stopped server, queued again or failed: %s", recovered)
        worker = Worker(sessions, settings) if settings.run_worker else None
        app.state.worker = worker
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            app.state.worker = None

    app = FastAPI(title="clusterpath", version=_version(), lifespan=lifespan,
                  description="Plan an industrial cluster's path to net zero together, with each member's data "
                              "visible only to that member and the coordinator. See docs/platform.md.",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)  # fmt: skip
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.worker = None
    app.state.upload_slots = threading.BoundedSemaphore(max(1, settings.upload_parsers))
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DataProblem, _data_problem)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(IntegrityError, _conflict)
    app.add_exception_handler(Exception, _unexpected)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # The multipart envelope around an upload takes a little room of its own.
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + 64 * 1024)
    app.add_middleware(InFlight, limit=db.REQUEST_SLOTS)

    from clusterpath.platform.api import router
    from clusterpath.platform.pages import install

    app.include_router(router)
    install(app)

    @app.get("/health", tags=["service"])
    def health() -> dict:
        return {"status": "ok"}

    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clusterpath")
    except PackageNotFoundError:
        return "0+unknown"
