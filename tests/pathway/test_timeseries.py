import numpy as np
import pandas as pd
import pvlib
import pytest

from clusterpath.pathway import timeseries as ts

ANTWERP = (51.3, 4.4)
HOUSTON = (29.7, -95.0)
PERTH = (-32.0, 116.0)
SUMMER = slice(151, 243)  # 1 June .. 31 August, 0-based days of a non-leap year
WINTER = np.r_[0:59, 334:365]  # December, January, February


@pytest.fixture(scope="module")
def solar():
    return {site: ts.solar_profile(*site) for site in (ANTWERP, HOUSTON, PERTH)}


@pytest.fixture(scope="module")
def year_profiles(solar):
    return pd.DataFrame({
        "solar": solar[ANTWERP],
        "wind": ts.wind_profile(seed=1),
        "flat": ts.demand_profile("flat"),
        "weekday": ts.demand_profile("weekday"),
        "heating": 3.0 * ts.demand_profile("heating"),
    })  # fmt: skip


def daily(series: pd.Series) -> np.ndarray:
    return series.to_numpy().reshape(365, 24)


def solar_noon(lon: float) -> np.ndarray:
    """Solar noon of each day, in hours of the zone time UTC + round(lon / 15)."""
    eot = pvlib.solarposition.equation_of_time_spencer71(np.arange(1, 366)) / 60
    return 12 - (lon - 15 * round(lon / 15)) / 15 - eot


# --------------------------------------------------------------------------- solar


@pytest.mark.parametrize("site", [ANTWERP, HOUSTON, PERTH])
def test_solar_shape_and_bounds(solar, site):
    pv = solar[site]
    assert isinstance(pv.index, pd.RangeIndex) and len(pv) == 8760
    assert pv.min() >= 0 and 0.9 <= pv.max() <= 1


@pytest.mark.parametrize("site", [ANTWERP, HOUSTON])
def test_solar_zero_at_night_and_centred_on_solar_noon(solar, site):
    days = daily(solar[site])
    noon = solar_noon(site[1])
    mid_hour = np.arange(24) + 0.5
    solar_time = (mid_hour[None, :] - noon[:, None] + 12) % 24
    night = (solar_time < 2) | (solar_time > 22)
    assert night.sum() >= 365 * 3 and (days[night] == 0).all()
    centroid = (days * mid_hour).sum(axis=1) / days.sum(axis=1)
    assert np.abs(centroid - noon).max() < 0.1
    assert np.abs(days.argmax(axis=1) + 0.5 - noon).max() <= 0.75


def test_solar_seasons_follow_the_hemisphere(solar):
    for site in (ANTWERP, HOUSTON):
        days = daily(solar[site]).sum(axis=1)
        assert days[SUMMER].mean() > days[WINTER].mean()
    perth = daily(solar[PERTH]).sum(axis=1)
    assert perth[WINTER].mean() > perth[SUMMER].mean()


def test_solar_leap_year_drops_29_february():
    pv = ts.solar_profile(*ANTWERP, year=2020)
    assert len(pv) == 8760
    # 1 March is day 59 either way, so a leap year looks like its neighbour.
    assert np.allclose(daily(pv)[59:].sum(axis=1), daily(ts.solar_profile(*ANTWERP, year=2021))[59:].sum(axis=1),
                       rtol=0.02)  # fmt: skip


@pytest.mark.parametrize("args", [(91.0, 0.0), (0.0, 181.0)])
def test_solar_rejects_bad_coordinates(args):
    with pytest.raises(ValueError, match="lat"):
        ts.solar_profile(*args)


# --------------------------------------------------------------------------- full-load hours


