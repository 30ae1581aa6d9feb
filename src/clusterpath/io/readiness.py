"""Is a valid cluster ready to plan under a scenario? The checks `plan` itself runs, without solving.

A cluster file can be valid and still lack what a scenario needs: a price for a fuel it burns, full-load
hours for a renewable lever, a CO2 storage site for capture. The pathway builder finds these while it
builds the model (``pathway.build.PlanningError``); here that same build is run and its message is turned
into one a newcomer can act on: where in the file (line, or sheet, row and column) and the exact field to
add or remove.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from clusterpath.io.errors import InputError, Locate

# Levers whose CO2 goes to storage (pathway/build.py).
CAPTURE_LEVERS = ("carbon_capture", "smr_ccs", "direct_air_capture")
# Per MWh in the scenario's currency by year, as a scenario file writes a trajectory.
EXAMPLE_PRICE = "{2025: 30, 2050: 30}"


def check(cluster, scenario, cluster_source: str, scenario_label: str) -> None:
    """Raise an InputError saying where and how to fix whatever would stop `plan` before it solves.

    ``scenario_label`` is the scenario's file, or the name of the shipped one.
    """
    from clusterpath.pathway.build import NetworkBuilder
    from clusterpath.pathway.errors import PlanningError

    try:
        # One typical day: the checks do not depend on the time resolution, the clustering's cost does.
        NetworkBuilder(cluster, scenario.model_copy(update={"typical_days": 1})).build()
    except PlanningError as error:
        raise explain(error, cluster, scenario, cluster_source, scenario_label) from None


def explain(error: Exception, cluster, scenario, cluster_source: str, scenario_label: str) -> InputError:
    """The builder's message, placed in the user's files and ending with the fix."""
    message = str(error)
    context = _Context(cluster, scenario, cluster_source, scenario_label)
    for pattern, rewrite in _REWRITES:
        found = re.search(pattern, message)
        if found:
            return rewrite(found, context)
    return context.error([message])


class _Context:
    def __init__(self, cluster, scenario, source: str, scenario_label: str) -> None:
        self.cluster, self.levers, self.source, self.label = cluster, scenario.levers, source, scenario_label
        # Where the fix goes: the user's scenario file, or a copy of the shipped one to edit.
        self.scenario = scenario_label
        if not Path(scenario_label).is_file():
            self.scenario = (f"'{scenario_label}' (a shipped one: write a copy to edit with `clusterpath scenarios "
                             f"--export {scenario_label} my-scenario.yaml` and plan with `--scenario my-scenario.yaml`)")

    @cached_property
    def _locate(self) -> Locate | None:
        """Where each field sits in the cluster's file (read again, only when a problem is placed)."""
        from clusterpath.io.read import read_raw

        path = Path(self.source)
        return read_raw(path)[1] if path.is_file() else None

    def place(self, loc: tuple) -> str | None:
        """Where ``loc`` (or the nearest enclosing entry) is in the cluster file, e.g. "sheet 'demands', row 5"."""
        if self._locate is None:
            return None
        return next((place for end in range(len(loc), 0, -1) if (place := self._locate(loc[:end]))), None)

    def at(self, loc: tuple, text: str) -> str:
        place = self.place(loc)
        return f"{_path(loc)}{f' ({place})' if place else ''}: {text}"

    def error(self, problems: list[str]) -> InputError:
        return InputError(f"{self.source} under scenario {self.label}", problems)


def _path(loc: tuple) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else str(k)) for i, k in enumerate(loc))


def _uses(cluster, carrier: str) -> list[tuple[tuple, str]]:
    return [(("members", i, "demands", j), member.id) for i, member in enumerate(cluster.members)
            for j, demand in enumerate(member.demands) if demand.carrier == carrier]  # fmt: skip


def _fuel_price(found: re.Match, ctx: _Context) -> InputError:
    market, fuel = found["market"], found["fuel"]
    why = f"{fuel}, priced as {market}, which has no reference price"
    fix = (f"add `fuel_prices: {{{market}: {EXAMPLE_PRICE}}}` (per MWh in the scenario's currency) to the "
           f"scenario {ctx.scenario}")
    uses = _uses(ctx.cluster, fuel)
    if not uses:
        return ctx.error([f"the plan burns {why}: {fix}"])
    return ctx.error([ctx.at(loc, f"member '{member}' burns {why}: {fix}") for loc, member in uses])


