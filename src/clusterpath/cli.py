"""The `clusterpath` command: thin presentation over the library, no modelling here."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from clusterpath.io import InputError, load_cluster, load_scenario, scenario_names
from clusterpath.pathway import MIP_GAP

EXIT_INFEASIBLE = 3
EXIT_NO_PLAN = 4  # the solver stopped (e.g. at --time-limit) without any plan
DEFAULT_SCENARIO = "scope-1-net-zero-2050"  # what load_scenario(None) gives

app = typer.Typer(
    name="clusterpath",
    help="Plan an industrial cluster's path to net zero together.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

Source = Annotated[str, typer.Argument(help="A cluster file (.yaml, .json, .xlsx) or the name of a bundled example.")]

FULL_YEAR_DAYS = 365  # timeseries.DAYS; the CLI does not import the model to parse its options


def _typical_days(text: str) -> int:
    """--typical-days: a whole number of days from 1 to 365, or 'full' for the chronological year."""
    if text.strip().lower() in ("full", "full-year"):
        return FULL_YEAR_DAYS
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= FULL_YEAR_DAYS:
        raise typer.BadParameter(f"{text!r} is not a number of typical days: give a whole number from 1 to "
                                 f"{FULL_YEAR_DAYS} ({FULL_YEAR_DAYS} is the full year of 8,760 hours, storage "
                                 "chained day by day), or 'full'")  # fmt: skip
    return days


TypicalDaysOption = Annotated[int | None, typer.Option(
    "--typical-days", parser=_typical_days, metavar="DAYS|full",
    help="Typical days per year of every plan: 1-365, or 'full' (= 365) for the full year of 8,760 hours "
         "(docs/timeseries.md); overrides the scenario. Fewer is faster and coarser.")]  # fmt: skip
SegmentsOption = Annotated[int | None, typer.Option(
    "--segments", min=1, max=24, metavar="STEPS",
    help="Time steps per typical day: 24 (hours, the default) or fewer steps of several hours each (tsam "
         "segmentation, docs/timeseries.md); overrides the scenario. Fewer is faster and coarser.")]  # fmt: skip


def user_errors(command: Callable) -> Callable:
    """Turn a user's mistake into a clear message and exit code 2, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as error:
            err.print(f"[bold red]error:[/] {error.message}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(2) from None
        except RuntimeError as error:
            from clusterpath.pathway.coalition import CoalitionSolveError

            if not isinstance(error, CoalitionSolveError):
                raise
            if "time limit" in str(error):
                err.print(f"[bold red]no plan:[/] {error}: allow a longer --time-limit, fewer --typical-days or a "
                          "larger --mip-gap", highlight=False)  # fmt: skip
                raise typer.Exit(EXIT_NO_PLAN) from None
            err.print(f"[bold red]infeasible:[/] {error}. Every group of members must be able to plan on its own: "
                      "use a scenario it can meet (a later target, a carbon price only).", highlight=False)
            raise typer.Exit(EXIT_INFEASIBLE) from None
        except ValueError as error:
            from clusterpath.pathway.errors import PlanningError

            if not isinstance(error, PlanningError):
                raise
            err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except OSError as error:
            where = f" {error.filename}" if error.filename else ""
            err.print(f"[bold red]error:[/] cannot write{where}: {error.strerror or error}", highlight=False)
            raise typer.Exit(2) from None

    return run


def _number(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def _write_json(payload: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)


@app.command()
@user_errors
def inventory(
    source: Source,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the tables as CSV files into this folder.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json-out", help="Also write the JSON object to this file.")] = None,
) -> None:
    """Baseline scope 1 and 2 emissions, energy, value added and jobs of a cluster."""
    from clusterpath.inventory import Inventory

    result = Inventory(load_cluster(source))
    payload = result.to_dict()
    if csv is not None:
        result.write_csv(csv)
    if json_out is not None:
        _write_json(payload, json_out)
    if as_json:
        typer.echo(json.dumps(payload, indent=2, default=str))
        return
    _print_inventory(result, payload)
    for target in (csv, json_out):
        if target is not None:
            out.print(f"Written: {target}")


def _print_inventory(result, payload: dict) -> None:
    c = result.cluster
    t = result.totals
    note = "  [yellow](illustrative data)[/]" if c.illustrative else ""
    out.print(f"[bold]{c.name}[/] ({c.id}), {c.kind.value.replace('_', ' ')} in {c.country}, base year {c.base_year}{note}")
    grid = payload["grid_emission_factor"]
    if grid:
        out.print(f"Grid factor {grid['tco2e_per_mwh']:.3f} tCO2e/MWh ({grid['basis']})", highlight=False)

    summary = Table(title="Cluster baseline", show_header=False)
    summary.add_column(style="bold")
    summary.add_column(justify="right")
    summary.add_row("Scope 1 (combustion, process, wastewater), tCO2e", _number(t["scope1_tco2e"]))
    summary.add_row("  of which process, tCO2e", _number(t["scope1_process_tco2e"]))
    summary.add_row("  of which on-site wastewater, tCO2e", _number(t["scope1_wastewater_tco2e"]))
    summary.add_row("Scope 2 (location-based), tCO2e", _number(t["scope2_tco2e"]))
    summary.add_row("Total scope 1 + 2, tCO2e", _number(t["total_tco2e"]))
    summary.add_row("Biogenic CO2 (memo), t", _number(t["biogenic_co2_t"]))
    summary.add_row("Final energy, GWh", _number(t["energy_mwh"] / 1e3, 1))
    summary.add_row(f"Value added, million {c.currency}", _number(t["value_added"] / 1e6, 1))
    summary.add_row("Jobs", _number(t["jobs"]))
    summary.add_row(f"Intensity, tCO2e per million {c.currency}", _number(t["tco2e_per_million_value_added"], 1))
    out.print(summary)

    for title, frame, key in (("By sector", result.sectors, "sector"), ("By carrier", result.carriers, "carrier")):
        table = Table(title=title)
        for column in (key, "energy GWh", "scope 1 tCO2e", "scope 2 tCO2e", "total tCO2e"):
            table.add_column(column, justify="left" if column == key else "right")
        for name, row in frame.iterrows():
            table.add_row(str(name), _number(row["energy_mwh"] / 1e3, 1), _number(row["scope1_tco2e"]),
                          _number(row["scope2_tco2e"]), _number(row["total_tco2e"]))  # fmt: skip
        out.print(table)

    members = result.members.sort_values("total_tco2e", ascending=False)
    shown = 15
    table = Table(title=f"Members, tCO2e (largest {min(shown, len(members))} of {len(members)})")
    for column in ("id", "sector", "scope 1", "scope 2", "total", "jobs"):
        table.add_column(column, justify="left" if column in ("id", "sector") else "right", no_wrap=True)
    for member_id, row in members.head(shown).iterrows():
        table.add_row(str(member_id), row["sector"], _number(row["scope1_tco2e"]), _number(row["scope2_tco2e"]),
                      _number(row["total_tco2e"]), _number(row["jobs"]))  # fmt: skip
    out.print(table)


@app.command()
@user_errors
def validate(
    source: Source,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario file or shipped name to check the "
                                                 "cluster against, as `plan` would; default scope-1-net-zero-2050.")] = None,
) -> None:
    """Check a cluster description, and that `plan` has all it needs under the scenario; exit code 2 if not.

    Runs the checks `plan` runs while building its model (fuel prices, full-load hours, CO2 storage, ...),
    without solving; each problem names the line, or the sheet, row and column, and the field to add or remove.
    """
    from clusterpath.io import readiness

    cluster = load_cluster(source)
    chosen = load_scenario(scenario)
    demands = sum(len(m.demands) for m in cluster.members)
    with _working(err, f"Checking what plan needs under '{chosen.name}'", False):
        readiness.check(cluster, chosen, source, scenario or DEFAULT_SCENARIO)
    out.print(f"[green]OK[/] {source}: cluster '{cluster.id}' with {len(cluster.members)} members and {demands} "
              f"demands, ready to plan under '{chosen.name}'", highlight=False)


@app.command()
@user_errors
def template(
    path: Annotated[Path, typer.Argument(help="The .xlsx workbook to write.")],
    source: Annotated[
        str | None, typer.Option("--from", help="Fill it with this cluster (a file or an example name).")
    ] = None,
) -> None:
    """Write the documented Excel workbook to fill in (one sheet per table, a README sheet)."""
    from clusterpath.io import xlsx

    if path.suffix.lower() != ".xlsx":
        raise InputError(str(path), ["the template is an Excel workbook: give a file name ending in .xlsx"])
    cluster = load_cluster(source) if source else None
    xlsx.write_template(path, cluster)
    out.print(f"Written: {path}" + (f" (filled with '{cluster.id}')" if cluster else ""))


@app.command()
@user_errors
def examples(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    export: Annotated[
        tuple[str, Path] | None,
        typer.Option("--export", help="Write example NAME to FILE (.yaml, .json or .xlsx).", metavar="NAME FILE"),
    ] = None,
) -> None:
    """List the bundled example clusters (illustrative data), or export one to a file."""
    from clusterpath import examples as registry

    if export is not None:
        _export_example(*export)
        return
    listing = registry.describe()
    if as_json:
        typer.echo(json.dumps(listing, indent=2))
        return
    table = Table(title="Bundled examples (illustrative data)")
    for column in ("name", "cluster", "kind", "country", "members"):
        table.add_column(column, justify="right" if column == "members" else "left")
    for item in listing:
        table.add_row(item["name"], item["title"], item["kind"], item["country"], str(item["members"]))
    out.print(table)
    out.print("Use a name wherever a cluster file is expected, e.g. `clusterpath inventory port-chemicals`.")


