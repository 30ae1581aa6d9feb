"""Read a cluster description from YAML, JSON or an Excel workbook, or a bundled example.

Every format becomes the same plain data, validated once by ``schema.Cluster``;
errors name the file and the line (or the sheet and row) of each problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from clusterpath.io.errors import InputError, Locate, from_validation
from clusterpath.io.read import EXCEL_SUFFIXES, read_raw, yaml_locator
from clusterpath.schema import Cluster


def load_cluster(source: str | Path) -> Cluster:
    """A cluster from a file path or the name of a bundled example."""
    from clusterpath import examples

    path = Path(source)
    if not path.exists() and examples.is_example(str(source)):
        return examples.load(str(source))
    data, locate = read_raw(path)
    return validate(data, str(path), locate)


def validate(data: Any, source: str, locate: Locate | None = None) -> Cluster:
    if not isinstance(data, dict):
        raise InputError(source, [f"expected a cluster description (a mapping of fields), got {type(data).__name__}"])
    try:
        return Cluster.model_validate(data)
    except ValidationError as error:
        raise from_validation(source, error, data, locate) from None


# Shipped scenarios renamed to say what they cap (issue 15 item 16): the old names still load the new ones.
RENAMED_SCENARIOS = {"net-zero-2050": "scope-1-net-zero-2050", "net-zero-2040": "scope-1-net-zero-2040"}


def scenario_names() -> list[str]:
    from importlib import resources

    folder = resources.files("clusterpath.data").joinpath("scenarios")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_scenario(source: str | Path | None):
    """A scenario from a YAML or JSON file, or the name of a shipped one (default: scope-1-net-zero-2050)."""
    from importlib import resources

    from clusterpath.schema.scenario import Scenario

    source = "scope-1-net-zero-2050" if source is None else source
    path = Path(source)
    if not path.exists() and str(source) in RENAMED_SCENARIOS:
        source = RENAMED_SCENARIOS[str(source)]
    if not path.exists() and str(source) in scenario_names():
        text = resources.files("clusterpath.data").joinpath("scenarios", f"{source}.yaml").read_text("utf-8")
        data, locate, name = yaml.safe_load(text), yaml_locator(text), f"scenario '{source}'"
    else:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            raise InputError(str(path), ["a scenario is a YAML or JSON file, not a workbook"])
        if not path.exists():
            raise InputError(str(path), [f"no such file, and not a scenario name ({', '.join(scenario_names())})"])
        (data, locate), name = read_raw(path), str(path)
    if not isinstance(data, dict):
        raise InputError(name, ["expected a scenario (a mapping of fields such as name, target, periods)"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise from_validation(name, error, data, locate) from None
