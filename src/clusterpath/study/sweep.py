"""SWEEP.yaml: which uncertain inputs vary around a base scenario, and the cases that makes.

A case is the base scenario with some parameters set; its key is a hash of everything that
decides its result (cluster, the case's full scenario, solver options, clusterpath's version),
so results on disk are reused exactly when they would come out the same.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import Field, ValidationError, model_validator

from clusterpath.io import limits
from clusterpath.io.errors import InputError, from_validation
from clusterpath.io.load import load_scenario
from clusterpath.io.read import yaml_locator
from clusterpath.schema import Cluster
from clusterpath.schema.models import Model, Trajectory
from clusterpath.schema.scenario import LEVERS, Prices, Scenario

SCALES = ("carbon_price", "electricity_price")  # a factor on the base trajectory, or trajectories to choose from
CAPEX = "capex"  # factor on every lever's capex; capex.<lever> on one lever's
DISCOUNT = "discount_rate"  # the rate itself
KNOWN = (*SCALES, CAPEX, *(f"{CAPEX}.{lever}" for lever in LEVERS), DISCOUNT)
TRAJECTORY_FIELDS = ("carbon_price", "electricity_price", "grid_emission_factor")
MAX_CASES = 100_000  # a typo such as 1e6 samples should be an error, not a week of solving


class Parameter(Model):
    """One uncertain input: listed values, a distribution (low, high[, mode]) or trajectories."""

    values: list[float] | None = Field(default=None, description="grid levels; in random mode drawn with equal odds")
    trajectories: list[Prices] | None = Field(default=None, description="whole trajectories to choose from")
    distribution: Literal["uniform", "triangular"] | None = None
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)
    mode: float | None = Field(default=None, allow_inf_nan=False, description="peak of a triangular distribution")
    steps: int = Field(default=3, ge=1, description="grid levels between low and high, both included")

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        given = [k for k in ("values", "trajectories") if getattr(self, k) is not None]
        ranged = self.low is not None or self.high is not None or self.distribution is not None
        if len(given) + ranged != 1:
            raise ValueError("give exactly one of: values: [...], trajectories: [...], or low and high "
                             "(with distribution: uniform or triangular)")  # fmt: skip
        for name in given:
            if not getattr(self, name):
                raise ValueError(f"{name} is empty: a parameter needs at least one value, else the sweep has no cases")
        if ranged:
            if self.low is None or self.high is None:
                raise ValueError("a range needs both low and high")
            if self.low > self.high:
                raise ValueError(f"low {self.low} is above high {self.high}")
            if (self.distribution == "triangular") != (self.mode is not None):
                raise ValueError("mode goes with distribution: triangular (and only with it)")
            if self.mode is not None and not self.low <= self.mode <= self.high:
                raise ValueError(f"mode {self.mode} is outside low-high ({self.low}-{self.high})")
        return self

    def numbers(self) -> list[float]:
        """Every number the parameter can take, to check against its allowed range."""
        if self.values is not None:
            return list(self.values)
        if self.trajectories is not None:
            return []
        return [self.low, self.high]

    def levels(self) -> list[float | int]:
        """Grid levels: the values, the trajectories' positions, or ``steps`` even steps from low to high."""
        if self.values is not None:
            return list(self.values)
        if self.trajectories is not None:
            return list(range(len(self.trajectories)))
        if self.steps == 1:
            return [(self.low + self.high) / 2]
        return [float(v) for v in np.linspace(self.low, self.high, self.steps)]

    def draw(self, u: np.ndarray) -> list[float | int]:
        """Values at quantiles ``u`` in [0, 1)."""
        if self.values is not None or self.trajectories is not None:
            options = self.levels()
            return [options[min(int(q * len(options)), len(options) - 1)] for q in u]
        if self.distribution == "triangular" and self.high > self.low:
            from scipy.stats import triang

            width = self.high - self.low
            return [float(v) for v in triang.ppf(u, (self.mode - self.low) / width, loc=self.low, scale=width)]
        return [float(self.low + q * (self.high - self.low)) for q in u]

    def extremes(self) -> tuple[float | int, float | int]:
        """Low and high of the tornado: smallest and largest value, or first and last trajectory."""
        levels = self.levels() if self.distribution is None else [self.low, self.high]
        if self.trajectories is not None:
            return levels[0], levels[-1]
        return min(levels), max(levels)