def _export_example(name: str, path: Path) -> None:
    from clusterpath import examples as registry

    if not registry.is_example(name):
        raise InputError(name, [f"not an example name (examples: {', '.join(registry.names())})"])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from clusterpath.io import xlsx

        xlsx.write_template(path, registry.load(name))
    elif suffix in {".yaml", ".yml", ".json"}:
        import yaml

        data = registry.raw(name)
        text = json.dumps(data, indent=2) if suffix == ".json" else yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    else:
        raise InputError(str(path), ["give a file name ending in .yaml, .json or .xlsx"])
    out.print(f"Written: {path}")


@app.command()
@user_errors
def plan(
    source: Source,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario file or shipped name "
                                                 "(see `clusterpath scenarios`); default scope-1-net-zero-2050.")] = None,
    target_year: Annotated[int | None, typer.Option("--target-year", help="Year of net zero (overrides the scenario).")] = None,
    typical_days: TypicalDaysOption = None,
    segments: SegmentsOption = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the JSON summary to this file.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write full results (netCDF and CSV) here.")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", min=1, help="Solver time limit, seconds.")] = None,
    mip_gap: Annotated[float, typer.Option("--mip-gap", min=0, max=1, help="Relative MIP gap to stop at.")] = MIP_GAP,
    group_members: Annotated[bool | None, typer.Option("--group-members/--no-group-members", show_default="above 50 members",
                                                       help="Solve members that differ only in size and distance "
                                                            "as one group (docs/model.md).")] = None,
    finance_dir: Annotated[Path | None, typer.Option("--finance", help="Also appraise the plan's projects (as "
                                                     "`clusterpath finance` does, default terms) into finance.json "
                                                     "and yearly cash flows here.")] = None,  # fmt: skip
) -> None:
    """Least-cost pathway to net zero: investments and operation per period, with shared infrastructure.

    Exit codes: 2 bad input, 3 targets that cannot be met, 4 no plan before the solver stopped.
    """
    from rich.status import Status

    from clusterpath.io import readiness
    from clusterpath.pathway.errors import PlanningError
    from clusterpath.pathway.plan import InfeasiblePlan, SolverStopped
    from clusterpath.pathway.plan import plan as make_plan
    from clusterpath.pathway.representation import describe, representation_error

    _quiet_solvers()
    cluster = load_cluster(source)
    chosen = _scenario(scenario, target_year=target_year, typical_days=typical_days, segments=segments)
    for member, carrier in _own_power_of_power_plants(cluster):
        err.print(f"[yellow]note:[/] member '{member}' (sector power) makes electricity from {carrier} as its own "
                  "demand: if the plan closes it, the grid serves that demand. If the plant sells its power, mark "
                  "the demand 'sold: true' with a 'sale_price' (docs/input-format.md).", highlight=False)  # fmt: skip
    labels = {"build": "Building the model", "solve": "Solving with HiGHS", "diagnose": "Finding what cannot be met",
              "baseline": "Costing today's equipment as the baseline",
              "explain": "Reading each lever's reason off the solution"}  # fmt: skip
    with Status("Starting", console=err) as status:
        try:
            result = make_plan(cluster, chosen, time_limit=time_limit, mip_gap=mip_gap, group_members=group_members,
                               step=lambda name: status.update(f"{labels[name]}..."),
                               progress=lambda now: status.update(f"Solving with HiGHS: {now.describe()} "
                                                                  "(Ctrl-C stops with the best plan so far)"))  # fmt: skip
        except InfeasiblePlan as problem:
            status.stop()
            err.print(f"[bold red]infeasible:[/] {cluster.id} under '{chosen.name}': {problem}", highlight=False)
            raise typer.Exit(EXIT_INFEASIBLE) from None
        except SolverStopped as problem:
            status.stop()
            err.print(f"[bold red]no plan:[/] {cluster.id} under '{chosen.name}': {problem}", highlight=False)
            raise typer.Exit(EXIT_NO_PLAN) from None
        except PlanningError as problem:  # as `validate` says it: where in the files, and the field to fix
            status.stop()
            raise readiness.explain(problem, cluster, chosen, source, scenario or DEFAULT_SCENARIO) from None
    if result.status == "user_interrupt":
        err.print("[yellow]note:[/] stopped by Ctrl-C: this is the best plan found so far, not proven within "
                  f"--mip-gap {mip_gap:g} of the least cost.", highlight=False)  # fmt: skip
    summary = result.summary()
    summary["representation_error"] = representation_error(cluster, chosen.typical_days, chosen.segments)
    path = _critical_path(result, cluster, chosen)
    summary["critical_path"] = path.to_dict(orient="records")
    summary["decision_year"] = path.attrs["decision_year"]
    if json_file is not None:
        _write_json(summary, json_file)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        result.to_netcdf(out_dir / "pathway.nc")
        result.to_csv(out_dir)
    if finance_dir is not None:
        from clusterpath.finance.report import finance_report

        _write_finance(finance_report(result), finance_dir / "finance.json", finance_dir / "cash-flows")
    _print_plan(cluster, chosen, result, summary)
    _print_why(summary)
    out.print(describe(summary["representation_error"]), highlight=False)
    _print_critical_path(path, summary["decision_year"])
    for target in (json_file, out_dir, finance_dir):
        if target is not None:
            out.print(f"Written: {target}")


WHY_SHOWN = 12  # levers left out listed by `plan`; the JSON has them all


def _print_why(summary: dict) -> None:
    """Investment by member and period, and one line of reason per lever (pathway/explain.py)."""
    money = f"{summary['currency']} of {summary['price_year']}" if summary.get("price_year") else summary["currency"]
    spent = summary.get("investment_by_member") or {}
    if spent:
        table = Table(title=f"Investment by member and build period, million {money}")
        table.add_column("member")
        for period in summary["periods"]:
            table.add_column(str(period), justify="right")
        for member, row in spent.items():
            table.add_row(member, *(_number(row.get(str(p), 0.0) / 1e6, 2) for p in summary["periods"]))
        out.print(table)
    reasons = summary.get("why_this_plan") or []
    if not reasons:
        return
    out.print(f"[bold]Why this plan[/] (per tonne in {money}; carbon value = carbon price + the cap's shadow price):",
              highlight=False)
    built = [r for r in reasons if r["decision"] == "built"]
    left = [r for r in reasons if r["decision"] != "built"]
    for row in built[:WHY_SHOWN] + left[:WHY_SHOWN]:
        service = f" ({row['service'].replace('_', ' ')})" if row["service"] else ""
        out.print(f"  {row['member']} {row['lever'].replace('_', ' ')}{service}: {row['reason']}", highlight=False)
    more = max(len(built) - WHY_SHOWN, 0) + max(len(left) - WHY_SHOWN, 0)
    if more:
        out.print(f"  ... and {more} more levers (all in the JSON, why_this_plan).", highlight=False)


def _own_power_of_power_plants(cluster) -> list[tuple[str, str]]:
    """Power plants whose fuel-fired electricity is read as their own demand (files from before products were sold)."""
    from clusterpath.schema.models import NON_FUEL_CARRIERS
    from clusterpath.schema.vocabulary import Sector, Service

    return [(m.id, d.carrier) for m in cluster.members if m.sector is Sector.POWER for d in m.demands
            if d.service is Service.ELECTRICITY and d.carrier not in NON_FUEL_CARRIERS and not d.sold]  # fmt: skip


def _scenario(name: str | None, **overrides: Any):
    """A shipped or user scenario with the command line's overrides applied (and validated)."""
    chosen = load_scenario(name)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if not overrides:
        return chosen
    from clusterpath.schema.scenario import Scenario

    return Scenario.model_validate({**chosen.model_dump(), **overrides})


def _print_plan(cluster, scenario, result, summary: dict) -> None:
    # Money of one price year throughout (docs/model.md, 6.8): say which.
    money = f"{cluster.currency} of {summary['price_year']}" if summary.get("price_year") else cluster.currency
    out.print(f"[bold]{cluster.name}[/] under [bold]{scenario.name}[/]: {summary['status']}", highlight=False)
    for note in summary.get("notes", []):
        out.print(f"[yellow]note:[/] {note}", highlight=False)
    if groups := summary["member_groups"]:
        alike = sum(len(members) for members in groups.values())
        out.print(f"{alike} of {len(cluster.members)} members solved as {len(groups)} groups of alike members; "
                  "each member's figures are its share of its group's plan (--no-group-members to solve each alone).")
    costs = Table(title=f"Net present cost, million {money}", show_header=False)
    costs.add_column(style="bold")
    costs.add_column(justify="right")
    for name, value in summary["cost_breakdown"].items():
        costs.add_row(name.replace("_", " "), _number(value / 1e6, 1))
    costs.add_row("total", _number(summary["objective"] / 1e6, 1))
    if summary["baseline_cost"] is not None:
        costs.add_row("today's equipment, no cap", _number(summary["baseline_cost"] / 1e6, 1))
    out.print(costs)
    scopes = summary["emissions_by_scope_tco2e"]
    table = Table(title="Emissions, tCO2e per year")
    for column in ("period", "scope 1", "scope 2", "total"):
        table.add_column(column, justify="right")
    for period in summary["periods"]:
        key = str(period)
        table.add_row(key, _number(scopes.get("scope1", {}).get(key, 0.0)), _number(scopes.get("scope2", {}).get(key, 0.0)),
                      _number(summary["emissions_tco2e"][key]))  # fmt: skip
    out.print(table)
    grid = summary["grid_factor"]
    if grid["basis"]:
        factors = ", ".join(f"{p}: {v:.3f}" for p, v in grid["tco2e_per_mwh"].items())
        out.print(f"Grid factor of scope 2, tCO2e/MWh: {factors} ({grid['basis']})", highlight=False)
    last = summary["periods"][-1]
    levers = result.levers_used()
    if not levers.empty:
        table = Table(title=f"Main investments standing in {last} (capacity)")
        for column in ("where", "lever", "capacity"):
            table.add_column(column, justify="right" if column == "capacity" else "left")
        units = result.units.groupby(["node", "lever"])["capacity_unit"].first()
        top = levers[last].sort_values(ascending=False)
        top = top[~top.index.get_level_values("lever").isin(["today"])].head(15)
        for (node, lever), value in top.items():
            where = "shared" if node.startswith("@") else node
            table.add_row(where, lever.replace("_", " "), f"{_number(value, 1)} {units.get((node, lever), 'MW')}")
        out.print(table)


