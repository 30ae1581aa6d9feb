"""Pydantic models of a cluster and unit handling at the input boundary."""

from clusterpath.schema.models import (
    Cluster,
    CO2StorageSite,
    Demand,
    EnablingPolicy,
    Grid,
    Location,
    Member,
    ProcessEmission,
    Project,
    RenewablePotential,
    Resources,
    WasteStream,
    WastewaterStream,
)
from clusterpath.schema.vocabulary import ClusterKind, Equipment, Sector, Service

__all__ = [
    "CO2StorageSite",
    "Cluster",
    "ClusterKind",
    "Demand",
    "EnablingPolicy",
    "Equipment",
    "Grid",
    "Location",
    "Member",
    "ProcessEmission",
    "Project",
    "RenewablePotential",
    "Resources",
    "Sector",
    "Service",
    "WasteStream",
    "WastewaterStream",
]