@pytest.mark.parametrize("hours", [0, 500, 1000, 2500, 4000])
def test_scale_to_full_load_hours_hits_the_target(solar, hours):
    pv = solar[HOUSTON]
    scaled = ts.scale_to_full_load_hours(pv, hours)
    assert scaled.sum() == pytest.approx(hours, rel=1e-9, abs=1e-9)
    assert scaled.max() <= 1 and scaled.min() >= 0
    assert (scaled[pv == 0] == 0).all()
    assert scaled.index.equals(pv.index) and scaled.name == pv.name


def test_scale_keeps_the_shape_below_the_cap(solar):
    pv = solar[ANTWERP]
    scaled = ts.scale_to_full_load_hours(pv, 3000)
    free = (scaled > 0) & (scaled < 1)
    assert (scaled == 1).any() and free.any()
    ratio = scaled[free] / pv[free]
    assert ratio.max() == pytest.approx(ratio.min(), rel=1e-12)


def test_scale_to_every_producing_hour_fills_them(solar):
    pv = solar[ANTWERP]
    scaled = ts.scale_to_full_load_hours(pv, int((pv > 0).sum()))
    assert ((scaled == 1) == (pv > 0)).all()


@pytest.mark.parametrize("hours", [-1, 8761, float("nan"), 5000])
def test_scale_rejects_impossible_hours(solar, hours):
    with pytest.raises(ValueError, match="full-load hours"):
        ts.scale_to_full_load_hours(solar[ANTWERP], hours)  # 5000: PV produces in fewer hours


def test_scale_rejects_bad_shapes():
    with pytest.raises(ValueError, match="non-negative"):
        ts.scale_to_full_load_hours(pd.Series([0.5, -0.1]), 1)
    with pytest.raises(ValueError, match="zero everywhere"):
        ts.scale_to_full_load_hours(pd.Series([0.0, 0.0]), 1)


# --------------------------------------------------------------------------- wind


def test_wind_is_reproducible_per_seed():
    pd.testing.assert_series_equal(ts.wind_profile(seed=3), ts.wind_profile(seed=3))
    assert not ts.wind_profile(seed=3).equals(ts.wind_profile(seed=4))
    assert not ts.wind_profile(seed=3, year=2020).equals(ts.wind_profile(seed=3, year=2021))


@pytest.mark.parametrize("seed", range(5))
def test_wind_is_a_plausible_capacity_factor(seed):
    wind = ts.wind_profile(seed=seed)
    assert isinstance(wind.index, pd.RangeIndex) and len(wind) == 8760
    assert wind.min() >= 0 and wind.max() <= 1
    assert 0.2 < wind.mean() < 0.55
    assert wind.autocorr(lag=1) > 0.8


def test_wind_grows_with_speed_and_height():
    base = ts.wind_profile().mean()
    assert ts.wind_profile(mean_speed=9.0).mean() > base
    assert ts.wind_profile(hub_height=150.0).mean() > base
    assert ts.wind_profile(mean_speed=4.0).mean() < base


def test_wind_is_windier_in_winter_of_its_hemisphere():
    def winter_minus_summer(lat):
        days = np.mean([daily(ts.wind_profile(seed=s, lat=lat)) for s in range(5)], axis=0).mean(axis=1)
        return days[WINTER].mean() - days[SUMMER].mean()

    assert winter_minus_summer(None) > 0
    assert winter_minus_summer(-30.0) < 0


def test_power_curve():
    speed = np.array([0, 2.9, ts.CUT_IN, 7.5, ts.RATED, 20, ts.CUT_OUT, 30])
    expected = [0, 0, 0, (7.5**3 - 27) / (12**3 - 27), 1, 1, 0, 0]
    assert np.allclose(ts.power_curve(speed), expected)


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"mean_speed": 0}, {"autocorrelation": 1.0},
                                    {"seasonal_amplitude": 0.6, "diurnal_amplitude": 0.5}])  # fmt: skip
def test_wind_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        ts.wind_profile(**kwargs)


# --------------------------------------------------------------------------- demand