GameSource = Annotated[str, typer.Argument(help="A game file (.json with 'players' and 'costs'), or a cluster "
                                                 "(file or bundled example name).")]  # fmt: skip
ScenarioOption = Annotated[str | None, typer.Option("--scenario", help="Scenario file or shipped name (clusters only).")]
WorkersOption = Annotated[int | None, typer.Option("--workers", min=1, help="Local processes solving coalitions "
                                                   "(default: one per CPU).")]  # fmt: skip
GapOption = Annotated[float, typer.Option("--mip-gap", min=0, max=1, help="Relative MIP gap of every coalition's "
                                          "plan; keep it well below the collaboration dividend.")]  # fmt: skip
JsonOutOption = Annotated[Path | None, typer.Option("--json-out", help="Also write the JSON object to this file.")]
CoalitionTimeOption = Annotated[float | None, typer.Option("--time-limit", min=1, help="Solver time limit of each "
                                                         "coalition's plan, seconds.")]  # fmt: skip
SchedulerOption = Annotated[str | None, typer.Option("--scheduler", help="Address of a running Dask scheduler to "
                                                     "solve coalitions on, e.g. tcp://10.0.0.5:8786.")]  # fmt: skip


def _game(source: str, scenario: str | None, typical_days: int | None, workers: int | None, scheduler: str | None,
          mip_gap: float = MIP_GAP, time_limit: float | None = None, on_solved: Callable[[int], None] | None = None):  # fmt: skip
    """A game file, or the cost game of a cluster's members (c(S) from the pathway model)."""
    path = Path(source)
    if path.suffix.lower() == ".json" and path.is_file():
        try:
            is_game = "players" in json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError, TypeError):
            is_game = True  # let the game reader say what is wrong, with the line
        if is_game:
            from clusterpath.coalition import load_game

            return load_game(path), None
    cluster = load_cluster(source)
    if len(cluster.members) < 2:
        raise InputError(source, ["a cluster needs at least two members to share anything"])
    chosen = _scenario(scenario, typical_days=typical_days)
    return _cluster_game(cluster, chosen, workers, scheduler, mip_gap, time_limit, on_solved), cluster


def _cluster_game(cluster, chosen, workers, scheduler, mip_gap, time_limit, on_solved=None):
    from clusterpath.coalition.cluster_game import ClusterGame
    from clusterpath.pathway.build import NetworkBuilder
    from clusterpath.pathway.groups import AUTO_GROUP_MEMBERS, group, member_groups

    full = NetworkBuilder(cluster, chosen).build()
    # As `plan` does: a large cluster's alike members are solved as groups; the players stay the members.
    network = full
    if len(cluster.members) > AUTO_GROUP_MEMBERS:
        network = group(full, member_groups(full))
    return ClusterGame(network, full=full, workers=workers, scheduler=scheduler, mip_gap=mip_gap, source=cluster.id,
                       time_limit=time_limit, on_solved=on_solved)  # fmt: skip


def _quiet_solvers() -> None:
    """linopy announces changes of its defaults; the model aligns by label either way."""
    import logging
    import warnings

    import linopy

    logging.getLogger("linopy").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="linopy")
    warnings.filterwarnings("ignore", category=linopy.LinopySemanticsWarning)


BASES = {"standalone": "stand-alone cost", "emissions": "baseline emissions, scope 1 and 2",
         "use": "own spending, and the hub's in proportion to use of shared infrastructure"}


def _weights(game, cluster, by: str) -> dict[str, float] | None:
    if by == "standalone":
        return None
    if cluster is None:
        raise InputError(game.source, [f"--by {by} needs a cluster; a game file has only costs (use --by standalone)"])
    from clusterpath.inventory import Inventory

    return Inventory(cluster).members["total_tco2e"].reindex(list(game.players)).fillna(0.0).to_dict()


