"""The packaged reference data: every row sourced, complete where the product relies on it."""

from importlib import resources

import pandas as pd
import pytest

from clusterpath import reference

DATA = resources.files("clusterpath.data")
CSV_FILES = sorted(p.name for p in DATA.iterdir() if p.name.endswith(".csv"))
EXAMPLE_CSV = sorted(p.name for p in DATA.joinpath("examples").iterdir() if p.name.endswith(".csv"))


def read(path) -> pd.DataFrame:
    with path.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("path", [DATA / n for n in CSV_FILES] + [DATA / "examples" / n for n in EXAMPLE_CSV],
                         ids=CSV_FILES + EXAMPLE_CSV)  # fmt: skip
def test_every_row_has_a_source(path):
    frame = read(path)
    assert "source" in frame.columns, f"{path.name} has no source column"
    missing = frame.index[frame["source"].isna() | (frame["source"].astype(str).str.strip() == "")]
    assert missing.empty, f"{path.name}: rows {[i + 2 for i in missing]} have no source"


def test_all_tables_are_listed():
    assert set(reference.TABLES) <= {n.removesuffix(".csv") for n in CSV_FILES}


def test_ipcc_natural_gas():
    factors = reference.fuel_factors("natural_gas", "manufacturing")
    assert (factors["co2_kg_per_tj"], factors["ch4_kg_per_tj"], factors["n2o_kg_per_tj"]) == (56100, 1, 0.1)
    assert factors["ncv_tj_per_gg"] == 48.0


def test_every_fuel_has_both_source_categories():
    fuels = reference.table("fuels")
    assert (fuels.groupby("fuel")["category"].apply(set) == {"energy_industries", "manufacturing"}).all()


def test_ar6_gwp100():
    assert reference.gwp100("AR6") == {"co2": 1, "ch4_fossil": 29.8, "ch4_non_fossil": 27.0, "n2o": 273}


@pytest.mark.parametrize("country", "BE NL FR ES GB SE US CN JP IN ID TH AU SA CO BR".split())
def test_grid_factor_for_initiative_countries(country):
    factors = reference.grid_factors(country)
    assert factors, f"no grid emission factor for {country}"
    assert all(0 < v < 1.5 for v in factors.values())


def test_published_grid_paths_continue_a_countrys_statistics():
    paths = reference.table("grid_emission_factor_paths")
    for row in paths.itertuples():
        history = reference.grid_factors(row.country)
        assert history, f"{row.country}: a published path without statistics to start from"
        assert row.year > max(history) and 0 <= row.tco2e_per_mwh < 1.5, row
        assert row.basis.strip(), row  # what the figure measures: paths and statistics differ in basis


def test_technology_catalog_covers_the_lever_families_and_years():
    catalog = reference.table("technology_catalog")
    families = set(catalog["lever_family"])
    for family in ("efficiency_circularity", "electrification_renewable_heat", "hydrogen", "ccus", "renewable_power"):
        assert family in families
    technologies = reference.table("technologies")
    assert {2025, 2030, 2040, 2050} <= set(technologies["year"])
    assert set(technologies["technology"]) <= set(catalog["technology"])
    assert technologies["value"].notna().all()
    for parameter in ("investment", "lifetime"):
        assert parameter in set(technologies["parameter"])


def test_employment_factors_refer_to_catalog_technologies():
    jobs = reference.table("employment_factors")
    assert set(jobs["technology"]) <= set(reference.table("technology_catalog")["technology"])
    numeric = jobs[["construction_job_years_per_mw", "om_jobs_per_mw"]]
    assert (numeric.fillna(0) >= 0).all().all()