@pytest.mark.parametrize("kind", ts.DEMAND_KINDS)
@pytest.mark.parametrize("year", [2019, 2020])
def test_demand_has_mean_one(kind, year):
    demand = ts.demand_profile(kind, year=year)
    assert len(demand) == 8760 and demand.min() > 0
    assert demand.mean() == pytest.approx(1.0, rel=1e-12)


def test_weekday_demand_drops_at_weekends():
    days = daily(ts.demand_profile("weekday", year=2019)).mean(axis=1)
    # 2019 began on a Tuesday: days 4 and 5 are the first weekend.
    assert days[4] == days[5] == pytest.approx(ts.WEEKEND_FACTOR * days[0])
    assert (days == days[0]).sum() == 261


def test_heating_demand_peaks_in_the_local_winter():
    north = daily(ts.demand_profile("heating")).mean(axis=1)
    south = daily(ts.demand_profile("heating", lat=-33.9)).mean(axis=1)
    assert north[WINTER].mean() > 2 * north[SUMMER].mean()
    assert south[SUMMER].mean() > 2 * south[WINTER].mean()
    assert north.min() == pytest.approx(ts.HEATING_BASE_SHARE)


def test_demand_rejects_unknown_kind():
    with pytest.raises(ValueError, match="flat, weekday, heating"):
        ts.demand_profile("cooling")


# --------------------------------------------------------------------------- typical days


@pytest.mark.parametrize("days", [1, 4, 12, 30])
def test_typical_days_preserve_annual_sums(year_profiles, days):
    td = ts.typical_days(year_profiles, days)
    assert td.profiles.dims == ("day", "hour", "series") and td.profiles.shape == (days, 24, 5)
    assert td.series == list(year_profiles.columns)
    assert td.weight.sum().item() == 365 and (td.weight > 0).all()
    assert td.order.shape == (365,) and td.order.min() >= 0 and td.order.max() < days
    assert (np.bincount(td.order, minlength=days) == td.weight.values).all()
    annual = (td.profiles * td.weight).sum(("day", "hour")).to_series()
    assert np.allclose(annual.to_numpy(), year_profiles.sum().to_numpy(), rtol=1e-9, atol=1e-9)
    assert (td.profiles.max(("day", "hour")).to_series() <= year_profiles.max()).all()
    assert td.profiles.min().item() >= 0


def test_typical_days_come_from_real_days(year_profiles):
    td = ts.typical_days(year_profiles, 12)
    source = td.profiles.coords["source_day"].values
    assert (np.diff(source) > 0).all()  # numbered in calendar order
    assert (td.order[source] == np.arange(12)).all()  # each medoid represents itself
    original = year_profiles.to_numpy().reshape(365, 24, -1)[source]
    # Medoids up to the rescaling, which is multiplicative: zero hours stay zero.
    assert ((original == 0) == (td.profiles.values == 0)).all()
    assert np.allclose(td.profiles.values, original, rtol=0.15)


def test_snapshot_views_and_reconstruction(year_profiles):
    td = ts.typical_days(year_profiles, 6)
    weights = td.snapshot_weights()
    assert weights.dims == ("snapshot",) and weights.sum().item() == 8760
    flat = td.snapshot_profiles()
    assert flat.dims == ("snapshot", "series") and flat.shape == (6 * 24, 5)
    assert np.allclose((flat * weights).sum("snapshot").values, year_profiles.sum().to_numpy())
    assert (flat.coords["day"].values == weights.coords["day"].values).all()
    year = td.reconstruct()
    assert year.shape == (8760, 5) and np.allclose(year.sum().to_numpy(), year_profiles.sum().to_numpy())


@pytest.mark.parametrize("days", [365, 400])
def test_a_full_year_is_the_identity(year_profiles, days):
    td = ts.typical_days(year_profiles, days)
    assert (td.weight.values == 1).all() and (td.order == np.arange(365)).all()
    assert np.array_equal(td.profiles.values, year_profiles.to_numpy().reshape(365, 24, -1))
    pd.testing.assert_frame_equal(td.reconstruct(), year_profiles, check_names=False, check_column_type=False)