def _renewable(column: str, what: str) -> Callable[[re.Match, _Context], InputError]:
    def rewrite(found: re.Match, ctx: _Context) -> InputError:
        lever = found["lever"]
        index = next(i for i, r in enumerate(ctx.cluster.resources.renewables) if r.type.value == lever)
        reason = f"{found['reason']}; " if found.groupdict().get("reason") else ""
        return ctx.error([ctx.at(("resources", "renewables", index, column),
                                 f"{reason}{lever} needs {column} ({what}) to be planned: fill it in, or remove "
                                 f"`{lever}` from `levers` in the scenario {ctx.scenario}")])  # fmt: skip

    return rewrite


def _storage(found: re.Match, ctx: _Context) -> InputError:
    capture = [f"`{lever}`" for lever in CAPTURE_LEVERS if lever in ctx.levers]
    listed = ", ".join(capture[:-1]) + f" and {capture[-1]}" if len(capture) > 1 else "".join(capture)
    return ctx.error([ctx.at(("resources", "co2_storage"), "carbon capture needs a CO2 storage site: add one under "
                             "resources.co2_storage (sheet 'co2_storage' of the workbook), or remove "
                             f"{listed} from `levers` in the scenario {ctx.scenario}")])  # fmt: skip


def _electricity_price(found: re.Match, ctx: _Context) -> InputError:
    return ctx.error([ctx.at(("grid", "electricity_price"), "the grid's electricity price is needed to plan: give "
                             "grid.electricity_price (per MWh in the cluster's currency by year; sheet 'grid', "
                             "column 'electricity_price', of the workbook), or add `electricity_price: "
                             f"{EXAMPLE_PRICE}` to the scenario {ctx.scenario}")])  # fmt: skip


def _biomass_supply(found: re.Match, ctx: _Context) -> InputError:
    return ctx.error([(f"the scenario's biomass_supply needs a price: add `price: {EXAMPLE_PRICE}` under "
                       f"`biomass_supply`, or `fuel_prices: {{biomass: {EXAMPLE_PRICE}}}`, to the scenario "
                       f"{ctx.scenario} (per MWh in the scenario's currency)")])  # fmt: skip


def _hydrogen(found: re.Match, ctx: _Context) -> InputError:
    uses = _uses(ctx.cluster, "hydrogen")
    fix = f"add `hydrogen_network` to `levers` in the scenario {ctx.scenario}"
    return ctx.error([ctx.at(loc, f"member '{member}' buys hydrogen, which reaches it by the hydrogen network: {fix}")
                      for loc, member in uses] or [fix])  # fmt: skip


# The builder's messages (pathway/build.py) this module knows how to place and fix; others pass unchanged.
_REWRITES: list[tuple[str, Callable[[re.Match, _Context], InputError]]] = [
    (r"fuel_prices\.(?P<market>\w+) is needed to price (?P<fuel>\w+)", _fuel_price),
    (r"resources\.renewables \((?P<lever>\w+)\)\.full_load_hours: (?P<reason>.*)",
     _renewable("full_load_hours", "MWh a year per MW installed at the site, e.g. 950 for PV in Belgium")),
    (r"resources\.renewables \((?P<lever>\w+)\) needs full_load_hours",
     _renewable("full_load_hours", "MWh a year per MW installed at the site, e.g. 950 for PV in Belgium")),
    (r"resources\.renewables \((?P<lever>offshore_wind)\) needs distance_to_shore",
     _renewable("distance_to_shore", "km of submarine cable from the site to the landfall")),
    (r"carbon capture needs a CO2 storage site", _storage),
    (r"grid\.electricity_price of the cluster", _electricity_price),
    (r"biomass_supply needs a price", _biomass_supply),
    (r"buys hydrogen: the scenario must allow the 'hydrogen_network' lever", _hydrogen),
]
