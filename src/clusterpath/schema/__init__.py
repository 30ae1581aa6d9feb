"""Pydantic models of a cluster and unit handling at the input boundary."""

from clusterpath.schema.models import (
    Cluster,
    CO2StorageSite,
    Demand,
    Grid,
    Location,
    Member,
    ProcessEmission,
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
    "Equipment",
    "Grid",
    "Location",
    "Member",
    "ProcessEmission",
    "RenewablePotential",
    "Resources",
    "Sector",
    "Service",
    "WasteStream",
    "WastewaterStream",
]
