"""A portfolio: the initiative's clusters of one reporting year, described by ``portfolio.yaml``.

The manifest names the initiative, its reporting year and currency, the exchange rates into
that currency, the default scenario, and the cluster description files. ``load_portfolio``
reads the manifest and every cluster, and reports every problem it finds at once, each
naming the file and the field.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError, field_validator

from clusterpath.io.errors import InputError, from_validation
from clusterpath.io.load import load_cluster, load_scenario, read_raw
from clusterpath.schema import Cluster
from clusterpath.schema.models import CurrencyCode, Identifier, Model, Year
from clusterpath.schema.scenario import Scenario

MANIFEST = "portfolio.yaml"
CACHE = ".cache"


def example_names() -> list[str]:
    """The shipped example portfolios (data/portfolios)."""
    return sorted(p.name for p in _examples_folder().iterdir() if (p / MANIFEST).is_file())


def _resolve(path: str | Path) -> Path:
    path = Path(path)
    return _examples_folder() / str(path) if not path.exists() and str(path) in example_names() else path


class ExchangeRate(Model):
    rate: float = Field(gt=0, allow_inf_nan=False, description="units of the portfolio currency per unit of this one")
    year: Year = Field(description="year the rate is an average of, or was taken")
    source: str = Field(min_length=1, description="publication or data set the rate comes from")


class ClusterEntry(Model):
    file: str = Field(min_length=1, description="cluster description (.yaml, .json, .xlsx), relative to the manifest")
    scenario: str | None = Field(default=None, description="scenario of this cluster; default the portfolio's")
    joined: Year | None = Field(default=None, description="year the cluster joined the initiative")


class Manifest(Model):
    id: Identifier = Field(description="the initiative; year-on-year comparisons need the same id")
    name: str = Field(min_length=1)
    year: Year = Field(description="reporting year of this submission")
    currency: CurrencyCode = Field(description="currency every total is reported in")
    exchange_rates: dict[CurrencyCode, ExchangeRate] = Field(default_factory=dict)
    scenario: str = Field(default="scope-1-net-zero-2050", description="shipped scenario name or file relative to the manifest")
    typical_days: int | None = Field(default=None, ge=1, le=365, description="overrides every scenario's")
    clusters: list[ClusterEntry] = Field(default_factory=list)

    @field_validator("clusters")
    @classmethod
    def _some_clusters(cls, value: list[ClusterEntry]) -> list[ClusterEntry]:
        if not value:
            raise ValueError("lists no clusters: give at least one {file: clusters/NAME.yaml}")
        return value


@dataclass(frozen=True)
class PortfolioCluster:
    """One cluster of the portfolio with the scenario it is planned under."""

    cluster: Cluster
    scenario: Scenario
    file: str  # as the user wrote it in the manifest, for messages
    joined: int | None = None


@dataclass(frozen=True)
class Portfolio:
    manifest: Manifest
    source: str  # the manifest file, for messages
    clusters: list[PortfolioCluster]

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def year(self) -> int:
        return self.manifest.year

    @property
    def currency(self) -> str:
        return self.manifest.currency

    def rate(self, currency: str) -> float:
        """Units of the portfolio currency per unit of ``currency``."""
        if currency == self.currency:
            return 1.0
        return self.manifest.exchange_rates[currency].rate

    def by_id(self) -> dict[str, PortfolioCluster]:
        return {m.cluster.id: m for m in self.clusters}


def load_portfolio(path: str | Path, *, typical_days: int | None = None) -> Portfolio:
    """A portfolio from a folder holding ``portfolio.yaml``, or from such a manifest file itself.

    ``typical_days`` overrides the manifest's and the scenarios' (fewer is faster, coarser).
    """
    path = _resolve(path)
    manifest_path = path / MANIFEST if path.is_dir() else path
    source = str(manifest_path)
    if path.is_dir() and not manifest_path.is_file():
        raise InputError(str(path), [f"the folder has no {MANIFEST}: a portfolio folder holds {MANIFEST} listing its "
                                     "clusters (docs/portfolio.md)"])  # fmt: skip
    if not path.exists():
        raise InputError(source, [f"no such file or folder: give a portfolio folder, its {MANIFEST} or a shipped "
                                  f"example ({', '.join(example_names())})"])
    data, locate = read_raw(manifest_path)
    if not isinstance(data, dict):
        raise InputError(source, [f"expected a portfolio description (a mapping of fields), got {type(data).__name__}"])
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as error:
        raise from_validation(source, error, data, locate) from None
    folder = manifest_path.parent
    days = typical_days or manifest.typical_days
    problems: list[str] = []
    scenarios: dict[str, Scenario | None] = {}  # None: could not be read (reported once)

    def scenario(name: str, where: str) -> Scenario | None:
        if name not in scenarios:
            local = folder / name
            try:
                chosen = load_scenario(local if local.is_file() else name)
            except InputError as error:
                problems.append(f"{where}: {error.message}")
                chosen = None
            scenarios[name] = chosen.model_copy(update={"typical_days": days}) if chosen and days else chosen
        return scenarios[name]

    clusters: list[PortfolioCluster] = []
    first_file: dict[str, str] = {}
    for index, entry in enumerate(manifest.clusters):
        where = f"clusters[{index}]"
        file = folder / entry.file
        if not file.is_file():
            problems.append(f"{where}.file: no such file '{entry.file}' (looked for {file})")
            continue
        try:
            cluster = load_cluster(file)
        except InputError as error:
            problems += [f"{where}.file ({error.source}): {problem}" for problem in error.problems]
            continue
        chosen = scenario(entry.scenario or manifest.scenario, f"{where}.scenario" if entry.scenario else "scenario")
        if cluster.id in first_file:
            problems.append(f"{where}.file: '{entry.file}' has cluster id '{cluster.id}', as "
                            f"'{first_file[cluster.id]}' does: every cluster of a portfolio needs its own id")
            continue
        first_file[cluster.id] = entry.file
        if cluster.currency != manifest.currency and cluster.currency not in manifest.exchange_rates:
            problems.append(f"{where}.file: cluster '{cluster.id}' counts money in {cluster.currency}, the portfolio "
                            f"in {manifest.currency}, and exchange_rates has no {cluster.currency}: add exchange_rates."
                            f"{cluster.currency}: {{rate: <{manifest.currency} per {cluster.currency}>, year: ..., "
                            "source: ...}")  # fmt: skip
        if entry.joined is not None and entry.joined > manifest.year:
            problems.append(f"{where}.joined: {entry.joined} is after the reporting year {manifest.year}")
        if chosen is not None:
            clusters.append(PortfolioCluster(cluster, chosen, entry.file, entry.joined))
    if problems:
        raise InputError(source, problems)
    return Portfolio(manifest, source, clusters)


def default_cache(portfolio: Portfolio, output: Path | None = None) -> Path | None:
    """``.cache`` in the output folder if there is one, else in the portfolio's folder when it can be written.

    A shipped example's folder is part of the installed package: its cache goes to ``out/.cache``.
    """
    if output is not None:
        return output / CACHE
    folder = Path(portfolio.source).parent
    if folder.parent == _examples_folder():
        return Path("out") / CACHE
    return folder / CACHE if os.access(folder, os.W_OK) else None


def _examples_folder() -> Path:
    from importlib import resources

    return Path(str(resources.files("clusterpath.data").joinpath("portfolios")))
