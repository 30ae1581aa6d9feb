"""Is a valid cluster ready to plan under a scenario? The checks `plan` itself runs, without solving.

A cluster file can be valid and still lack what a scenario needs: a price for a fuel it burns, full-load
hours for a renewable lever, a CO2 storage site for capture. The pathway builder finds these while it
builds the model and raises a ``PlanningError`` that says, as data, what is missing, at which field of which file,
and the fix; here that same build is run and the error is turned into a message a newcomer can act on: where in
the file (line, or sheet, row and column) and the exact field to add or remove.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from clusterpath.io.errors import InputError, Locate
from clusterpath.pathway.errors import EXAMPLE_PRICES, PlanningError, listed


def check(cluster, scenario, cluster_source: str, scenario_label: str) -> None:
    """Raise an InputError saying where and how to fix whatever would stop `plan` before it solves.

    ``scenario_label`` is the scenario's file, or the name of the shipped one.
    """
    from clusterpath.pathway.build import NetworkBuilder

    try:
        # One typical day: the checks do not depend on the time resolution, the clustering's cost does.
        NetworkBuilder(cluster, scenario.model_copy(update={"typical_days": 1})).build()
    except PlanningError as error:
        raise explain(error, cluster, scenario, cluster_source, scenario_label) from None


def explain(error: Exception, cluster, scenario, cluster_source: str, scenario_label: str) -> InputError:
    """The builder's message, placed in the user's files and ending with the fix, from the error's fields."""
    context = _Context(cluster, scenario, cluster_source, scenario_label)
    rewrite = _REWRITES.get(getattr(error, "missing", None))
    return rewrite(error, context) if rewrite else context.error([str(error)])


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


def _fuel_price(error: PlanningError, ctx: _Context) -> InputError:
    market, fuel = error.names["market"], error.names["fuel"]
    why = f"{fuel}, priced as {market}, which has no reference price"
    fix = f"{error.fix} to the scenario {ctx.scenario}"
    uses = _uses(ctx.cluster, fuel)
    if not uses:
        return ctx.error([f"the plan burns {why}: {fix}"])
    return ctx.error([ctx.at(loc, f"member '{member}' burns {why}: {fix}") for loc, member in uses])


def _renewable(what: str) -> Callable[[PlanningError, _Context], InputError]:
    def rewrite(error: PlanningError, ctx: _Context) -> InputError:
        lever, column = error.names["lever"], error.field[-1]
        reason = f"{error.names['reason']}; " if error.names.get("reason") else ""
        return ctx.error([ctx.at(error.field, f"{reason}{lever} needs {column} ({what}) to be planned: "
                                 f"{error.fix} in the scenario {ctx.scenario}")])  # fmt: skip

    return rewrite


def _storage(error: PlanningError, ctx: _Context) -> InputError:
    levers = listed([f"`{lever}`" for lever in error.names["levers"]])
    return ctx.error([ctx.at(error.field, "carbon capture needs a CO2 storage site: add one under "
                             "resources.co2_storage (sheet 'co2_storage' of the workbook), or remove "
                             f"{levers} from `levers` in the scenario {ctx.scenario}")])  # fmt: skip


def _electricity_price(error: PlanningError, ctx: _Context) -> InputError:
    return ctx.error([ctx.at(error.field, "the grid's electricity price is needed to plan: give "
                             "grid.electricity_price (per MWh in the cluster's currency by year; sheet 'grid', "
                             "column 'electricity_price', of the workbook), or add `electricity_price: "
                             f"{EXAMPLE_PRICES}` to the scenario {ctx.scenario}")])  # fmt: skip


def _biomass_supply(error: PlanningError, ctx: _Context) -> InputError:
    return ctx.error([(f"the scenario's biomass_supply needs a price: {error.fix} to the scenario {ctx.scenario} "
                       "(per MWh in the scenario's currency)")])  # fmt: skip


def _biomass_limit(error: PlanningError, ctx: _Context) -> InputError:
    return ctx.error([f"no biomass potential is shipped for {error.names['country']} (biomass_potentials.csv): "
                      f"{error.fix} in the scenario {ctx.scenario}"])


def _hydrogen(error: PlanningError, ctx: _Context) -> InputError:
    uses = _uses(ctx.cluster, "hydrogen")
    fix = f"{error.fix} in the scenario {ctx.scenario}"
    return ctx.error([ctx.at(loc, f"member '{member}' buys hydrogen, which reaches it by the hydrogen network: {fix}")
                      for loc, member in uses] or [fix])  # fmt: skip


# What the builder says is missing (PlanningError.missing) -> how this module places it and says the fix.
_REWRITES: dict[str, Callable[[PlanningError, _Context], InputError]] = {
    "fuel_price": _fuel_price,
    "full_load_hours": _renewable("MWh a year per MW installed at the site, e.g. 950 for PV in Belgium"),
    "distance_to_shore": _renewable("km of submarine cable from the site to the landfall"),
    "co2_storage": _storage,
    "electricity_price": _electricity_price,
    "biomass_price": _biomass_supply,
    "biomass_limit": _biomass_limit,
    "hydrogen_network": _hydrogen,
}
