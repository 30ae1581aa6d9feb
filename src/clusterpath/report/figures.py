"""Plotly figures of a report, each a pure function of a chart's table (``content.Chart``).

No geo traces: plotly draws those from topojson it fetches from a CDN, which an offline report
cannot. The portfolio map is plain longitude/latitude axes over a shipped world outline.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from clusterpath.report.content import Chart, wrap

MAP_LABELS = 8  # clusters named on the map at most
LAYOUT = {"template": "plotly_white", "margin": {"l": 70, "r": 20, "t": 60, "b": 60}, "height": 440}


def figure(chart: Chart) -> go.Figure:
    built = BUILDERS[chart.kind](chart.data, chart.unit)
    built.update_layout(title=chart.title, **LAYOUT)
    return built


def waterfall(steps: pd.DataFrame, unit: str) -> go.Figure:
    """Columns step, value (in ``unit``), measure (absolute, relative, total)."""
    value = steps.columns[1]
    labels = [wrap(step, newline="<br>") for step in steps["step"]]
    return go.Figure(go.Waterfall(x=labels, y=list(steps[value]), measure=list(steps["measure"]),
                                  text=[f"{v:,.0f}" for v in steps[value]], textposition="outside",
                                  decreasing={"marker": {"color": "#2a9d8f"}},
                                  increasing={"marker": {"color": "#e76f51"}},
                                  totals={"marker": {"color": "#264653"}})).update_layout(
        yaxis_title=unit, xaxis={"tickangle": 0})  # fmt: skip


def area(table: pd.DataFrame, unit: str) -> go.Figure:
    """One stacked band per row; the columns are the periods."""
    periods = [int(p) for p in table.columns]
    traces = [go.Scatter(x=periods, y=list(row), name=str(name), stackgroup="one", mode="lines")
              for name, row in table.iterrows()]  # fmt: skip
    return go.Figure(traces).update_layout(xaxis_title="period", yaxis_title=unit, xaxis={"tickvals": periods})


def macc_bars(table: pd.DataFrame) -> pd.DataFrame:
    """Where each lever's bar stands: cheapest first, as wide as its abatement, side by side."""
    width, cost = table.columns[2], table.columns[3]
    ordered = table.sort_values(cost, kind="stable").reset_index(drop=True)
    right = ordered[width].cumsum()
    return ordered.assign(left=right - ordered[width], right=right)


# An extreme bar would flatten the rest: the cost axis stops at this many times the typical bar's height.
CLIP_FACTOR = 5.0


def macc_range(costs: pd.Series) -> tuple[float, float] | None:
    """The cost axis when one or more bars are extreme, else None (the axis fits every bar).

    Extreme: taller than CLIP_FACTOR times the median height of the bars but the tallest. The axis then
    reaches a tenth beyond the tallest bar within that limit, on each side of zero that has bars.
    """
    heights = costs.abs().sort_values()
    if len(heights) < 2:
        return None
    limit = CLIP_FACTOR * float(heights.iloc[:-1].median())
    if limit <= 0 or heights.iloc[-1] <= limit:
        return None
    inside = costs[costs.abs() <= limit]
    high = 1.1 * max(float(inside.max()), 0.0) if (costs > 0).any() else 0.0
    low = 1.1 * min(float(inside.min()), 0.0) if (costs < 0).any() else 0.0
    return low or -0.05 * high, high or -0.05 * low


def macc_cut(bars: pd.DataFrame, cost: str, shown: tuple[float, float]) -> tuple[pd.DataFrame, str]:
    """The bars beyond the axis, and the note that says so (with their values)."""
    cut = bars[(bars[cost] > shown[1]) | (bars[cost] < shown[0])]
    values = "; ".join(f"{row['lever']} {row[cost]:,.0f}" for _, row in cut.iterrows())
    return cut, f"Axis cut: bars beyond it are shortened (▲/▼), their values: {values}"


def macc(table: pd.DataFrame, unit: str) -> go.Figure:
    """Columns lever, lever family, abatement, cost per tonne."""
    bars = macc_bars(table)
    width, cost = table.columns[2], table.columns[3]
    figure = go.Figure()
    for family, group in bars.groupby("lever family", sort=False):
        figure.add_trace(go.Bar(x=list((group["left"] + group["right"]) / 2), y=list(group[cost]),
                                width=list(group[width]), name=family, text=list(group["lever"]),
                                textposition="inside", insidetextanchor="middle", textangle=-90,
                                hovertemplate="%{text}: %{y:,.1f} per tCO2e<extra></extra>"))  # fmt: skip
    # Labels that do not fit their bar are hidden rather than drawn over each other (the table lists every lever).
    figure.update_layout(xaxis_title=f"{width} (cumulative)", yaxis_title=unit, bargap=0,
                         uniformtext={"minsize": 8, "mode": "hide"})  # fmt: skip
    shown = macc_range(bars[cost])
    if shown is not None:
        cut, note = macc_cut(bars, cost, shown)
        figure.update_yaxes(range=list(shown))
        for _, row in cut.iterrows():
            top = row[cost] > 0
            figure.add_annotation(x=(row["left"] + row["right"]) / 2, y=shown[1] if top else shown[0],
                                  text=f"{'▲' if top else '▼'} {row[cost]:,.0f}", showarrow=False,
                                  yanchor="top" if top else "bottom")  # fmt: skip
        figure.add_annotation(text=note, xref="paper", yref="paper", x=0, y=1.0, xanchor="left", yanchor="bottom",
                              showarrow=False, font={"size": 10})  # fmt: skip
    return figure