@app.command()
@user_errors
def allocate(
    source: GameSource,
    method: Annotated[str, typer.Option("--method", help="shapley, nucleolus, least-core, scrb, proportional or dual.")],
    samples: Annotated[int | None, typer.Option("--samples", help="Sample Shapley with this many permutations.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed of sampled Shapley.")] = None,
    by: Annotated[str, typer.Option("--by", help="Proportional to: standalone (cost), emissions (baseline scope 1+2) "
                                                 "or use (of shared infrastructure: own spending plus the hub's by "
                                                 "use); the last two for clusters only.")] = "standalone",
    check_core: Annotated[bool, typer.Option("--check-core", help="For a cluster: solve every coalition (up to 15 "
                                                                  "members) to test the core.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
    json_out: JsonOutOption = None,
    scenario: ScenarioOption = None,
    typical_days: TypicalDaysOption = None,
    mip_gap: GapOption = MIP_GAP,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    time_limit: CoalitionTimeOption = None,
) -> None:
    """Split the cost of the grand coalition among players, and test whether the split is stable (in the core)."""
    from clusterpath.coalition import allocate as split

    _quiet_solvers()
    if by not in BASES:
        raise InputError("--by", [f"'{by}' is not a basis: expected {', '.join(BASES)}"])
    rule = "use" if method == "proportional" and by == "use" else method
    with _coalitions(as_json, f"Allocating by {method}: coalition plans solved") as (advance, _):
        game, cluster = _game(source, scenario, typical_days, workers, scheduler, mip_gap, time_limit, advance)
        try:
            options: dict[str, Any] = {"samples": samples, "seed": seed}
            if rule == "proportional":
                options["weights"] = _weights(game, cluster, by)
            result = split(game, rule, check_core=check_core, **options)
        finally:
            if cluster is not None:
                game.close()
    payload = result.to_dict() | ({"currency": cluster.currency} if cluster is not None else {})
    if method == "proportional":
        payload |= {"method": "proportional", "basis": BASES[by]}
    if cluster is not None and (note := _gap_note(sum(result.standalone.values()), result.total, mip_gap)):
        payload["gap_note"] = note
        err.print(f"[yellow]note:[/] {note}", highlight=False)
    if json_out is not None:
        _write_json(payload, json_out)
    if as_json:
        out.print_json(json.dumps(payload, default=str))
        return
    _print_allocation(payload, cluster.currency if cluster is not None else "")


def _gap_note(alone: float, together: float, mip_gap: float) -> str | None:
    """Each plan may sit up to the MIP gap above its optimum: a smaller dividend is not resolved."""
    share = (alone - together) / alone if alone else 0.0
    if mip_gap <= 0 or abs(share) >= mip_gap:
        return None
    return (f"the collaboration dividend ({100 * share:.2f} % of the stand-alone costs) is within the solver's "
            f"optimality gap ({100 * mip_gap:g} %): savings that small are not resolved; re-run with a smaller "
            "--mip-gap")


def _working(console: Console, label: str, silent: bool):
    from contextlib import nullcontext

    from rich.status import Status

    return nullcontext() if silent else Status(f"{label}...", console=console)


@contextmanager
def _coalitions(silent: bool, label: str):
    """A progress line counting the coalition plans solved; yields (advance, set_total)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=silent) as progress:
        task = progress.add_task(label, total=None)
        yield (lambda n: progress.advance(task, n)), (lambda total: progress.update(task, total=total))


def _print_allocation(payload: dict, currency: str) -> None:
    # A cluster's costs run to billions: show them in millions so the columns stay readable.
    scale, unit = (1e6, f" million {currency}") if abs(payload["total"]) >= 1e7 else (1.0, f" ({currency})" if currency else "")
    table = Table(title=f"Allocation by {payload['method']} of c(N) = {_number(payload['total'] / scale, 2)}{unit}")
    for column in ("player", "allocated", "alone", "saving", "saving %"):
        table.add_column(column, justify="left" if column == "player" else "right")
    if "ci95" in payload:
        table.add_column("± 95 %", justify="right")
    for player in payload["players"]:
        alone, share = payload["standalone"][player], payload["allocation"][player]
        row = [player, _number(share / scale, 2), _number(alone / scale, 2), _number((alone - share) / scale, 2),
               _number(100 * (alone - share) / alone, 1) if alone else "-"]  # fmt: skip
        if "ci95" in payload:
            row.append(_number(payload["ci95"][player] / scale, 2))
        table.add_row(*row)
    out.print(table)
    out.print(_core_line(payload), highlight=False)


def _core_line(payload: dict) -> str:
    if payload["in_core"] is True:
        return "In the core: no group of players would do better on its own."
    if payload["in_core"] is False:
        who = ", ".join(payload["blocking_coalition"])
        return f"Not in the core: {{{who}}} pays {_number(payload['violation'], 2)} more than on its own."
    hint = " Use --check-core to solve them all (up to 15 members)." if "currency" in payload else ""
    return f"Core {payload.get('core_note', 'not tested')}.{hint}"


@app.command()
@user_errors
def collaborate(
    source: Source,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    exact_up_to: Annotated[int, typer.Option("--exact-up-to", min=2, max=15, help="Solve every coalition (exact "
                                             "Shapley, nucleolus, core test) up to this many members.")] = 10,
    samples: Annotated[int, typer.Option("--samples", min=4, help="Permutations for sampled Shapley above "
                                         "--exact-up-to members.")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of sampled Shapley.")] = 0,
    json_out: JsonOutOption = None,
    scenario: ScenarioOption = None,
    typical_days: TypicalDaysOption = None,
    mip_gap: GapOption = MIP_GAP,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    time_limit: CoalitionTimeOption = None,
    explain: Annotated[list[str] | None, typer.Option("--explain", metavar="MEMBER", help="Explain this member's "
                       "share (repeat for more): alone and together, the levers behind its saving, marginal cost "
                       "by coalition size, binding coalitions, who would leave, and how its share moves with its "
                       "demand and the electricity price (docs/allocation.md).")] = None,
    sensitivity: Annotated[bool, typer.Option("--sensitivity/--no-sensitivity", help="With --explain: re-solve "
                           "every coalition with the member's demand and the electricity price 10 % higher "
                           "(up to 5 members).")] = True,
) -> None:
    """What planning together is worth against each member alone, how each rule splits it, and whether it holds."""
    from clusterpath.coalition.collaboration import collaborate as compare

    _quiet_solvers()
    with _coalitions(as_json, f"Solving the coalitions of {source}") as (advance, total):
        game, cluster = _game(source, scenario, typical_days, workers, scheduler, mip_gap, time_limit, advance)
        if cluster is None:
            raise InputError(source, ["collaborate needs a cluster; for a game file use `clusterpath allocate`"])
        unknown = [m for m in explain or [] if m not in game.players]
        if unknown:
            game.close()
            raise InputError("--explain", [f"'{m}' is not a member of {cluster.id} (members: "
                                           f"{', '.join(game.players)})" for m in unknown])  # fmt: skip
        if len(game.players) <= exact_up_to:
            total(2 ** len(game.players) - 1)  # every coalition; above, sampled Shapley's count is not known ahead
        try:
            report = compare(game, cluster, exact_up_to=exact_up_to, samples=samples, seed=seed, explain=explain or [])
        finally:
            game.close()
    if explain:
        chosen = _scenario(scenario, typical_days=typical_days)
        with _working(err, "Re-solving the coalitions with a demand and a price 10 % higher", as_json):
            _share_sensitivity(report, cluster, chosen, sensitivity, workers, scheduler, mip_gap, time_limit)
    if note := _gap_note(sum(report["standalone"].values()), report["together"], mip_gap):
        report["gap_note"] = note
        err.print(f"[yellow]note:[/] {note}", highlight=False)
    if json_out is not None:
        _write_json(report, json_out)
    if as_json:
        out.print_json(json.dumps(report, default=str))
        return
    _print_collaboration(report)
    for member in explain or []:
        _print_explanation(report["explanations"][member], report["currency"])


def _share_sensitivity(report, cluster, chosen, enabled, workers, scheduler, mip_gap, time_limit) -> None:
    """Each explained member's share under its split, with its demand or the power price 10 % higher (re-solved)."""
    from functools import cache

    from clusterpath.coalition import allocate
    from clusterpath.coalition.explain import CHANGE, demand_changed, electricity_price_changed, share_sensitivity

    @cache
    def split(method: str, member: str | None) -> dict | None:
        """The split re-solved with ``member``'s demand higher, or with the power price higher (member None)."""
        changed, scenario = cluster, chosen
        if member is None:
            scenario = electricity_price_changed(cluster, chosen, 1 + CHANGE)
            if scenario is None:
                return None
        else:
            changed = demand_changed(cluster, member, 1 + CHANGE)
        game = _cluster_game(changed, scenario, workers, scheduler, mip_gap, time_limit)
        try:
            return allocate(game, method).allocation
        finally:
            game.close()

    for member, why in report["explanations"].items():
        if not enabled:
            why["sensitivity"] = {"note": "skipped (--no-sensitivity)"}
            continue
        variants = {f"own demand +{CHANGE:.0%}": lambda m=member, w=why: split(w["method"], m),
                    f"electricity price +{CHANGE:.0%}": lambda w=why: split(w["method"], None)}  # fmt: skip
        why["sensitivity"] = share_sensitivity(member, why["pays"], variants, len(report["players"]))


def _print_explanation(why: dict, money: str) -> None:
    """One member's explanation (coalition/explain.py), in millions."""
    def m(value: float) -> str:
        return _number(value / 1e6, 2)

    out.print(f"\n[bold]Why {why['member']} pays what it pays[/] ({why['method']} split): alone "
              f"{m(why['alone'])}, together {m(why['pays'])} million {money}, a saving of {m(why['saving'])} "
              "million.", highlight=False)  # fmt: skip
    if why.get("levers"):
        table = Table(title=f"Where its saving comes from, million {money}", box=box.SIMPLE_HEAD)
        for column in ("lever", "alone", "together", "saving"):
            table.add_column(column, justify="left" if column == "lever" else "right", overflow="fold")
        for row in why["levers"]:
            table.add_row(row["lever"], m(row["alone"]), m(row["together"]), m(row["saving"]))
        out.print(table)
    if "shapley_marginal_by_size" in why:
        sizes = "; ".join(f"joining {r['joins_size']} other{'s' if r['joins_size'] != 1 else ''}: "
                          f"{m(r['mean_marginal_cost'])}" for r in why["shapley_marginal_by_size"])  # fmt: skip
        out.print(f"Average cost it adds, by size of the coalition it joins (Shapley is their mean): {sizes}.",
                  highlight=False)
        binding = ", ".join("{" + ", ".join(c["members"]) + f"}} margin {m(c['margin'])}"
                            for c in why["binding_coalitions"])  # fmt: skip
        out.print(f"Closest to leaving among its coalitions (binding for the nucleolus and least core): {binding}.",
                  highlight=False)
        if why["would_leave"]:
            groups = ", ".join("{" + ", ".join(c["members"]) + f"}} by {m(-c['margin'])}" for c in why["would_leave"])
            out.print(f"[yellow]{why['groups_better_off_alone']} group(s) would be better off alone:[/] {groups} "
                      f"million {money}.", highlight=False)
        else:
            out.print("No group of members would be better off alone under this split.", highlight=False)
    else:
        out.print(f"Coalitions: {why['coalitions_note']}.", highlight=False)
    sensitivity = why.get("sensitivity", {})
    if "changes" in sensitivity:
        moves = "; ".join(f"{r['change']}: " + (f"{'+' if r['difference'] >= 0 else ''}{m(r['difference'])} million"
                                                 if "difference" in r else r["note"]) for r in sensitivity["changes"])
        out.print(f"Its share if (re-solved): {moves}.", highlight=False)
    elif sensitivity:
        out.print(f"Sensitivity: {sensitivity['note']}.", highlight=False)


RULE_HEADERS = {"proportional": "propor-\ntional", "nucleolus": "nucleo-\nlus", "least-core": "least-\ncore",
                "shapley": "Shap-\nley"}  # fmt: skip


def _print_collaboration(report: dict) -> None:
    money = report["currency"]
    out.print(f"Together: {_number(report['together'] / 1e6, 1)} million {money}; each member alone: "
              f"{_number(sum(report['standalone'].values()) / 1e6, 1)} million. Collaboration dividend "
              f"[bold]{_number(report['dividend'] / 1e6, 1)} million {money}[/] "
              f"({_number(100 * report['dividend_share'], 1)} %).", highlight=False)  # fmt: skip
    rules = report["rules"]
    # Seven rules side by side fit 80 columns without vertical rules and with long names broken.
    table = Table(title=f"Saving of each member against going alone, million {money}", box=box.SIMPLE_HEAD,
                  padding=(0, 0, 0, 1), pad_edge=False)  # fmt: skip
    table.add_column("member", overflow="fold", min_width=12)
    table.add_column("alone", justify="right", no_wrap=True)
    for name in rules:
        table.add_column(RULE_HEADERS.get(name, name), justify="right", no_wrap=True)
    values = [report["standalone"][m] for m in report["players"]]
    values += [rule["savings"][m] for rule in rules.values() for m in report["players"]]
    # Hundredths of a million where the figures are small; fewer digits as they grow, so each fits 7 characters.
    largest = max((abs(v) for v in values), default=0.0) / 1e6
    digits = 2 if largest < 100 else 1 if largest < 10_000 else 0
    for member in report["players"]:
        table.add_row(member, _number(report["standalone"][member] / 1e6, digits),
                      *(_number(rule["savings"][member] / 1e6, digits) for rule in rules.values()))  # fmt: skip
    stable = {True: "yes", False: "no", None: "-"}
    table.add_row("[bold]in the core[/]", "", *(stable[rule["in_core"]] for rule in rules.values()))
    out.print(table)
    if None in (rule["in_core"] for rule in rules.values()):
        out.print("In the core '-': not tested.", highlight=False)
    if report.get("core_split"):
        out.print(f"Who pays what: the {report['core_split']} split, which is in the core (no group of members "
                  "would do better on its own).", highlight=False)
    elif any(rule["in_core"] is False for rule in rules.values()):
        out.print("No split here is known to be in the core: under each, some group would do better on its own "
                  "(--explain MEMBER says which and by how much).", highlight=False)
    assets = Table(title=f"Where the saving comes from (net present cost, million {money})")
    for column in ("lever", "together", "members alone", "saving"):
        assets.add_column(column, justify="left" if column == "lever" else "right")
    for row in report["levers"][:15]:
        assets.add_row(row["lever"], _number(row["together"] / 1e6, 2), _number(row["alone"] / 1e6, 2),
                       _number(row["saving"] / 1e6, 2))  # fmt: skip
    out.print(assets)
    out.print(f"{report['coalitions_solved']} coalition plans solved.", highlight=False)


@app.command()
@user_errors
def finance(
    source: Source,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario file or shipped name.")] = None,
    typical_days: TypicalDaysOption = None,
    terms: Annotated[Path | None, typer.Option("--finance", help="Financing terms (YAML/JSON): default, members, "
                                               "projects; see docs/finance.md. Default: all equity at the plan's "
                                               "discount rate, no tax.")] = None,  # fmt: skip
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    json_out: JsonOutOption = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write each project's yearly cash flows as CSV here.")] = None,
    mip_gap: Annotated[float, typer.Option("--mip-gap", min=0, max=1, help="Relative MIP gap of the plan.")] = MIP_GAP,
) -> None:
    """Project finance of the plan: NPV, IRR, payback, levelized costs and funding gap per project and member."""
    from clusterpath.finance.financing import FinanceAssumptions
    from clusterpath.finance.report import finance_report

    _quiet_solvers()
    cluster = load_cluster(source)
    chosen = _scenario(scenario, typical_days=typical_days)
    assumptions = None
    result = _solved_plan(cluster, chosen, mip_gap, as_json)
    if terms is not None:
        assumptions = FinanceAssumptions.from_file(terms, float(result.data["discount_rate"]))
    report = finance_report(result, assumptions)
    payload = _write_finance(report, json_out, csv)
    if as_json:
        out.print_json(json.dumps(payload, default=str))
        return
    _print_finance(report, cluster.name)


def _write_finance(report: dict, json_out: Path | None, csv: Path | None) -> dict:
    """The report as JSON (without the yearly tables) and each project's yearly cash flows as CSV."""
    payload = {k: v for k, v in report.items() if k != "tables"}
    if json_out is not None:
        _write_json(payload, json_out)
    if csv is not None:
        csv.mkdir(parents=True, exist_ok=True)
        for name, table in report["tables"].items():
            table.to_csv(csv / f"{name.replace(':', '-')}.csv")
    return payload


def _solved_plan(cluster, chosen, mip_gap: float, silent: bool, *, baseline: bool = False,
                 time_limit: float | None = None):  # fmt: skip
    """The cluster's plan, by default without its business-as-usual baseline; exit 3 or 4 when there is none."""
    from clusterpath.pathway.plan import InfeasiblePlan, SolverStopped
    from clusterpath.pathway.plan import plan as make_plan

    try:
        with _working(err, "Planning", silent):
            return make_plan(cluster, chosen, mip_gap=mip_gap, baseline=baseline, time_limit=time_limit)
    except InfeasiblePlan as problem:
        err.print(f"[bold red]infeasible:[/] {cluster.id} under '{chosen.name}': {problem}", highlight=False)
        raise typer.Exit(EXIT_INFEASIBLE) from None
    except SolverStopped as problem:
        err.print(f"[bold red]no plan:[/] {cluster.id} under '{chosen.name}': {problem}", highlight=False)
        raise typer.Exit(EXIT_NO_PLAN) from None


def _levelized(product: str, cost: float) -> str:
    """'hydrogen_mwh' -> 'hydrogen 80.1/MWh', 'co2_t' -> 'co2 42.6/t'."""
    name, _, unit = product.rpartition("_")
    return f"{name} {_number(cost, 1)}/{'MWh' if unit == 'mwh' else unit}"


def _print_finance(report: dict, name: str) -> None:
    money = report["currency"]
    table = Table(title=f"Projects of {name} ({money}, base year {report['base_year']})")
    for column in ("project", "NPV", "IRR", "payback (y)", "levelized cost", "per tCO2e", "funding gap"):
        table.add_column(column, justify="left" if column == "project" else "right")
    for p in report["projects"]:
        levelized = "; ".join(_levelized(product, figures["cost"]) for product, figures in p["levelized"].items())
        table.add_row(p["project"], _number(p["npv"]), "-" if p["irr"] is None else f"{p['irr']:.1%}",
                      _number(p["payback_years"], 1), levelized or "-", _number(p["abatement_cost_per_t"], 1),
                      _number(p["funding_gap"]["grant"]))  # fmt: skip
    out.print(table)
    for p in report["projects"]:
        if p["irr_note"] and p["irr_roots"]:
            out.print(f"{p['project']}: {p['irr_note']}", highlight=False)
    members = Table(title=f"By member ({money})")
    for column in ("member", "investment", "NPV", "equity NPV", "funding gap", "tCO2e abated"):
        members.add_column(column, justify="left" if column == "member" else "right")
    for member, row in report["members"].items():
        members.add_row(member, _number(row["investment"]), _number(row["npv"]), _number(row["equity_npv"]),
                        _number(row["funding_gap_grant"]), _number(row["abated_tco2e"]))  # fmt: skip
    out.print(members)


@app.command()
@user_errors
def fund(
    source: Source,
    budget: Annotated[float, typer.Option("--budget", help="Public money to award, in the cluster's currency "
                                          "(real, base year), paid as a share of each project's investment.")],
    objective: Annotated[str, typer.Option("--objective", help="abatement: most tCO2e abated by the target year; "
                                           "leverage: most private capital mobilized.")] = "abatement",
    max_share: Annotated[float | None, typer.Option("--max-share", help="Most a grant may pay of a project's "
                                                    "investment, in (0, 1]. Default: the share of the scenario's "
                                                    "capital grant (its levers only), else 0.6 (EU Innovation "
                                                    "Fund).")] = None,  # fmt: skip
    project_cap: Annotated[float | None, typer.Option("--project-cap",
                                                     help="Most grant money one project may get.")] = None,
    member_cap: Annotated[float | None, typer.Option("--member-cap", help="Most grant money one member (or the "
                                                     "shared hub) may get in all.")] = None,  # fmt: skip
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario file or shipped name.")] = None,
    typical_days: TypicalDaysOption = None,
    terms: Annotated[Path | None, typer.Option("--finance", help="Financing terms (YAML/JSON), as for "
                                               "`clusterpath finance`.")] = None,  # fmt: skip
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    json_out: JsonOutOption = None,
    mip_gap: Annotated[float, typer.Option("--mip-gap", min=0, max=1, help="Relative MIP gap of the plan.")] = MIP_GAP,
    time_limit: Annotated[float | None, typer.Option("--time-limit", min=1, help="Time limit of the funding "
                                                     "solve, seconds.")] = None,  # fmt: skip
) -> None:
    """Which projects a public budget should support, and with how much, to abate most or mobilize most capital.

    Exit codes: 2 bad input, 3 a plan that cannot meet its targets, 4 no plan or no selection before the solver stopped.
    """
    from clusterpath.finance import funding
    from clusterpath.finance.financing import FinanceAssumptions

    problems = []
    if not math.isfinite(budget) or budget < 0:
        problems.append(("--budget", f"{budget:g} is not an amount of money: give 0 or more"))
    if objective not in funding.OBJECTIVES:
        expected = " or ".join(funding.OBJECTIVES)
        problems.append(("--objective", f"'{objective}' is not an objective: expected {expected}"))
    if max_share is not None and not (math.isfinite(max_share) and 0 < max_share <= 1):
        problems.append(("--max-share", f"{max_share:g} is outside (0, 1]: a grant pays a share of the investment"))
    for flag, cap in (("--project-cap", project_cap), ("--member-cap", member_cap)):
        if cap is not None and not (math.isfinite(cap) and cap >= 0):
            problems.append((flag, f"{cap:g} is not an amount of money: give 0 or more"))
    if problems:
        if len(problems) == 1:
            raise InputError(*problems[0][:1], [problems[0][1]])
        raise InputError("options", [f"{flag}: {text}" for flag, text in problems])
    _quiet_solvers()
    cluster = load_cluster(source)
    chosen = _scenario(scenario, typical_days=typical_days)
    result = _solved_plan(cluster, chosen, mip_gap, as_json)
    assumptions = FinanceAssumptions.from_file(terms, float(result.data["discount_rate"])) if terms else None
    try:
        with _working(err, "Choosing the projects to support", as_json):
            payload = {"cluster": cluster.id} | funding.fund_plan(
                result, chosen, budget, objective=objective, max_share=max_share, project_cap=project_cap,
                member_cap=member_cap, assumptions=assumptions, time_limit=time_limit)  # fmt: skip
    except funding.FundingStopped as problem:
        err.print(f"[bold red]no selection:[/] {problem}", highlight=False)
        raise typer.Exit(EXIT_NO_PLAN) from None
    if json_out is not None:
        _write_json(payload, json_out)
    if as_json:
        out.print_json(json.dumps(payload, default=str))
        return
    _print_funding(payload, cluster.name)


def _print_funding(payload: dict, name: str) -> None:
    money, totals = payload["currency"], payload["totals"]
    out.print(f"[bold]{name}[/]: budget {_number(payload['budget'])} {money} to maximize "
              f"{payload['objective_meaning']} (target year {payload['target_year']}); {payload['status']}.",
              highlight=False)
    if "note" in payload:
        out.print(payload["note"].capitalize() + ".", highlight=False)
    if payload["projects"]:
        table = Table(title=f"Projects needing support ({money})")
        for column in ("project", "investment", "gap", "grant", "share", "private", "tCO2e", f"t/M{money}", "leverage"):
            table.add_column(column, justify="left" if column == "project" else "right")
        for p in sorted(payload["projects"], key=lambda p: (not p["selected"], p["project"])):
            per_million = None if p["tco2e_per_money"] is None else p["tco2e_per_money"] * 1e6
            table.add_row(p["project"], _number(p["investment"]), _number(p["funding_gap"]),
                          _number(p["grant"]) if p["selected"] else "-",
                          "-" if p["grant_share"] is None else f"{p['grant_share']:.0%}",
                          _number(p["private_capital"]), _number(p["abated_tco2e"]), _number(per_million),
                          _number(p["leverage"], 1))  # fmt: skip
        out.print(table)
        out.print(f"Grant share limit: {payload['max_share']['basis']}.", highlight=False)
        for p in payload["projects"]:
            if p["excluded"]:
                out.print(f"Cannot be supported: {p['project']}: {p['excluded']}.", highlight=False)
        per_million = None if totals["tco2e_per_money"] is None else totals["tco2e_per_money"] * 1e6
        out.print(f"Supported {totals['projects_supported']} projects: public {_number(totals['public_money'])}, "
                  f"private {_number(totals['private_capital'])} {money}; {_number(totals['abated_tco2e'])} tCO2e "
                  f"by {payload['target_year']}, {_number(per_million, 1)} tCO2e per million {money} of public money, "
                  f"leverage {_number(totals['leverage'], 2)}; {_number(totals['budget_left'])} {money} left.",
                  highlight=False)  # fmt: skip
    if payload["viable_without_support"]:
        listed = ", ".join(v["project"] for v in payload["viable_without_support"])
        out.print(f"Going ahead without support (not additional, not counted): {listed}.", highlight=False)


@app.command()
@user_errors
def scenarios(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    export: Annotated[
        tuple[str, Path] | None,
        typer.Option("--export", help="Write shipped scenario NAME to FILE (.yaml) to edit and give to --scenario.",
                     metavar="NAME FILE"),
    ] = None,
) -> None:
    """List the shipped scenarios and the policy instruments each picks, or export one to start your own from.

    Every field a scenario file may set is in docs/scenarios.md.
    """
    if export is not None:
        _export_scenario(*export)
        return
    listing = []
    for name in scenario_names():
        chosen = load_scenario(name)
        item = {"name": name, **chosen.model_dump(include={"description", "target", "target_year", "cap_scopes"})}
        item["instruments"] = [{"name": s.key, "type": s.kind, "title": s.instrument.title} for s in chosen.instruments()]
        listing.append(item)
    if as_json:
        typer.echo(json.dumps(listing, indent=2))
        return
    # Two columns, so the description keeps most of an 80-column terminal instead of one word per line.
    table = Table(title="Shipped scenarios", show_lines=True)
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("target, instruments and description", ratio=1)
    for item in listing:
        instruments = ", ".join(i["name"] for i in item["instruments"]) or "none"
        table.add_row(item["name"], f"{item['target'].replace('_', ' ')} by {item['target_year']}; instruments: "
                      f"{instruments}\n[dim]{item['description']}[/]")  # fmt: skip
    out.print(table)
    out.print("Instruments come from the policy packs in data/policies (docs/input-format.md, policies). Start your "
              "own from one: `clusterpath scenarios --export NAME FILE`; every field is in docs/scenarios.md.",
              highlight=False)


def _export_scenario(name: str, path: Path) -> None:
    from importlib import resources

    from clusterpath.io.load import RENAMED_SCENARIOS

    name = RENAMED_SCENARIOS.get(name, name)  # an old name exports the scenario it now loads
    if name not in scenario_names():
        raise InputError(name, [f"not a shipped scenario (shipped: {', '.join(scenario_names())})"])
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(str(path), ["give a file name ending in .yaml: the shipped scenarios are YAML, comments kept"])
    # The shipped file as it is: its comments say why each value was chosen.
    path.write_text(resources.files("clusterpath.data").joinpath("scenarios", f"{name}.yaml").read_text("utf-8"),
                    encoding="utf-8")  # fmt: skip
    out.print(f"Written: {path} (edit it, then `clusterpath plan CLUSTER --scenario {path}`)", highlight=False)


@app.command()
@user_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; keep 127.0.0.1 behind a TLS proxy.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Folder of the SQLite database (default "
                                                  "~/.local/share/clusterpath); unused when CLUSTERPATH_DATABASE_URL "
                                                  "is set.")] = None,  # fmt: skip
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Serve the API without running jobs here "
                                            "(another server's worker runs them).")] = False,  # fmt: skip
) -> None:
    """Run the multi-user platform: web pages and an API with accounts, roles, background jobs (docs/platform.md)."""
    import uvicorn

    from clusterpath.platform.app import create_app
    from clusterpath.platform.db import describe
    from clusterpath.platform.settings import Settings

    _quiet_solvers()
    try:
        settings = Settings.from_env(data_dir=data_dir, run_worker=not no_worker)
    except ValueError as problem:
        raise InputError("environment", [str(problem)]) from None
    from sqlalchemy.exc import OperationalError

    err.print(f"Database: {describe(settings.database_url)}", highlight=False, soft_wrap=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print("[yellow]note:[/] tokens travel in the clear over plain HTTP: put a TLS proxy in front.")
    try:
        application = create_app(settings)
    except OperationalError as problem:
        reason = str(problem.orig or problem).strip().splitlines()[0]
        raise InputError(describe(settings.database_url), [f"cannot reach the database: {reason}"]) from None
    uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=False)