class SweepSpec(Model):
    base: str = Field(default="scope-1-net-zero-2050", description="shipped scenario name, or a scenario file "
                      "(relative to the sweep file)")  # fmt: skip
    overrides: dict[str, Any] = Field(default_factory=dict, description="scenario fields set for every case")
    method: Literal["grid", "random"] = "grid"
    samples: int | None = Field(default=None, description="cases drawn in random mode")
    seed: int = 0
    tornado: bool = Field(default=True, description="also solve each parameter alone at its low and high")
    parameters: dict[str, Parameter] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        if not self.parameters:
            raise ValueError("no parameters: a sweep needs at least one (" + ", ".join((*SCALES, CAPEX, DISCOUNT)) + ")")
        unknown = [name for name in self.parameters if name not in KNOWN]
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)}: expected {', '.join((*SCALES, DISCOUNT))}, "
                             f"{CAPEX} (every lever) or {CAPEX}.<lever> with a lever of {', '.join(LEVERS)}")  # fmt: skip
        for name, parameter in self.parameters.items():
            if parameter.trajectories is not None and name not in SCALES:
                raise ValueError(f"parameters.{name}: trajectories are for {' and '.join(SCALES)} only")
            bad = [v for v in parameter.numbers() if not (0 <= v < 1 if name == DISCOUNT else v >= 0)]
            if bad:
                allowed = "a rate from 0 to below 1" if name == DISCOUNT else "a factor of 0 or more"
                raise ValueError(f"parameters.{name}: {', '.join(map(str, bad))} is not {allowed}")
        if self.method == "random":
            if self.samples is None:
                raise ValueError("method random needs samples: how many cases to draw")
            if self.samples < 1:
                raise ValueError(f"samples is {self.samples}: the sweep has no cases (give 1 or more)")
        elif self.samples is not None:
            raise ValueError("samples goes with method: random; a grid takes every combination of the levels")
        return self


@dataclass(frozen=True)
class Case:
    values: dict[str, float | int]  # parameter -> value; a parameter left out stays at the base scenario's
    scenario: Scenario
    key: str


@dataclass
class Design:
    """Every case a sweep needs: the sample (grid or random) and the one-at-a-time tornado cases."""

    spec: SweepSpec
    base: Scenario
    samples: list[Case]
    tornado: dict[str, tuple[Case, Case]] = field(default_factory=dict)  # parameter -> (low, high)
    base_case: Case | None = None

    def unique(self) -> list[Case]:
        seen: dict[str, Case] = {}
        for case in [*self.samples, *([self.base_case] if self.base_case else []),
                     *(c for pair in self.tornado.values() for c in pair)]:  # fmt: skip
            seen.setdefault(case.key, case)
        return list(seen.values())


def load_sweep(path: str | Path) -> tuple[SweepSpec, Path]:
    """The sweep file, validated; InputError names the file, the field and its line."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputError(name, ["no such sweep file (a YAML file with base, method and parameters)"])
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = limits.parse_yaml(text, name)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InputError(name, [f"is not valid YAML{where}: {getattr(error, 'problem', None) or error}"]) from None
    if not isinstance(data, dict):
        raise InputError(name, ["expected a sweep (a mapping with base, method and parameters)"])
    try:
        return SweepSpec.model_validate(data), path
    except ValidationError as error:
        raise from_validation(name, error, data, yaml_locator(text)) from None


def base_scenario(spec: SweepSpec, where: Path, typical_days: int | None = None) -> Scenario:
    """The base scenario with the sweep's overrides; every trajectory it is given stays within its horizon."""
    candidate = where.parent / spec.base
    base = load_scenario(candidate if candidate.is_file() else spec.base)
    overrides = dict(spec.overrides) | ({"typical_days": typical_days} if typical_days is not None else {})
    if not overrides:
        return base
    merged = base.model_dump() | overrides
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as error:
        raise from_validation(f"{where}: overrides of scenario '{base.name}'", error, merged) from None
    problems = [_outside(f"overrides.{k}", scenario.periods, getattr(scenario, k)) for k in TRAJECTORY_FIELDS if k in overrides]
    problems += [_outside(f"overrides.fuel_prices.{fuel}", scenario.periods, trajectory)
                 for fuel, trajectory in scenario.fuel_prices.items() if "fuel_prices" in overrides]  # fmt: skip
    if problems := [p for p in problems if p]:
        raise InputError(str(where), problems)
    return scenario


def _outside(what: str, periods: list[int], trajectory: Trajectory | None) -> str | None:
    """A trajectory year outside the planned periods is most likely a typo (2205 for 2025): say so."""
    years = [y for y in (trajectory or {}) if not periods[0] <= y <= periods[-1]]
    if not years:
        return None
    return (f"{what}: year(s) {', '.join(map(str, years))} outside the scenario's horizon "
            f"{periods[0]}-{periods[-1]}; give values for years within it")  # fmt: skip


