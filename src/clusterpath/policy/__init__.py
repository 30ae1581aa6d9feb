"""Policy instruments (carbon prices, CBAM, credits, grants, contracts for difference, mandates) as data."""

from clusterpath.policy.instruments import (
    KINDS,
    CapitalGrant,
    CarbonCfd,
    CarbonPrice,
    Cbam,
    Instrument,
    ProductionCredit,
    RenewableMandate,
    SequestrationCredit,
    Source,
    Tier,
)
from clusterpath.policy.packs import Pack, known_instruments, load_pack, pack_names
from clusterpath.policy.selection import Selected, resolve

__all__ = [
    "KINDS", "CapitalGrant", "CarbonCfd", "CarbonPrice", "Cbam", "Instrument", "Pack", "ProductionCredit",
    "RenewableMandate", "Selected", "SequestrationCredit", "Source", "Tier", "known_instruments", "load_pack",
    "pack_names", "resolve",
]  # fmt: skip