@app.command()
def version() -> None:
    """Print the installed version."""
    from importlib.metadata import version as installed

    typer.echo(installed("clusterpath"))


# -- scenario studies: compare and sweep (docs/scenarios.md) ------------------------------------------
@app.command(context_settings={"allow_extra_args": True})
@user_errors
def compare(
    ctx: typer.Context,
    source: Source,
    names: Annotated[list[str], typer.Option("--scenarios", help="Scenarios to compare: shipped names or files, "
                                             "e.g. --scenarios scope-1-net-zero-2050 scope-1-net-zero-2040 my.yaml.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write comparison.json, CSV tables and "
                                                 "comparison.html (figures) here.")] = None,
    typical_days: TypicalDaysOption = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", min=1, help="Solver time limit per scenario, s.")] = None,
    mip_gap: Annotated[float, typer.Option("--mip-gap", min=0, max=1, help="Relative MIP gap to stop at.")] = MIP_GAP,
) -> None:
    """Plan a cluster under several scenarios: cost by kind, emissions, investments and credits side by side."""
    from clusterpath.study.compare import compare as run_compare

    _quiet_solvers()
    # Click gives an option one value: the names after the first arrive as extra arguments.
    requested = [name.strip() for item in [*names, *ctx.args] for name in item.split(",") if name.strip()]
    if len(set(requested)) != len(requested):
        raise InputError("--scenarios", ["a scenario is named twice: give each once"])
    cluster = load_cluster(source)
    chosen = [_scenario(name, typical_days=typical_days) for name in requested]
    if len({s.name for s in chosen}) != len(chosen):
        raise InputError("--scenarios", ["two scenarios have the same name: rename one (its name labels its column)"])
    with _working(err, f"Planning {cluster.id}", as_json) as status:
        report = run_compare(cluster, chosen, time_limit=time_limit, mip_gap=mip_gap,
                             step=(lambda name: status.update(f"Planning {cluster.id} under {name}...")) if status
                             else None)  # fmt: skip
    if out_dir is not None:
        _write_comparison(report, out_dir)
    if as_json:
        typer.echo(json.dumps(report, indent=2, default=str))
        return
    _print_comparison(report)
    if out_dir is not None:
        out.print(f"Written: {out_dir}")


