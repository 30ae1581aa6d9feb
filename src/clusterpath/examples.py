"""Bundled example clusters; all are illustrative, with fictional members.

Most examples are one YAML file. The industrial estate has hundreds of small tenants,
too many to write by hand, so its file holds only the cluster header and a
``generator`` block: the tenants are drawn from sector archetypes (a CSV table) with a
fixed seed, so every load yields the same cluster.
"""

from __future__ import annotations

import copy
import csv
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from clusterpath.schema import Cluster

_PACKAGE = "clusterpath.data.examples"
_NAMES = ("port-chemicals", "industrial-estate", "hydrogen-hub", "geothermal-park")


def names() -> list[str]:
    return list(_NAMES)


def is_example(name: str) -> bool:
    return name in _NAMES


@cache
def load(name: str) -> Cluster:
    return Cluster.model_validate(_raw(name))


def raw(name: str) -> dict:
    """The example as plain data, members included, ready to be written as YAML."""
    # A copy, so that callers editing it cannot change what ``load`` returns later.
    return copy.deepcopy(_raw(name))


def describe() -> list[dict]:
    rows = []
    for name in _NAMES:
        cluster = load(name)
        rows.append(
            {
                "name": name,
                "title": cluster.name,
                "kind": cluster.kind.value,
                "country": cluster.country,
                "members": len(cluster.members),
                "description": cluster.description,
            }
        )
    return rows


def read_archetypes(filename: str) -> list[dict[str, str]]:
    return list(csv.DictReader(_read_text(filename).splitlines()))


def generate_members(archetypes: list[dict[str, str]], tenants: int, seed: int, noise: float = 0.25) -> list[dict]:
    """``tenants`` members drawn from ``archetypes``; the same arguments give the same members."""
    rng = np.random.default_rng(seed)
    counts = _apportion([float(a["share_of_tenants"]) for a in archetypes], tenants)
    # Shuffled so that ids do not run archetype by archetype.
    drawn = rng.permutation(np.repeat(np.arange(len(archetypes)), counts))
    width = max(3, len(str(tenants)))
    members = []
    for number, index in enumerate(drawn, start=1):
        archetype = archetypes[index]
        jobs = int(rng.integers(int(archetype["jobs_min"]), int(archetype["jobs_max"]), endpoint=True))
        # Mean-one lognormal: tenants vary around the archetype without biasing its total.
        # Plain floats, not numpy scalars, so that raw() can be written with yaml.safe_dump.
        spread = rng.lognormal(mean=-(noise**2) / 2, sigma=noise, size=6).tolist()
        members.append(_tenant(f"t{number:0{width}d}", archetype, jobs, spread))
    return members


def _tenant(member_id: str, a: dict[str, str], jobs: int, spread: list[float]) -> dict:
    def per_job(column: str, factor: float) -> float:
        return float(a[column] or 0) * jobs * factor

    demands = [{"service": "electricity", "carrier": "electricity",
                "final_energy": f"{per_job('electricity_mwh_per_job', spread[1]):.1f} MWh"}]  # fmt: skip
    if a["heat_carrier"]:
        for service, factor in (("heat_low", spread[2]), ("heat_medium", spread[3])):
            useful = per_job(f"{service}_mwh_per_job", factor)
            if useful > 0:
                # Small tenants raise both hot water and process heat in boilers or thermal-oil heaters.
                demands.append(
                    {
                        "service": service,
                        "carrier": a["heat_carrier"],
                        "equipment": "boiler",
                        "efficiency": float(a["heat_efficiency"]),
                        "useful_energy": f"{useful:.1f} MWh",
                    }
                )
    member: dict[str, Any] = {
        "id": member_id,
        "name": f"Tenant {member_id[1:]} ({a['archetype'].replace('_', ' ')})",
        "sector": a["sector"],
        "value_added": int(round(per_job("value_added_per_job", spread[0]), -6)),
        "jobs": jobs,
        "demands": demands,
    }
    waste = per_job("waste_t_per_job", spread[4])
    if waste > 0:
        member["waste"] = [{"kind": a["waste_kind"], "amount": f"{waste:.1f} t", "treatment": a["waste_treatment"]}]
    water = per_job("wastewater_m3_per_job", spread[5])
    if water > 0:
        cod = water * float(a["cod_kg_per_m3"] or 0) / 1000
        member["wastewater"] = [
            {"amount": f"{water:.0f} m3", "cod": f"{cod:.2f} t", "treatment": a["wastewater_treatment"]}
        ]
    return member


def _apportion(shares: list[float], total: int) -> np.ndarray:
    """Whole counts proportional to ``shares`` that add up to ``total`` (largest remainder)."""
    exact = np.asarray(shares) / sum(shares) * total
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


@cache
def _raw(name: str) -> dict:
    if not is_example(name):
        raise KeyError(f"no example '{name}'; examples: {', '.join(_NAMES)}")
    data = yaml.safe_load(_read_text(f"{name}.yaml"))
    generator = data.pop("generator", None)
    if generator:
        archetypes = read_archetypes(generator["archetypes"])
        data["members"] = generate_members(
            archetypes, int(generator["tenants"]), int(generator["seed"]), float(generator.get("noise", 0.25))
        )
    return data


def _read_text(filename: str) -> str:
    return resources.files(_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