def allocation(table: pd.DataFrame, unit: str) -> go.Figure:
    """Columns member, allocated, stand-alone, ...: two bars per member."""
    members = list(table["member"])
    return go.Figure([go.Bar(name=column.split(",")[0], x=members, y=list(table[column]))
                      for column in table.columns[1:3]]).update_layout(barmode="group", yaxis_title=unit)  # fmt: skip


@cache
def world_outline() -> tuple[list[float | None], list[float | None]]:
    """Longitudes and latitudes of the land's outer rings, rings separated by None (data/world_land_110m.json)."""
    rings = json.loads(files("clusterpath.data").joinpath("world_land_110m.json").read_text(encoding="utf-8"))["rings"]
    lon: list[float | None] = []
    lat: list[float | None] = []
    for ring in rings:
        for i, (x, y) in enumerate(ring):
            # A ring crossing the antimeridian (Russia, Fiji) is cut there rather than drawn across the map.
            if i and abs(x - ring[i - 1][0]) > 180:
                lon.append(None)
                lat.append(None)
            lon.append(x)
            lat.append(y)
        lon.append(None)
        lat.append(None)
    return lon, lat


def bubble_sizes(values: pd.Series, largest: float = 60.0) -> np.ndarray:
    """Marker diameters whose areas are proportional to the values."""
    top = float(values.max()) if len(values) else 0.0
    return np.sqrt(values.clip(lower=0) / top) * largest if top > 0 else np.full(len(values), 8.0)


def portfolio_map(table: pd.DataFrame, unit: str) -> go.Figure:
    """Columns cluster, lon, lat, and the value the bubbles are sized by (the fourth)."""
    value = table.columns[3]
    lon, lat = world_outline()
    outline = go.Scatter(x=lon, y=lat, mode="lines", fill="toself", fillcolor="#e9ecef",
                         line={"color": "#adb5bd", "width": 0.5}, hoverinfo="skip", showlegend=False)  # fmt: skip
    # Beyond a handful of clusters names overlap: they show on hover, and the report's tables list them.
    mode = "markers+text" if len(table) <= MAP_LABELS else "markers"
    bubbles = go.Scatter(x=list(table["lon"]), y=list(table["lat"]), mode=mode, text=list(table["cluster"]),
                         textposition="top center", name=value,
                         marker={"size": bubble_sizes(table[value]), "sizemin": 4, "color": "#2a9d8f", "opacity": 0.7,
                                 "line": {"color": "#264653", "width": 1}},
                         customdata=list(table[value]),
                         hovertemplate="%{text}: %{customdata:,.0f} " + unit + "<extra></extra>")  # fmt: skip
    return go.Figure([outline, bubbles]).update_layout(
        xaxis={"range": [-180, 180], "title": "longitude", "showgrid": False, "zeroline": False},
        yaxis={"range": [-60, 85], "title": "latitude", "showgrid": False, "zeroline": False, "scaleanchor": "x"},
        height=520)  # fmt: skip


def radar(table: pd.DataFrame, unit: str) -> go.Figure:
    """Columns name (a cluster), pillar, score: one closed polygon per name."""
    figure = go.Figure()
    for name, group in table.groupby("name", sort=False):
        pillars = list(group["pillar"])
        scores = list(group["score"])
        figure.add_trace(go.Scatterpolar(r=scores + scores[:1], theta=pillars + pillars[:1], fill="toself",
                                         name=str(name)))
    return figure.update_layout(polar={"radialaxis": {"range": [0, 100], "title": unit}})


def gantt(table: pd.DataFrame, unit: str) -> go.Figure:
    """Columns task, phase, start, end (years): one horizontal bar per task and phase."""
    figure = go.Figure()
    for phase, group in table.groupby("phase", sort=False):
        figure.add_trace(go.Bar(y=list(group["task"]), x=list(group["end"] - group["start"]), base=list(group["start"]),
                                orientation="h", name=str(phase)))  # fmt: skip
    return figure.update_layout(barmode="overlay", xaxis_title=unit, yaxis={"autorange": "reversed"})


def bars(table: pd.DataFrame, unit: str) -> go.Figure:
    """The first column labels the x axis; every other column is a stacked series."""
    x = [str(v) for v in table.iloc[:, 0]]
    traces = [go.Bar(name=str(column), x=x, y=list(table[column])) for column in table.columns[1:]]
    return go.Figure(traces).update_layout(barmode="stack", yaxis_title=unit)


BUILDERS = {"waterfall": waterfall, "area": area, "macc": macc, "allocation": allocation, "map": portfolio_map,
            "radar": radar, "gantt": gantt, "bars": bars}  # fmt: skip