def _write_comparison(report: dict, folder: Path) -> None:
    from clusterpath.study import charts
    from clusterpath.study.compare import cost_table, emission_table, investment_table

    folder.mkdir(parents=True, exist_ok=True)
    _write_json(report, folder / "comparison.json")
    tables = {"costs": cost_table(report), "emissions": emission_table(report), "investments": investment_table(report)}
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv")
    if any("cost_by_kind" in s for s in report["scenarios"]):
        charts.write_html(folder / "comparison.html", charts.comparison_figures(*tables.values(), report["currency"]),
                          f"{report['cluster']}: scenarios compared")  # fmt: skip


def _print_comparison(report: dict) -> None:
    from clusterpath.study.compare import cost_table, emission_table, investment_table

    money = report["currency"]
    for entry in report["scenarios"]:
        if entry["status"] not in ("optimal",):
            err.print(f"[yellow]{entry['scenario']}:[/] {entry['status']}: {entry.get('message', '')}", highlight=False)
    costs = cost_table(report)
    if costs.empty:
        return
    for title, table, scale, digits in (
        (f"Net present cost, million {money}", costs, 1e6, 1),
        ("Emissions, tCO2e per year", emission_table(report), 1.0, 0),
        ("Capacity standing in the last period, by lever", investment_table(report), 1.0, 1),
    ):
        grid = Table(title=title)
        grid.add_column("")
        for name in table.columns:
            grid.add_column(str(name), justify="right")
        for label, row in table.iterrows():
            text = f"{label[0].replace('_', ' ')} ({label[1]})" if isinstance(label, tuple) else str(label).replace("_", " ")
            grid.add_row(text, *(_number(v / scale, digits) for v in row))
        out.print(grid)


