"""Hourly profiles for one year and their aggregation to typical days.

Every profile is a ``pd.Series`` of 8760 values on a ``RangeIndex`` named ``hour``
(0..8759, 365 days; 29 February is dropped in leap years). Hour ``h`` is the hour
starting at ``h`` in the site's *zone time*, UTC + round(lon / 15) hours, so days
start around local midnight and 24-hour typical days cut through the night,
not through the solar day. See docs/timeseries.md for the equations and limits.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

HOURS_PER_DAY = 24
DAYS = 365
HOURS = DAYS * HOURS_PER_DAY

# Generic power curve of the synthetic wind turbine (m/s); illustrative values.
CUT_IN, RATED, CUT_OUT = 3.0, 12.0, 25.0

# Demand shapes; illustrative defaults, see docs/timeseries.md.
WEEKEND_FACTOR = 0.6  # weekend load relative to a weekday
HEATING_BASE_SHARE = 0.2  # hot water and process share of low-temperature heat, all year
HEATING_T_MEAN, HEATING_T_AMPLITUDE, HEATING_T_BASE = 10.0, 8.0, 15.5  # °C
COLDEST_DAY = 15  # day of year (0-based) of the coldest/windiest day in the northern hemisphere

DEMAND_KINDS = ("flat", "weekday", "heating")


def _hour_index() -> pd.RangeIndex:
    return pd.RangeIndex(HOURS, name="hour")


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not 1900 <= year <= 2200:
        raise ValueError(f"year must be an integer between 1900 and 2200, got {year!r}")


def _day_of_year() -> np.ndarray:
    """0..364 for each hour of the 8760-hour year."""
    return np.repeat(np.arange(DAYS), HOURS_PER_DAY)


def _winter_phase(lat: float | None) -> float:
    # Southern winter is half a year after the northern one.
    return COLDEST_DAY + (DAYS / 2 if lat is not None and lat < 0 else 0.0)


# --------------------------------------------------------------------------- solar


def solar_profile(
    lat: float, lon: float, year: int = 2019, tilt: float | None = None, azimuth: float | None = None
) -> pd.Series:
    """Clear-sky PV output per unit of DC capacity, 8760 hours, peak at most 1.

    Fixed plane, tilt ``min(|lat|, 35)`` degrees facing the equator unless given
    (azimuth in degrees clockwise from north, pvlib convention). Only the shape
    matters: the model rescales it to the cluster's full-load hours with
    :func:`scale_to_full_load_hours`.
    """
    import pvlib  # heavy import; only the PV profile needs it

    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise ValueError(f"lat must be in [-90, 90] and lon in [-180, 180], got lat={lat}, lon={lon}")
    _check_year(year)
    tilt = min(abs(lat), 35.0) if tilt is None else float(tilt)
    azimuth = (180.0 if lat >= 0 else 0.0) if azimuth is None else float(azimuth)
    if not 0 <= tilt <= 90:
        raise ValueError(f"tilt must be in [0, 90] degrees, got {tilt}")

    offset = int(round(lon / 15))
    zone = dt.timezone(dt.timedelta(hours=offset))
    # Evaluate at mid-hour: the best single sample of the energy in hour [h, h+1).
    starts = pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h", tz=zone)
    starts = starts[~((starts.month == 2) & (starts.day == 29))]
    times = starts + pd.Timedelta(minutes=30)

    try:
        location = pvlib.location.Location(lat, lon, tz=offset)  # altitude from pvlib's bundled map
    except (ImportError, OSError):
        location = pvlib.location.Location(lat, lon, tz=offset, altitude=0.0)
    position = location.get_solarposition(times)
    try:
        # Ineichen-Perez with pvlib's bundled monthly Linke turbidity climatology.
        sky = location.get_clearsky(times, model="ineichen", solar_position=position)
    except (ImportError, OSError) as err:
        warnings.warn(f"Linke turbidity lookup failed ({err}); using the simplified Solis clear-sky model",
                      stacklevel=2)
        sky = location.get_clearsky(times, model="simplified_solis", solar_position=position)

    poa = pvlib.irradiance.get_total_irradiance(
        tilt, azimuth, position["apparent_zenith"], position["azimuth"], sky["dni"], sky["ghi"], sky["dhi"],
        dni_extra=pvlib.irradiance.get_extra_radiation(times), model="haydavies",
    )  # fmt: skip
    # Cell temperature held at 25 °C: without weather data a temperature model would
    # only trim summer noons a little, and the level is rescaled anyway.
    dc = pvlib.pvsystem.pvwatts_dc(poa["poa_global"].fillna(0.0), temp_cell=25.0, pdc0=1.0, gamma_pdc=-0.004)
    values = np.clip(np.asarray(dc, dtype=float), 0.0, None)
    values /= max(1.0, values.max())
    return pd.Series(values, index=_hour_index(), name="solar")


def _fit_weighted_sum(values: np.ndarray, weights: np.ndarray, target: float, upper: float) -> np.ndarray:
    """Scale non-negative ``values`` so that sum(weights * values) == target, each value <= upper.

    Water filling: values that would exceed ``upper`` are fixed there and the rest
    scaled up to make up for the clipped energy, until nothing more clips. Each
    round fixes at least one more value, so the loop ends; the result is exact up
    to rounding.
    """
    weights = np.broadcast_to(weights, values.shape)
    reachable = upper * weights[values > 0].sum()
    if target > reachable * (1 + 1e-12):
        raise ValueError(f"target {target:g} is above the {reachable:g} this shape can reach without exceeding "
                         f"{upper:g} (the hours where it is zero stay zero)")
    capped = np.zeros(values.shape, dtype=bool)
    while True:
        free = np.where(capped, 0.0, weights * values).sum()
        fixed = np.where(capped, weights * upper, 0.0).sum()
        if free <= 0:  # everything positive is at the cap: the target was the reachable maximum
            return np.where(capped, upper, values)
        out = np.where(capped, upper, values * ((target - fixed) / free))
        over = (out > upper) & ~capped
        if not over.any():
            return out
        capped |= over


def scale_to_full_load_hours(profile: pd.Series, hours: float) -> pd.Series:
    """Rescale a non-negative shape so it sums to ``hours`` with no value above 1.

    Hours where the shape is zero stay zero; energy clipped at 1 is spread over the
    other hours in proportion to the shape.
    """
    values = np.asarray(profile, dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("profile must be finite and non-negative")
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"full-load hours must be a non-negative number, got {hours!r}")
    if hours > len(values):
        raise ValueError(f"{hours:g} full-load hours is impossible in a profile of {len(values)} hours")
    if hours == 0:
        return pd.Series(0.0, index=profile.index, name=profile.name)
    if not (values > 0).any():
        raise ValueError("profile is zero everywhere; it cannot be scaled to positive full-load hours")
    try:
        scaled = _fit_weighted_sum(values, np.ones(1), float(hours), 1.0)
    except ValueError:
        raise ValueError(f"{hours:g} full-load hours is impossible for this shape: it produces in only "
                         f"{int((values > 0).sum())} hours, so at most that many full-load hours") from None
    return pd.Series(scaled, index=profile.index, name=profile.name)


# --------------------------------------------------------------------------- wind


def power_curve(speed: np.ndarray) -> np.ndarray:
    """Generic turbine: cubic from cut-in to rated, flat to cut-out, zero beyond."""
    speed = np.asarray(speed, dtype=float)
    cubic = (speed**3 - CUT_IN**3) / (RATED**3 - CUT_IN**3)
    return np.select([speed < CUT_IN, speed < RATED, speed < CUT_OUT], [0.0, cubic, 1.0], 0.0)


def wind_profile(
    seed: int = 0,
    year: int = 2019,
    mean_speed: float = 7.5,
    weibull_k: float = 2.0,
    hub_height: float = 100.0,
    reference_height: float = 100.0,
    *,
    shear_exponent: float = 1 / 7,
    autocorrelation: float = 0.97,
    seasonal_amplitude: float = 0.10,
    diurnal_amplitude: float = 0.05,
    lat: float | None = None,
) -> pd.Series:
    """Synthetic hourly wind capacity factor in [0, 1], a stand-in for measured data.

    An AR(1) Gaussian process is mapped to Weibull(k, c) speeds with annual mean
    ``mean_speed`` at ``reference_height``, carried to ``hub_height`` by a power law,
    modulated by a winter maximum and an afternoon maximum, and passed through
    :func:`power_curve`. ``seed`` and ``year`` together pick the synthetic weather
    year, so the same arguments always give the same series. ``lat`` only decides
    the hemisphere (winter in January or in July).
    """
    _check_year(year)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not (mean_speed > 0 and weibull_k > 0 and hub_height > 0 and reference_height > 0):
        raise ValueError("mean_speed, weibull_k, hub_height and reference_height must be positive")
    if not 0 <= autocorrelation < 1:
        raise ValueError(f"autocorrelation must be in [0, 1), got {autocorrelation}")
    if not (0 <= seasonal_amplitude < 1 and 0 <= diurnal_amplitude < 1
            and seasonal_amplitude + diurnal_amplitude < 1):  # fmt: skip
        raise ValueError("seasonal_amplitude and diurnal_amplitude must be in [0, 1) and sum to less than 1")
    from scipy.signal import lfilter
    from scipy.special import log_ndtr

    rng = np.random.default_rng([int(seed), int(year)])
    phi = autocorrelation
    shocks = rng.standard_normal(HOURS)
    # z_t = phi z_{t-1} + sqrt(1 - phi^2) e_t, started from the stationary N(0, 1).
    z = lfilter([math.sqrt(1 - phi**2)], [1.0, -phi], shocks, zi=[phi * rng.standard_normal()])[0]
    # Probability integral transform to Weibull: v = c (-ln(1 - Phi(z)))^(1/k);
    # 1 - Phi(z) = Phi(-z), taken in logs so the upper tail keeps its precision.
    scale = mean_speed / math.gamma(1 + 1 / weibull_k)
    speed = scale * (-log_ndtr(-z)) ** (1 / weibull_k)

    day = _day_of_year()
    hour_of_day = np.tile(np.arange(HOURS_PER_DAY), DAYS)
    # Both cosines average to zero over the year, so the annual mean speed is kept.
    modulation = (1 + seasonal_amplitude * np.cos(2 * np.pi * (day - _winter_phase(lat)) / DAYS)
                  + diurnal_amplitude * np.cos(2 * np.pi * (hour_of_day + 0.5 - 15) / HOURS_PER_DAY))  # fmt: skip
    speed = speed * modulation * (hub_height / reference_height) ** shear_exponent
    return pd.Series(power_curve(speed), index=_hour_index(), name="wind")


# --------------------------------------------------------------------------- demand


def demand_profile(kind: str, year: int = 2019, lat: float | None = None) -> pd.Series:
    """Hourly demand shape with mean 1: ``flat``, ``weekday`` or ``heating``.

    ``year`` places the weekends; ``lat`` only decides the hemisphere for heating.
    """
    _check_year(year)
    if kind == "flat":
        values = np.ones(HOURS)
    elif kind == "weekday":
        dates = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
        dates = dates[~((dates.month == 2) & (dates.day == 29))]
        daily = np.where(dates.dayofweek >= 5, WEEKEND_FACTOR, 1.0)
        values = np.repeat(daily, HOURS_PER_DAY)
    elif kind == "heating":
        day = np.arange(DAYS)
        temperature = HEATING_T_MEAN - HEATING_T_AMPLITUDE * np.cos(2 * np.pi * (day - _winter_phase(lat)) / DAYS)
        degree_days = np.maximum(HEATING_T_BASE - temperature, 0.0)
        daily = HEATING_BASE_SHARE + (1 - HEATING_BASE_SHARE) * degree_days / degree_days.mean()
        values = np.repeat(daily, HOURS_PER_DAY)
    else:
        raise ValueError(f"unknown demand profile kind {kind!r}; choose one of {', '.join(DEMAND_KINDS)}")
    return pd.Series(values / values.mean(), index=_hour_index(), name=kind)


# --------------------------------------------------------------------------- typical days


@dataclass(frozen=True, eq=False)
class TypicalDays:
    """Typical days of 24 hours standing in for a 365-day year.

    ``profiles`` (day, hour, series) on the original scale; ``weight`` (day) the
    number of real days each typical day represents (sums to 365); ``order``
    (365,) the typical day of each real day, for storage linked across days
    (Kotzur et al. 2018). ``profiles`` carries a ``source_day`` coordinate: the
    real day (0..364) whose hours the typical day was taken from.

    ``duration`` (day, hour): the hours each time step of a day lasts. Without
    segmentation every day has 24 steps of 1 hour; with it (tsam's segmentation) each
    day has the same number of steps of whole hours, different from day to day, that
    sum to 24. The dimension keeps the name ``hour``: step h of a day.
    """

    profiles: xr.DataArray
    weight: xr.DataArray
    order: np.ndarray
    duration: xr.DataArray | None = None

    def __post_init__(self) -> None:
        if self.profiles.dims != ("day", "hour", "series") or not 1 <= self.profiles.sizes["hour"] <= HOURS_PER_DAY:
            raise ValueError("profiles must have dims ('day', 'hour', 'series') with 1 to 24 time steps a day")
        if self.weight.dims != ("day",) or self.weight.size != self.profiles.sizes["day"]:
            raise ValueError("weight must have the single dim 'day', one entry per typical day")
        order = np.asarray(self.order)
        if order.shape != (DAYS,) or order.min() < 0 or order.max() >= self.n_days:
            raise ValueError(f"order must hold {DAYS} typical-day indices in [0, {self.n_days})")
        if not np.array_equal(np.bincount(order, minlength=self.n_days), self.weight.values):
            raise ValueError("weight must count how often each typical day occurs in order")
        order = order.astype(np.int64, copy=True)
        order.flags.writeable = False
        object.__setattr__(self, "order", order)
        duration = self.duration
        if duration is None:
            if self.n_steps != HOURS_PER_DAY:
                raise ValueError("days of fewer than 24 time steps need the duration of each step")
            duration = xr.DataArray(np.ones((self.n_days, HOURS_PER_DAY)), dims=("day", "hour"))
        duration = duration.astype(float).assign_coords(day=self.profiles.coords["day"],
                                                        hour=self.profiles.coords["hour"])  # fmt: skip
        if duration.dims != ("day", "hour") or duration.shape != self.profiles.shape[:2]:
            raise ValueError("duration must have dims ('day', 'hour') like profiles")
        values = duration.values
        if (values < 1).any() or (values != np.round(values)).any() or (values.sum(axis=1) != HOURS_PER_DAY).any():
            raise ValueError("each time step must last a whole number of hours, and each day's steps 24 hours")
        object.__setattr__(self, "duration", duration.rename("duration"))

    @property
    def n_days(self) -> int:
        return self.profiles.sizes["day"]

    @property
    def n_steps(self) -> int:
        """Time steps a day: 24 hours, or the number of segments."""
        return self.profiles.sizes["hour"]

    @property
    def series(self) -> list[str]:
        return list(self.profiles.coords["series"].values)

    def snapshot_weights(self) -> xr.DataArray:
        """Real hours each (typical day, step) stands for, flattened to dim ``snapshot``; sums to 8760.

        ``snapshot = day * steps + step``; the ``day`` and ``hour`` (step) of each
        snapshot are kept as coordinates along it.
        """
        w = (self.weight * self.duration).values.reshape(-1)
        return xr.DataArray(w, dims="snapshot", coords=self._snapshot_coords(), name="weight")

    def snapshot_profiles(self) -> xr.DataArray:
        """``profiles`` flattened to dims (snapshot, series), matching :meth:`snapshot_weights`."""
        values = self.profiles.values.reshape(-1, self.profiles.sizes["series"])
        coords = self._snapshot_coords() | {"series": self.profiles.coords["series"].values}
        return xr.DataArray(values, dims=("snapshot", "series"), coords=coords, name=self.profiles.name)

    def reconstruct(self) -> pd.DataFrame:
        """The 8760-hour year rebuilt by laying out the typical days in ``order`` (a step's value in each of its hours)."""
        steps = self.profiles.values[self.order].reshape(DAYS * self.n_steps, -1)
        values = np.repeat(steps, self.duration.values[self.order].reshape(-1).astype(np.int64), axis=0)
        return pd.DataFrame(values, index=_hour_index(), columns=pd.Index(self.series, name="series"))

    def _snapshot_coords(self) -> dict:
        n = self.n_days * self.n_steps
        return {"snapshot": np.arange(n), "day": ("snapshot", np.arange(n) // self.n_steps),
                "hour": ("snapshot", np.arange(n) % self.n_steps)}  # fmt: skip


def _typical_days_from(values: np.ndarray, weight: np.ndarray, order: np.ndarray, source_day: np.ndarray,
                       columns: pd.Index, duration: np.ndarray | None = None) -> TypicalDays:  # fmt: skip
    n, steps = values.shape[:2]
    day, hour = np.arange(n), np.arange(steps)
    profiles = xr.DataArray(
        values, dims=("day", "hour", "series"), name="profiles",
        coords={"day": day, "hour": hour, "series": list(columns), "source_day": ("day", source_day)},
    )  # fmt: skip
    return TypicalDays(profiles, xr.DataArray(weight, dims="day", coords={"day": day}, name="weight"), order,
                       None if duration is None else xr.DataArray(duration, coords=[("day", day), ("hour", hour)]))


def typical_days(profiles: pd.DataFrame, days: int = 12, segments: int = HOURS_PER_DAY) -> TypicalDays:
    """Aggregate a year of hourly profiles (8760 rows, one column per series) to ``days`` typical days.

    Hierarchical clustering (Ward) of the 365 daily profiles with the medoid as
    representative, via tsam; then each series is rescaled so its weighted annual
    sum equals the original sum exactly, without exceeding the series' maximum.
    ``days >= 365`` returns the year itself (365 days of weight 1). ``segments`` < 24
    merges each day's hours into that many time steps of whole hours (tsam's
    segmentation of adjacent hours), each valued at the mean of its hours.
    """
    for name, value, top in (("days", days, None), ("segments", segments, HOURS_PER_DAY)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        if value < 1 or (top is not None and value > top):
            raise ValueError(f"{name} must be at least 1{f' and at most {top}' if top else ''}, got {value}")
    if not isinstance(profiles, pd.DataFrame) or profiles.shape[1] == 0:
        raise ValueError("profiles must be a DataFrame with at least one column")
    if len(profiles) != HOURS:
        raise ValueError(f"profiles must have {HOURS} hourly rows (365 days), got {len(profiles)}")
    if not profiles.columns.is_unique:
        raise ValueError("profile column names must be unique")
    try:
        data = profiles.to_numpy(dtype=float, copy=True)  # the result must not share memory with the input
    except (TypeError, ValueError):
        raise ValueError("profiles must be numeric") from None
    if not np.isfinite(data).all():
        raise ValueError("profiles must be finite (no NaN or inf)")
    if (data < 0).any():
        raise ValueError("profiles must be non-negative (capacity factors and demands)")

    days = min(int(days), DAYS)
    if days == DAYS and segments == HOURS_PER_DAY:
        return _typical_days_from(data.reshape(DAYS, HOURS_PER_DAY, -1), np.ones(DAYS, dtype=np.int64),
                                  np.arange(DAYS), np.arange(DAYS), profiles.columns)  # fmt: skip

    import tsam

    # tsam wants a DatetimeIndex; any non-leap year of hours will do, the values are positional.
    frame = pd.DataFrame(data, columns=[str(c) for c in range(data.shape[1])],
                         index=pd.date_range("2019-01-01", periods=HOURS, freq="h"))  # fmt: skip
    # tsam's own mean preservation is off: it works on min-max normalized values and
    # spreads the residual by headroom, which lifts zero hours (PV nights, calms).
    medoids = tsam.ClusterConfig(method="hierarchical", representation="medoid")
    # Segments are tsam's: adjacent hours of each typical day merged (on the normalised
    # values, all series at once), each valued at the mean of its hours, which keeps energy.
    segmentation = tsam.SegmentConfig(n_segments=int(segments)) if segments < HOURS_PER_DAY else None
    result = tsam.aggregate(frame, days, cluster=medoids, segments=segmentation, preserve_column_means=False)
    labels = np.asarray(result.cluster_assignments, dtype=np.int64)
    centers = np.asarray(result.clustering.cluster_centers, dtype=np.int64)
    n = len(centers)
    values = result.cluster_representatives[frame.columns].to_numpy(dtype=float).reshape(n, segments, -1)
    duration = (np.asarray(result.clustering.segment_durations, dtype=float) if segmentation
                else np.ones((n, HOURS_PER_DAY)))  # fmt: skip

    # Number the typical days in calendar order of their medoids: stable and readable.
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(centers, kind="stable")] = np.arange(n)
    order = rank[labels]
    values, duration = values[np.argsort(rank)], duration[np.argsort(rank)]
    source_day = np.sort(centers)
    weight = np.bincount(order, minlength=n).astype(np.int64)

    # Rescale in original units, multiplicatively, capped at the series' maximum:
    # zero hours (night, calm) stay zero and the weighted annual sum is exact.
    target = data.sum(axis=0)
    hours = weight[:, None] * duration  # real hours each step stands for
    for j in range(values.shape[2]):
        try:
            values[:, :, j] = _fit_weighted_sum(values[:, :, j], hours, target[j], data[:, j].max())
        except ValueError:
            raise ValueError(f"series {profiles.columns[j]!r}: {days} typical days cannot keep its annual sum "
                             "without exceeding its maximum (its energy sits in days no typical day represents); "
                             "use more days") from None
    return _typical_days_from(values, weight, order, source_day, profiles.columns, duration)