@pytest.mark.parametrize(("days", "segments"), [(1, 6), (12, 6), (12, 8), (30, 1)])
def test_segmented_days_keep_annual_sums_in_steps_of_whole_hours(year_profiles, days, segments):
    td = ts.typical_days(year_profiles, days, segments)
    assert td.profiles.shape == (days, segments, 5) and td.n_steps == segments
    assert td.duration.dims == ("day", "hour") and (td.duration.sum("hour") == 24).all()
    assert (td.duration >= 1).all() and (td.duration == np.round(td.duration)).all()
    # A step's value is a mean power over its hours: energy = value x hours x days it stands for.
    annual = (td.profiles * td.duration * td.weight).sum(("day", "hour")).to_series()
    assert np.allclose(annual.to_numpy(), year_profiles.sum().to_numpy(), rtol=1e-9, atol=1e-9)
    assert td.snapshot_weights().sum().item() == 8760
    assert np.allclose(td.reconstruct().sum().to_numpy(), year_profiles.sum().to_numpy())
    assert (td.profiles.max(("day", "hour")).to_series() <= year_profiles.max()).all()


def test_a_segment_is_the_mean_of_its_hours_of_the_medoid(year_profiles):
    # 365 days of 4 segments: every day stands for itself, so no rescaling, and each step is
    # exactly the mean of the hours it merges (tsam's segment representation).
    td = ts.typical_days(year_profiles, 365, 4)
    assert (td.weight.values == 1).all() and (td.order == np.arange(365)).all()
    hours = year_profiles.to_numpy().reshape(365, 24, -1)
    ends = np.cumsum(td.duration.values, axis=1).astype(int)
    for day in (0, 100, 200, 364):
        starts = np.r_[0, ends[day][:-1]]
        means = np.array([hours[day, a:b].mean(axis=0) for a, b in zip(starts, ends[day], strict=True)])
        assert np.allclose(td.profiles.values[day], means, rtol=1e-9, atol=1e-12)


def test_twenty_four_segments_are_the_hourly_days(year_profiles):
    hourly, segmented = ts.typical_days(year_profiles, 12), ts.typical_days(year_profiles, 12, 24)
    assert np.array_equal(hourly.profiles.values, segmented.profiles.values)
    assert np.array_equal(hourly.order, segmented.order) and (segmented.duration == 1).all()


@pytest.mark.parametrize("segments", [0, 25, 2.5, True])
def test_typical_days_reject_bad_segment_counts(year_profiles, segments):
    with pytest.raises(ValueError, match="segments must be"):
        ts.typical_days(year_profiles, 4, segments)


def test_typical_days_are_immutable(year_profiles):
    td = ts.typical_days(year_profiles, 3)
    with pytest.raises(ValueError):
        td.order[0] = 1
    with pytest.raises(AttributeError):
        td.order = np.zeros(365, dtype=int)


@pytest.mark.parametrize("days", [0, -3, 2.5, True, "12"])
def test_typical_days_reject_bad_day_counts(year_profiles, days):
    with pytest.raises(ValueError, match="days"):
        ts.typical_days(year_profiles, days)


def test_typical_days_reject_bad_profiles(year_profiles):
    with pytest.raises(ValueError, match="8760"):
        ts.typical_days(year_profiles.iloc[:100])
    with pytest.raises(ValueError, match="finite"):
        ts.typical_days(year_profiles.assign(flat=np.nan))
    with pytest.raises(ValueError, match="non-negative"):
        ts.typical_days(year_profiles.assign(flat=-1.0))
    with pytest.raises(ValueError, match="DataFrame"):
        ts.typical_days(year_profiles["solar"])