@app.command()
@user_errors
def sweep(
    source: Source,
    sweep_file: Annotated[Path, typer.Argument(help="SWEEP.yaml: base scenario, method (grid or random) and the "
                                               "uncertain parameters (docs/scenarios.md).")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Results folder; default out/sweep-<SWEEP file name>. "
                                                 "Run again with the same folder to resume.")] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    typical_days: TypicalDaysOption = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", min=1, help="Solver time limit per case, s.")] = None,
    mip_gap: Annotated[float, typer.Option("--mip-gap", min=0, max=1, help="Relative MIP gap of every case.")] = MIP_GAP,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run's summary as JSON.")] = False,
) -> None:
    """Solve many cases of uncertain inputs in parallel on Dask; tornado and fan charts; resumes where it stopped.

    Exit codes: 2 bad input (nothing written), 1 cases that failed unexpectedly (the others are kept).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from clusterpath.study import runner
    from clusterpath.study.sweep import design, load_sweep

    _quiet_solvers()
    cluster = load_cluster(source)
    spec, where = load_sweep(sweep_file)
    options = {"mip_gap": mip_gap} | ({"time_limit": time_limit} if time_limit is not None else {})
    plan_cases = design(spec, where, cluster, typical_days=typical_days, options=options)
    folder = out_dir if out_dir is not None else Path("out") / f"sweep-{sweep_file.stem}"
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=as_json) as progress:
        task = progress.add_task("Solving cases", total=None)

        def start(todo: int, done: int) -> None:
            progress.update(task, total=todo)
            if done:
                progress.console.print(f"Resuming: {done} case(s) already in {folder / runner.CASES}", highlight=False)

        try:
            with _stop_on_sigterm():
                report = runner.run(plan_cases, cluster, folder, workers=workers, scheduler=scheduler, options=options,
                                    on_start=start, on_case=lambda case, row: progress.advance(task))  # fmt: skip
        except KeyboardInterrupt:
            progress.stop()
            kept = sum(runner.case_file(folder, case.key).is_file() for case in plan_cases.unique())
            err.print(f"Interrupted: {kept} of {len(plan_cases.unique())} cases are in {folder / runner.CASES}; run the "
                      "same command again to solve the rest.", highlight=False)  # fmt: skip
            raise typer.Exit(130) from None
    results = runner.load_results(plan_cases, folder)
    summary = {"cluster": cluster.id, "sweep": str(sweep_file), "out": str(folder), "cases": len(plan_cases.unique()),
               "samples": len(plan_cases.samples), "computed": len(report.computed), "reused": len(report.reused),
               "failed": report.failed, "workers": report.workers, "seconds": report.seconds}  # fmt: skip
    if len(results):
        runner.write_results(results, folder)
        _sweep_charts(plan_cases, results, folder, cluster.currency)
        summary["statuses"] = results["status"].value_counts().to_dict()
    _write_json(summary, folder / "sweep.json")
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
    else:
        out.print(f"{summary['cases']} cases ({summary['samples']} sampled): {summary['computed']} solved now, "
                  f"{summary['reused']} reused, {len(report.failed)} failed. Written: {folder}", highlight=False)  # fmt: skip
        for key, problem in report.failed.items():
            err.print(f"[bold red]failed:[/] case {key}: {problem}", highlight=False)
    if report.failed:
        raise typer.Exit(1)


class _stop_on_sigterm:  # noqa: N801 - used like a function: `with _stop_on_sigterm():`
    """`kill` of a sweep stops it like Ctrl-C: its workers are shut down and finished cases are kept."""

    def __enter__(self) -> None:
        import signal
        import threading

        def stop(*_):
            raise KeyboardInterrupt

        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, stop)

    def __exit__(self, *exc) -> None:
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def _sweep_charts(plan_cases, results, folder: Path, currency: str) -> None:
    from clusterpath.study import charts

    solved = results[results["status"] == "optimal"] if "total_cost" in results else results.iloc[0:0]
    samples = solved[solved["roles"].str.contains("sample:")]
    if len(samples):
        charts.write_html(folder / "fan.html", charts.fan_figures(samples, currency), "Sweep: spread across cases")
    if plan_cases.tornado:
        table = charts.tornado_table(solved, plan_cases.tornado, plan_cases.base_case.key)
        table.to_csv(folder / "tornado.csv", index=False)
        charts.write_html(folder / "tornado.html", [charts.tornado_figure(table, currency)], "Sweep: tornado")


@app.command()
@user_errors
def portfolio(
    source: Annotated[str, typer.Argument(help="A portfolio folder holding portfolio.yaml, the manifest file itself, or "
                                          "a shipped example (initiative-2024, initiative-2025).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON instead of tables.")] = False,
    json_out: JsonOutOption = None,
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="Write every table as CSV into this folder.")] = None,
    previous: Annotated[str | None, typer.Option("--previous", help="The previous year's portfolio: adds the "
                                                 "year-on-year changes.")] = None,
    typical_days: TypicalDaysOption = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Clusters planned at once, each in its own process.")] = 1,
    cache: Annotated[Path | None, typer.Option("--cache", help="Folder keeping each cluster's plan figures between runs; "
                                               "default .cache in the --csv folder, else in the portfolio folder.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help="Solver time limit per cluster, s: one hard "
                                              "plan must not hold up the portfolio.")] = 600,
    mip_gap: Annotated[float, typer.Option("--mip-gap", min=0, max=1, help="Relative MIP gap of every plan.")] = MIP_GAP,
) -> None:
    """Initiative totals of many clusters: reduction potential, GDP, jobs, by country and continent; year on year.

    A cluster whose plan cannot be made is reported in the table, not fatal. Exit code 2: bad input, nothing written.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from clusterpath.portfolio import assess, compare_years, load_portfolio, tables
    from clusterpath.portfolio.manifest import default_cache

    _quiet_solvers()
    current = load_portfolio(source, typical_days=typical_days)
    before = load_portfolio(previous, typical_days=typical_days) if previous is not None else None
    if before is not None:
        compare_years(before, current)  # unrelated portfolios fail here, before any plan
    folder = cache if cache is not None else default_cache(current, csv_dir)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    assessments = []
    with Progress(*columns, console=err, disable=as_json) as progress:
        for chosen in (current, before) if before is not None else (current,):
            task = progress.add_task(f"Planning the clusters of {chosen.year}", total=len(chosen.clusters))
            assessments.append(assess(chosen, cache=folder, workers=workers, time_limit=time_limit, mip_gap=mip_gap,
                                      on_cluster=lambda _id, _cached, task=task: progress.advance(task)))  # fmt: skip
    result = assessments[0]
    payload = result.to_dict()
    progress_report = None
    if before is not None:
        progress_report = compare_years(before, current, previous_assessment=assessments[1], current_assessment=result)
        payload["progress"] = progress_report.to_dict()
    if json_out is not None:
        _write_json(payload, json_out)
    if csv_dir is not None:
        tables.write_csv(result, progress_report, csv_dir)
    if as_json:
        typer.echo(json.dumps(payload, indent=2, default=str))
        return
    for table in tables.assessment_tables(result) + (tables.progress_tables(progress_report) if progress_report else []):
        out.print(table)
    for target in (json_out, csv_dir):
        if target is not None:
            out.print(f"Written: {target}", highlight=False)


@app.command("scorecard")
@user_errors
def scorecard_command(
    source: Source,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario file or shipped name; sets the target "
                                                 "year and the instruments modelled.")] = None,  # fmt: skip
    typical_days: TypicalDaysOption = None,
    no_plan: Annotated[bool, typer.Option("--no-plan", help="Score the register alone, without a plan.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
) -> None:
    """Four-pillar scorecard (partnerships, policy, finance, technology); formulas in docs/scorecard.md.

    Exit codes: 2 bad input, 3 targets that cannot be met, 4 no plan before the solver stopped.
    """
    from clusterpath.portfolio.scorecard import scorecard

    _quiet_solvers()
    cluster = load_cluster(source)
    chosen = _scenario(scenario, typical_days=typical_days)
    result = None if no_plan else _solved_plan(cluster, chosen, MIP_GAP, as_json)
    card = scorecard(cluster, chosen, result)
    if as_json:
        out.print_json(json.dumps(card.to_dict(), default=str))
        return
    _print_scorecard(card, cluster.name)


def _digits(value: float | None, unit: str) -> int:
    """Millions of money to one decimal, shares and means to two; counts and tonnes whole."""
    if unit.startswith("million "):
        return 1
    return 0 if value is None or float(value).is_integer() or abs(value) >= 1000 else 2


def _print_scorecard(card, name: str) -> None:
    basis = f"plan period {card.plan_period}" if card.plan_period else "register only, no plan"
    out.print(f"[bold]{name}[/]: scorecard under '{card.scenario}', target year {card.target_year} ({basis})",
              highlight=False)
    for pillar in card.pillars.values():
        score = "-" if pillar.score is None else f"{pillar.score:.0f}/100"
        table = Table(title=f"{pillar.name}: {score}", title_justify="left")
        for column in ("indicator", "value", "unit"):
            table.add_column(column, justify="right" if column == "value" else "left")
        for i in pillar.indicators:
            value, unit = i.shown(card.currency)
            table.add_row(i.name, value if isinstance(value, str) else _number(value, _digits(value, unit)), unit)
        out.print(table)


# -- reports: HTML, Excel and PDF of a cluster or a portfolio (docs/reports.md) ------------------------
@app.command()
@user_errors
def report(
    source: Annotated[str, typer.Argument(help="A cluster (file or example name), or a portfolio folder "
                                          "(with portfolio.yaml).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write report.html, report.xlsx and report.pdf into.")],
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario file or shipped name; default "
                                                 "scope-1-net-zero-2050 (with --from: the one the results were planned under).")] = None,
    typical_days: TypicalDaysOption = None,
    allocation: Annotated[str, typer.Option("--allocation", help="core (solve every coalition, up to 8 members, and "
                                            "quote the nucleolus or least core when in the core; above, dual), dual "
                                            "(split the cost by the plan's dual prices) or none (no allocation "
                                            "section).")] = "core",
    computed: Annotated[Path | None, typer.Option("--from", help="Reuse the results in this folder instead of solving: "
                                                  "pathway.json, pathway/pathway.nc and allocation.json as `make demo` "
                                                  "writes them.")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", min=1, help="Solver time limit, seconds.")] = None,
    mip_gap: Annotated[float, typer.Option("--mip-gap", min=0, max=1, help="Relative MIP gap of the plan.")] = MIP_GAP,
    workers: WorkersOption = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="A portfolio's folder of kept plan figures, as for "
                                               "`clusterpath portfolio` (default .cache beside portfolio.yaml).")] = None,
    previous: Annotated[str | None, typer.Option("--previous", help="For a portfolio: the previous year's, to add "
                                                 "what changed since.")] = None,
) -> None:
    """Write a cluster's (or a portfolio's) report: self-contained HTML, an Excel workbook and a PDF.

    Exit codes: 2 bad input (nothing written), 3 targets that cannot be met, 4 no plan before the solver stopped.
    """
    from clusterpath.report import write_report

    if allocation not in ("core", "dual", "none"):
        raise InputError("--allocation", [f"'{allocation}' is not a choice: expected core, dual or none"])
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(str(out_dir), ["is a file: --out takes a folder"])
    if _is_portfolio(source):
        if computed is not None or scenario is not None:
            raise InputError(source, ["a portfolio names its clusters' scenarios in portfolio.yaml and keeps its plans "
                                      "in its cache: --scenario and --from are for a cluster"])  # fmt: skip
        document = _portfolio_report(source, typical_days, workers, time_limit, mip_gap, cache, previous)
    else:
        if previous is not None:
            raise InputError("--previous", ["compares two years of a portfolio: give a portfolio, not a cluster"])
        document = _cluster_report(source, scenario, typical_days, allocation, computed, time_limit, mip_gap, workers)
    with _working(err, f"Writing report.html, report.xlsx and report.pdf into {out_dir}", False):
        written = write_report(document, out_dir)
    for path in written.values():
        out.print(f"Written: {path}", highlight=False)


