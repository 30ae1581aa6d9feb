"""Per-lever figures of a solved plan, as docs/validation.md section 4 reports them.

Reads what ``clusterpath plan EXAMPLE --out FOLDER`` wrote (``FOLDER/pathway.nc``) and prints, for one period
(default the last): the MACC by lever, capture split by the stream it treats (with and without the CO2 chain),
the CO2 trunk and storage per tonne stored, and the levelized cost of each lever's output (its yearly cost plus
its inputs at market prices, over its output; hydrogen also per kg at 33.3 kWh LHV). Not a test: nothing is
asserted.

    python benchmarks/validation_figures.py port/pathway.nc [--period 2050]
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np

from clusterpath.pathway.hub import HUB
from clusterpath.pathway.result import PathwayResult

H2_KWH_PER_KG = 33.3  # LHV, NRC and NAE, The Hydrogen Economy, Appendix H, Table H-2 (as in data/policies/us.yaml)
LEVELIZED = ("solar_pv", "onshore_wind", "offshore_wind", "electrolysis", "smr_ccs", "heat_pump", "large_heat_pump",
             "electric_boiler", "direct_air_capture")  # fmt: skip


def capture_by_stream(result: PathwayResult, period: int) -> None:
    energy = result.data["energy"].sel(period=period).to_pandas()
    cost = result.data["unit_cost"].sel(period=period).to_pandas()
    per_tonne_stored, links = result._co2_disposal(period)
    print(f"CO2 trunk and storage: {per_tonne_stored:.1f} per t stored")
    for stream in ("co2_flue", "co2_process"):
        units = [u for u in result.units.index if u.endswith(f"capture:{stream}") and energy.get(u, 0.0) > 1e-6]
        for unit in units:
            ports = result.ports[result.ports["unit"] == unit]
            spend = float(cost[unit])
            for _, port in ports[ports["coefficient"] < 0].iterrows():
                if port["bus"] in result.prices.index:
                    spend -= port["coefficient"] * energy[unit] * float(result.prices.loc[port["bus"], period])
            captured = ports.loc[ports["bus"].str.endswith("|co2_captured"), "coefficient"].sum() * energy[unit]
            chain = captured * (per_tonne_stored + links.get(result.units.loc[unit, "node"], 0.0))
            print(f"  {unit:45s} {result.units.loc[unit, 'technology']:28s} {captured / 1e3:9.1f} kt  "
                  f"{spend / captured:8.1f} capture only, {(spend + chain) / captured:8.1f} with T&S")  # fmt: skip


def levelized(result: PathwayResult, period: int) -> None:
    energy = result.data["energy"].sel(period=period).to_pandas()
    for lever in LEVELIZED:
        output = full = 0.0
        for unit in result.units.index[result.units["lever"] == lever]:
            if energy.get(unit, 0.0) <= 1e-6:
                continue
            ports = result.ports[result.ports["unit"] == unit]
            if lever == "direct_air_capture":
                main = ports[ports["bus"].str.endswith("|co2")]
            elif lever == "large_heat_pump":
                main = ports[ports["coefficient"] > 0]
            else:  # the main product: not emissions, CO2 or by-product heat
                main = ports[(ports["coefficient"] > 0) & ~ports["bus"].str.contains("scope|co2|heat_low")]
            output += main["coefficient"].sum() * energy[unit]
            full += float(result._full_cost(unit).get(period, np.nan))
        if output > 0:
            per = "t" if lever == "direct_air_capture" else "MWh"
            kg = f" = {full / output * H2_KWH_PER_KG / 1000:.2f} per kg" if lever in ("electrolysis", "smr_ccs") else ""
            print(f"  {lever:20s} {output / 1e3:10.1f} k{per}  {full / output:10.1f} per {per}{kg}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("netcdf", type=Path)
    parser.add_argument("--period", type=int)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    result = PathwayResult.from_netcdf(args.netcdf)
    period = args.period or result.periods[-1]
    print(f"{args.netcdf}: {result.currency}, {period}")
    print(result.macc(period).round(1).to_string())
    capture_by_stream(result, period)
    print("Levelized cost of output:")
    levelized(result, period)
    stored = result.units.index[(result.units["lever"] == "co2_network") & (result.units["node"] == HUB)]
    print(f"CO2 stored: {float(result.data['energy'].sel(period=period, unit=stored).sum()) / 1e6:.2f} Mt")


if __name__ == "__main__":
    main()
