"""A whole cluster in one file on the pages: import one as a new cluster or into a cluster one coordinates,
export it as YAML, JSON or the workbook, and try the pages on a private copy of a bundled example. The forms
call api/transfer.py, so the limits, checks, audit and single transaction are the API's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile

from clusterpath.platform.api import transfer as api
from clusterpath.platform.api.deps import DB, address, coordinator
from clusterpath.platform.memberdata import DataProblem
from clusterpath.platform.pages.views import (
    FORM_ERRORS,
    _clusters_page,
    _in_cluster,
    _members_page,
    _problems_of,
    csrf_guard,
    failed,
)
from clusterpath.platform.pages.web import PAGE_HEADERS, redirect, required

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_guard)])


def _file(file: UploadFile | None) -> UploadFile:
    if file is None or not file.filename:
        raise DataProblem("form", [{"field": "file", "where": None,
                                    "problem": "choose a YAML, JSON or Excel file of the whole cluster"}])  # fmt: skip
    return file


def _problems(error: Exception) -> list[dict]:
    """The form's problems, each placed in the file as well (a cluster file is the whole form)."""
    problems = _problems_of(error)
    if isinstance(error, DataProblem) and error.source != "form":
        problems = [p | {"where": ", ".join(filter(None, (error.source, p["where"])))} for p in problems]
    return problems


def _settings(request: Request):
    return request.app.state.settings, request.app.state.upload_slots


@router.post("/clusters/import")
def import_new(request: Request, session: DB, slug: Annotated[str, Form()] = "",
               file: Annotated[UploadFile | None, File()] = None):  # fmt: skip
    who = required(request, session)
    config, slots = _settings(request)
    try:
        parsed = api._read(_file(file), config, slots)
        made = api.create_from(session, who.caller, parsed, slug.strip() or None, None, config.default_k,
                               address(request), source=parsed.kind)  # fmt: skip
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _clusters_page(request, session, who, status=status, problems=_problems(error))
    return redirect(f"/clusters/{made['slug']}/members")


@router.post("/clusters/try")
def try_example(request: Request, session: DB, example: Annotated[str, Form()] = ""):
    who = required(request, session)
    try:
        made = api.try_example(api.TryExample(example=example), who.caller, session, request.app.state.settings,
                               address(request))  # fmt: skip
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _clusters_page(request, session, who, status=status, problems=_problems_of(error))
    return redirect(f"/clusters/{made['slug']}/members")


@router.post("/clusters/{slug}/import")
def import_into(slug: str, request: Request, session: DB, file: Annotated[UploadFile | None, File()] = None):
    who, context = _in_cluster(request, session, slug)
    coordinator(context)
    config, slots = _settings(request)
    try:
        done = api.import_into(_file(file), context, session, config, address(request), slots)
    except FORM_ERRORS as error:
        status = failed(session, error)
        return _members_page(request, session, who, context, status=status, problems=_problems(error))
    return _members_page(request, session, who, context, imported=done)


@router.get("/clusters/{slug}/export")
def export(slug: str, request: Request, session: DB, format: str = "yaml"):
    who, context = _in_cluster(request, session, slug)
    coordinator(context)
    if format not in api.FORMATS:
        raise HTTPException(404, f"no export as '{format[:20]}': yaml, json or xlsx")
    response = api.export_response(session, context.cluster, who.user.id, address(request), format)
    response.headers.update(PAGE_HEADERS)
    return response