def _is_portfolio(source: str) -> bool:
    from clusterpath.portfolio.manifest import MANIFEST, example_names

    path = Path(source)
    return path.is_dir() or path.name == MANIFEST or (not path.exists() and source in example_names())


def _portfolio_report(source, typical_days, workers, time_limit, mip_gap, cache, previous):
    """As `clusterpath portfolio` assesses it, reusing the plans its cache keeps."""
    from clusterpath.portfolio import assess, compare_years, load_portfolio
    from clusterpath.portfolio.manifest import default_cache
    from clusterpath.report.portfolio import portfolio_report

    _quiet_solvers()
    chosen = load_portfolio(source, typical_days=typical_days)
    before = load_portfolio(previous, typical_days=typical_days) if previous is not None else None
    if before is not None:
        compare_years(before, chosen)  # unrelated portfolios fail here, before any plan
    folder = cache or default_cache(chosen)
    assessments = []
    for year in (chosen, before) if before is not None else (chosen,):
        with _working(err, f"Planning the clusters of {year.year} (or reading them from the cache)", False):
            assessments.append(assess(year, cache=folder, workers=workers or 1, time_limit=time_limit,
                                      mip_gap=mip_gap))  # fmt: skip
    progress = None if before is None else compare_years(before, chosen, previous_assessment=assessments[1],
                                                         current_assessment=assessments[0])  # fmt: skip
    return portfolio_report(chosen, assessments[0], progress)


def _cluster_report(source, scenario, typical_days, allocation, computed, time_limit, mip_gap, workers):
    from clusterpath.report import inputs
    from clusterpath.report.cluster import cluster_report

    _quiet_solvers()
    cluster = load_cluster(source)
    chosen = _scenario(scenario, typical_days=typical_days)
    if computed is not None:
        found = inputs.read(computed, cluster)
        summary, shares, result = found.summary, found.allocation, found.result
    else:
        result = _solved_plan(cluster, chosen, mip_gap, False, baseline=True, time_limit=time_limit)
        summary, shares = result.summary(), None
    if shares is None and allocation != "none" and len(cluster.members) > 1:
        from clusterpath.coalition import allocate as split
        from clusterpath.coalition.explain import board_split

        label = ("Solving every coalition for a split in the core" if allocation == "core"
                 else "Building the coalition model and allocating the cost by dual prices")  # fmt: skip
        with _working(err, label, False):
            game, _ = _game(source, scenario, typical_days, workers, None, MIP_GAP, time_limit)
            try:
                shares = board_split(game) if allocation == "core" else split(game, "dual").to_dict()
            finally:
                game.close()
    return cluster_report(cluster, chosen, summary, shares if allocation != "none" else None, result)


@app.command("workforce")
@user_errors
def workforce_command(
    source: Source,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario file or shipped name.")] = None,
    typical_days: TypicalDaysOption = None,
    region: Annotated[str | None, typer.Option("--region", help="Set of employment factors (docs/workforce.md): OECD, "
                                        "Australia, United States or United Kingdom; default: the cluster's "
                                        "country's, else OECD. The cluster's own employment_factors come first; a "
                                        "technology without one uses another region's.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the workforce, jobs and pooling tables as CSV here.")] = None,
    mip_gap: Annotated[float, typer.Option("--mip-gap", min=0, max=1, help="Relative MIP gap of the plan.")] = MIP_GAP,
    time_limit: Annotated[float | None, typer.Option("--time-limit", min=1, help="Solver time limit, seconds.")] = None,
) -> None:
    """Jobs the plan creates: construction and operation workforce per period and skill, and the gain of a shared pool."""
    from clusterpath.workforce import factors, jobs_created, region_of, shared_pool, workforce

    _quiet_solvers()
    cluster = load_cluster(source)
    region = region or region_of(cluster.country)
    factors(region)  # an unknown region fails before the plan is solved
    chosen = _scenario(scenario, typical_days=typical_days)
    result = _solved_plan(cluster, chosen, mip_gap, as_json, time_limit=time_limit)
    frame = workforce(result, region=region, own=cluster.employment_factors, first_year=cluster.base_year)
    jobs = jobs_created(result, region=region, own=cluster.employment_factors, first_year=cluster.base_year)
    pool = shared_pool(frame)
    by_skill = frame.pivot_table(index=["phase", "skill"], columns="period", values="fte", aggfunc="sum", fill_value=0.0)
    if csv is not None:
        csv.mkdir(parents=True, exist_ok=True)
        frame.to_csv(csv / "workforce.csv", index=False)
        by_skill.to_csv(csv / "fte-by-skill.csv")
        pool.rename_axis("skill").to_csv(csv / "shared-pool.csv")
    if as_json:
        payload = {"cluster": cluster.id, "scenario": chosen.name, **jobs,
                   "fte_by_skill": [{"phase": phase, "skill": skill, **{str(p): float(v) for p, v in row.items()}}
                                    for (phase, skill), row in by_skill.iterrows()],
                   "shared_pool": {skill: {k: float(v) for k, v in row.items()} for skill, row in pool.iterrows()}}  # fmt: skip
        out.print_json(json.dumps(payload, default=str))
        return
    _print_workforce(cluster.name, region, by_skill, jobs, pool)
    if csv is not None:
        out.print(f"Written: {csv}")


def _print_workforce(name: str, region: str, by_skill, jobs: dict, pool) -> None:
    if by_skill.empty:
        out.print(f"{name}: the plan builds nothing with an employment factor ({region} factors).", highlight=False)
        _print_no_factor(jobs)
        return
    for phase in by_skill.index.get_level_values(0).unique():
        rows = by_skill.loc[phase]
        table = Table(title=f"{name}: {phase} workforce (fte, {region} employment factors)")
        table.add_column("skill")
        for period in rows.columns:
            table.add_column(str(period), justify="right")
        for skill, row in rows.iterrows():
            table.add_row(skill, *(_number(v) for v in row))
        table.add_row("[bold]all skills[/]", *(_number(v) for v in rows.sum()))
        out.print(table)
    out.print(f"Construction: {_number(jobs['construction_job_years'])} job-years; manufacturing (often elsewhere): "
              f"{_number(jobs['manufacturing_job_years'])} job-years. Construction rows are listed under the period "
              "in which the building starts.", highlight=False)  # fmt: skip
    gains = Table(title="Shared talent pool: hiring for the peak (fte)")
    for column in ("skill", "each employer's own peak, summed", "pooled peak", "reduction", "share"):
        gains.add_column(column, justify="left" if column == "skill" else "right")
    for skill, row in pool.iterrows():
        gains.add_row(str(skill), _number(row["sum_of_own_peaks"]), _number(row["pooled_peak"]),
                      _number(row["reduction"]), f"{row['reduction_share']:.0%}")  # fmt: skip
    out.print(gains)
    _print_no_factor(jobs)


def _print_no_factor(jobs: dict) -> None:
    if jobs["no_factor"]:
        listed = sorted({f"{r['lever']} ({r['technology']}, {r['phase']})" for r in jobs["no_factor"]})
        out.print("No employment factor, so no jobs counted for: " + "; ".join(listed), highlight=False)


def _critical_path(result, cluster, scenario):
    """The plan's levers with their lead times and slack (pathway/lead_times.py), NaN as None for JSON."""
    from clusterpath.pathway.lead_times import critical_path

    frame = critical_path(result, cluster, scenario)
    plain = frame.astype(object).where(frame.notna(), None)
    plain.attrs = frame.attrs
    return plain


def _print_critical_path(path, decision_year: int) -> None:
    from clusterpath.pathway.lead_times import month_year

    timed = path[path["slack_years"].notna()]
    if timed.empty:
        return
    table = Table(title=f"Lead times: latest starts and slack from the decision year {decision_year} (* critical: "
                  "no slack)")  # fmt: skip
    for column in ("lever", "needed", "permit by", "build by", "lead time", "slack", "needs"):
        table.add_column(column, justify="left" if column in ("lever", "needs") else "right")
    for row in timed.sort_values("slack_years").itertuples():
        unknown = row.permitting_unknown is True
        years = [month_year(row.latest_permitting_start), month_year(row.latest_construction_start),
                 *(f"{value:.3g} y" if value is not None else "-" for value in (row.lead_time_years, row.slack_years))]
        if unknown:
            years[0] = "unknown"
            years[2:] = [f"≥ {years[2]}", f"≤ {years[3]}"]
        table.add_row(("* " if row.on_critical_path else "") + row.lever.replace("_", " "), str(row.required_by),
                      *years, row.depends_on.replace("_", " "))  # fmt: skip
    out.print(table)
    if not path["on_critical_path"].any():
        least = timed.sort_values("slack_years").iloc[0]
        out.print(f"Every lever still has slack, so nothing is critical: the least slack is {least['slack_years']:.3g} "
                  f"years ({least['lever'].replace('_', ' ')}).", highlight=False)  # fmt: skip
    unknown = [row.lever for row in timed.itertuples() if row.permitting_unknown is True]
    if unknown:
        # Construction alone understates their lead time, so their slack may be less than shown.
        out.print(f"Permitting unknown (no sourced figure), construction only counted: {', '.join(unknown)}",
                  highlight=False)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