def test_typical_days_refuse_what_they_cannot_represent(year_profiles):
    # One spike a year: no typical day holds it, and scaling up would break its maximum.
    spike = np.zeros(ts.HOURS)
    spike[100 * 24 + 12] = 1.0
    with pytest.raises(ValueError, match="use more days"):
        ts.typical_days(year_profiles.assign(spike=spike), 4)


# --------------------------------------------------------------------------- the full year in the model


def _full_year_store_network(supply: np.ndarray, demand, **store):
    """One bus: free supply (10 MW times ``supply``, 8760 values), a grid at 1000 per MWh and one store,
    on the full year as ``typical_days(..., 365)`` lays it out (r = 0, lifetime 1: capex is the yearly cost)."""
    from helpers.networks import make_network

    year = ts.typical_days(pd.DataFrame({"supply": supply}), 365)
    return make_network(
        buses={"el": "balance"},
        units=[{"unit": "supply", "existing": 10.0, "extendable": False, "profile": "supply"},
               {"unit": "grid", "unlimited": True, "extendable": False, "vom": 1000.0}],
        ports=[("supply", "el", 1.0), ("grid", "el", 1.0)], demand={"el": demand},
        weights=year.weight.values, order=year.order,
        profiles={"supply": year.profiles.sel(series="supply").values},
        stores=[{"store": "s", "bus": "el", "lifetime": 1, **store}],
    )  # fmt: skip


def _solved(network):
    from clusterpath.pathway.network import PathwayModel

    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    return model


@pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
def test_full_year_chains_storage_across_the_real_days():
    # Supply every hour but for a dark spell of days 100-102 (N = 72 hours); demand 1 MW; a store
    # losing 1 %/h (keep k = 0.99), discharge efficiency 0.9, energy at 1 per MWh, power free.
    # It must enter the spell holding S with k^N S = (1 / 0.9) sum_{j<N} k^j (the level after the
    # last dark hour is zero), S = (1 - k^N) / (0.9 (1 - k) k^N) = 105.86 MWh: the store's size and,
    # with free supply, the whole cost.
    dark = np.ones((365, 24))
    dark[100:103] = 0.0
    network = _full_year_store_network(dark.ravel(), 1.0, standing_loss=0.01, eta_discharge=0.9,
                                       capex_energy=1.0)  # fmt: skip
    model = _solved(network)
    k, n = 0.99, 72
    size = (1 - k**n) / (0.9 * (1 - k) * k**n)
    assert model.store_energy.solution.item() == pytest.approx(size, rel=1e-6)
    assert float(model.model.objective.value) == pytest.approx(size, rel=1e-6)


@pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
def test_full_year_bounds_a_lossy_store_hour_by_hour():
    # Demand 10 MW in hour 0 of every day only, supply in hours 1-23 (at 1 per MWh of store
    # energy), a store losing 10 %/h: each day it is charged in hour 23 with 10 / 0.9 MWh and
    # delivers 10 MWh in hour 0 of the next day. The true level never exceeds 11.11 MWh, so that
    # is the store's size: 11.11 in capex. Typical days bound a lossy store by each day's extremes
    # and the start level decayed over the whole day (safe, dearer); the full year is exact.
    supply = np.tile(np.where(np.arange(24) == 0, 0.0, 1.0), 365)
    network = _full_year_store_network(supply, np.where(np.arange(24) == 0, 10.0, 0.0), standing_loss=0.1,
                                       capex_energy=1.0)  # fmt: skip
    assert not network.exact_store_levels
    model = _solved(network)
    assert float(model.model.objective.value) == pytest.approx(10 / 0.9, rel=1e-6)
    assert model.store_energy.solution.item() == pytest.approx(10 / 0.9, rel=1e-6)


# --------------------------------------------------------------------------- representation error


