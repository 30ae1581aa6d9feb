"""The HTTP API (version 1): one router per area, assembled here."""

from fastapi import APIRouter

from clusterpath.platform.api import auth, clusters, data, initiatives, jobs, results, transfer

router = APIRouter(prefix="/api/v1")
for module in (auth, transfer, clusters, data, jobs, results, initiatives):
    router.include_router(module.router)
