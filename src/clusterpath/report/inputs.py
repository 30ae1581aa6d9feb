"""Results already computed, read back for a report: what `plan --json/--out` and `allocate --json-out` wrote.

The layout is the demo's (``make demo``): ``pathway.json`` (the plan's summary), ``pathway/pathway.nc``
(its deployment, optional) and ``allocation.json`` (optional) in one folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from clusterpath.io.errors import InputError
from clusterpath.pathway.result import PathwayResult
from clusterpath.schema import Cluster

SUMMARY = "pathway.json"
DEPLOYMENT = Path("pathway") / "pathway.nc"
ALLOCATION = "allocation.json"
SUMMARY_KEYS = {"status", "objective", "currency", "periods", "emissions_tco2e", "emissions_by_scope_tco2e",
                "member_emissions_tco2e", "capacity", "investment_by_period", "cost_breakdown", "macc"}  # fmt: skip


@dataclass(frozen=True)
class Computed:
    summary: dict
    allocation: dict | None
    result: PathwayResult | None  # the deployment, for sections that need capacities by period


def read(folder: Path, cluster: Cluster) -> Computed:
    """The results in ``folder``, checked to belong to ``cluster``."""
    if not folder.is_dir():
        raise InputError(str(folder), ["no such folder: give the folder `plan --json FOLDER/pathway.json` wrote into"])
    summary = _json(folder / SUMMARY, "run `clusterpath plan CLUSTER --json FOLDER/pathway.json` first")
    missing = sorted(SUMMARY_KEYS - set(summary)) if isinstance(summary, dict) else ["(all)"]
    if missing:
        raise InputError(str(folder / SUMMARY), [f"is not a plan summary: it lacks {', '.join(missing)}"])
    members = {m.id for m in cluster.members}
    planned = set(summary["member_emissions_tco2e"])
    if not planned <= members or summary["currency"] != cluster.currency:
        raise InputError(str(folder / SUMMARY), [
            f"was planned for another cluster (members {', '.join(sorted(planned))}, currency {summary['currency']}), "
            f"not for '{cluster.id}'"])  # fmt: skip
    allocation = None
    if (folder / ALLOCATION).exists():
        allocation = _json(folder / ALLOCATION, "")
        players = set(allocation.get("players", [])) if isinstance(allocation, dict) else set()
        if players != members or not {"allocation", "standalone", "total", "method"} <= set(allocation):
            raise InputError(str(folder / ALLOCATION), [
                f"is not an allocation among the members of '{cluster.id}' (run `clusterpath allocate CLUSTER "
                "--json-out` again)"])  # fmt: skip
    result = None
    if (folder / DEPLOYMENT).exists():
        try:
            result = PathwayResult.from_netcdf(folder / DEPLOYMENT)
        except (OSError, ValueError, KeyError) as problem:
            raise InputError(str(folder / DEPLOYMENT), [f"cannot be read as a plan's results ({problem})"]) from None
    return Computed(summary, allocation, result)


def _json(path: Path, hint: str):
    if not path.is_file():
        raise InputError(str(path), ["is missing" + (f": {hint}" if hint else "")])
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as problem:
        raise InputError(str(path), [f"is not valid JSON ({problem})"]) from None