def design(spec: SweepSpec, where: Path, cluster: Cluster, *, typical_days: int | None = None,
           options: dict | None = None) -> Design:  # fmt: skip
    """Every case of the sweep, validated: bad parameters fail here, before anything is solved or written."""
    base = base_scenario(spec, where, typical_days)
    problems = [_outside(f"parameters.{name}.trajectories[{i}]", base.periods, t)
                for name, p in spec.parameters.items() for i, t in enumerate(p.trajectories or [])]  # fmt: skip
    problems += [f"parameters.{name}: the base scenario '{base.name}' has no {name} to scale; give trajectories, "
                 f"or set {name} in overrides" for name in SCALES  # fmt: skip
                 if name in spec.parameters and spec.parameters[name].trajectories is None
                 and getattr(base, name) is None and not (name == "electricity_price" and cluster.grid.electricity_price)]
    if problems := [p for p in problems if p]:
        raise InputError(str(where), problems)
    names = list(spec.parameters)
    if spec.method == "grid":
        levels = [spec.parameters[n].levels() for n in names]
        count = math.prod(len(level) for level in levels)
        if count > MAX_CASES:
            raise InputError(str(where), [f"the grid has {count:,} cases, above {MAX_CASES:,}: use fewer levels or random"])
        rows = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*levels)]
    else:
        if spec.samples > MAX_CASES:
            raise InputError(str(where), [f"samples {spec.samples:,} is above {MAX_CASES:,}"])
        from scipy.stats import qmc

        # Latin hypercube: every parameter's range is covered evenly even with few samples.
        u = qmc.LatinHypercube(d=len(names), seed=spec.seed).random(spec.samples)
        drawn = {n: spec.parameters[n].draw(u[:, i]) for i, n in enumerate(names)}
        rows = [{n: drawn[n][j] for n in names} for j in range(spec.samples)]
    make = _maker(spec, base, cluster, where, options or {})
    result = Design(spec, base, [make(row) for row in rows])
    if spec.tornado:
        result.base_case = make({})
        for name in names:
            low, high = spec.parameters[name].extremes()
            result.tornado[name] = (make({name: low}), make({name: high}))
    return result


def _maker(spec: SweepSpec, base: Scenario, cluster: Cluster, where: Path, options: dict):
    identity = {"cluster": cluster.model_dump(mode="json"), "options": options, "clusterpath": _version()}

    def make(values: dict[str, float | int]) -> Case:
        scenario = apply(spec, base, cluster, values, where)
        return Case(values, scenario, case_key(identity, scenario))

    return make


def apply(spec: SweepSpec, base: Scenario, cluster: Cluster, values: dict[str, float | int], where: Path) -> Scenario:
    """The base scenario with ``values`` set; factors multiply what the base scenario has."""
    changes: dict[str, Any] = {}
    capex = dict(base.capex_multiplier)
    for name in sorted(values, key=lambda n: (n != CAPEX, n)):  # all levers first, then one lever on top
        value = values[name]
        if name in SCALES:
            parameter = spec.parameters[name]
            if parameter.trajectories is not None:
                changes[name] = dict(parameter.trajectories[int(value)])
            else:
                changes[name] = {year: price * value for year, price in _trajectory(base, cluster, name).items()}
        elif name == DISCOUNT:
            changes[name] = float(value)
        elif name == CAPEX:
            capex = {k: v * value for k, v in capex.items()} | {"*": capex.get("*", 1.0) * value}
        else:
            lever = name.split(".", 1)[1]
            capex[lever] = capex.get(lever, capex.get("*", 1.0)) * value
    # Equal factors are one scenario: drop what changes nothing, so equal cases share a key and are solved once.
    star = capex.get("*", 1.0)
    capex = {k: v for k, v in capex.items() if k != "*" and v != star} | ({"*": star} if star != 1.0 else {})
    if capex != base.capex_multiplier:
        changes["capex_multiplier"] = capex
    if not changes:
        return base
    try:
        return Scenario.model_validate(base.model_dump() | changes)
    except ValidationError as error:
        raise from_validation(f"{where}: case {values}", error, changes) from None


def _trajectory(base: Scenario, cluster: Cluster, name: str) -> dict[int, float]:
    own = getattr(base, name)
    if own is not None:
        return dict(own)
    # The grid price is in the cluster's currency; a scenario's prices are in the scenario's.
    from clusterpath.pathway.catalog import exchange_rate

    fx = exchange_rate(cluster.currency, cluster.base_year) / exchange_rate(base.currency, cluster.base_year)
    return {year: price / fx for year, price in cluster.grid.electricity_price.items()}


def case_key(identity: dict, scenario: Scenario) -> str:
    text = json.dumps(identity | {"scenario": scenario.model_dump(mode="json")}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _version() -> str:
    try:
        return version("clusterpath")
    except PackageNotFoundError:  # run from a source tree without installing
        return "source"