def test_shipped_representation_errors_belong_to_their_examples():
    # Each row of data/representation_error.csv (benchmarks/representation_error.py) is found again
    # for the shipped example it was measured on; an example changed since no longer matches its row.
    from clusterpath.io import load_cluster
    from clusterpath.pathway.representation import FIGURES, TABLE, read_table, representation_error

    for row in read_table(TABLE).to_dict("records"):
        error = representation_error(load_cluster(row["example"]), row["typical_days"], row["segments"])
        assert error["measured"], f"{row['example']} changed since it was measured: re-run the benchmark"
        assert [error[name] for name in FIGURES] == [None if pd.isna(row[name]) else row[name] for name in FIGURES]


@pytest.fixture
def measured(tmp_path):
    """A table measuring the hydrogen-hub example at 4 typical days and at 4 x 6 segments, as the benchmark writes it."""
    from clusterpath.io import load_cluster
    from clusterpath.pathway.representation import COLUMNS, fingerprint

    cluster = load_cluster("hydrogen-hub")
    path = tmp_path / "errors.csv"
    rows = [["hydrogen-hub", fingerprint(cluster), 4, 24, "the full year (365 days x 24 hours)", 0.004, -0.25, 0.031,
             None, "under net-zero-2050, an LP", "benchmarks/representation_error.py"],
            ["hydrogen-hub", fingerprint(cluster), 4, 6, "104 typical days", -0.02, 0.5, 0.1, None,
             "under net-zero-2050, an LP", "benchmarks/representation_error.py"]]
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    return cluster, path


def test_plan_finds_the_measured_error_of_its_cluster_and_resolution(measured):
    from clusterpath.pathway.representation import describe, representation_error

    cluster, path = measured
    error = representation_error(cluster, 4, table=path)
    assert error["measured"] and error["typical_days"] == 4
    assert (error["objective"], error["storage"], error["renewables"], error["electrolysis"]) == (
        0.004, -0.25, 0.031, None)
    assert describe(error) == ("representation error vs the full year (365 days x 24 hours) at 4 typical days: "
                               "objective +0.4%, storage -25.0%, renewables +3.1%, electrolysis n/a (none built in "
                               "the reference) (measured under net-zero-2050, an LP)")  # fmt: skip
    segmented = representation_error(cluster, 4, 6, table=path)
    assert describe(segmented) == ("representation error vs 104 typical days at 4 typical days x 6 segments: "
                                   "objective -2.0%, storage +50.0%, renewables +10.0%, electrolysis n/a (none "
                                   "built in the reference) (measured under net-zero-2050, an LP)")  # fmt: skip


def test_representation_error_is_not_claimed_for_other_clusters_or_resolutions(measured):
    from clusterpath.pathway.representation import describe, representation_error

    cluster, path = measured
    changed = cluster.model_copy(update={"members": cluster.members[1:]})  # one member fewer
    assert representation_error(changed, 4, table=path) == {"measured": False, "typical_days": 4, "segments": 24}
    assert representation_error(cluster, 12, table=path) == {"measured": False, "typical_days": 12, "segments": 24}
    assert not representation_error(cluster, 4, 8, table=path)["measured"]
    assert describe(representation_error(cluster, 12, table=path)) == (
        "representation error vs full year: not measured for this cluster at 12 typical days "
        "(benchmarks/representation_error.py; docs/timeseries.md)")
    assert representation_error(cluster, 365, 4, table=path) == {"measured": False, "typical_days": 365, "segments": 4}
    full = representation_error(cluster, 365, table=path)
    assert full["full_year"] and full["objective"] == 0.0
    assert describe(full) == "representation error vs full year: none, the plan runs on the full year (8,760 hours)"


def test_a_representation_table_with_other_columns_is_refused(tmp_path):
    from clusterpath.pathway.representation import read_table

    path = tmp_path / "errors.csv"
    path.write_text("example,typical_days,objective\nhydrogen-hub,4,0.01\n")
    with pytest.raises(ValueError, match="columns must be example, fingerprint, typical_days, segments"):
        read_table(path)
