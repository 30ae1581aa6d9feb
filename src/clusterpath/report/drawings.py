"""The report's figures drawn with matplotlib, for the PDF (plotly's static export needs a browser download).

Each drawer takes the same chart table as its plotly builder in ``figures`` and draws the same numbers.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from clusterpath.report.content import Chart, wrap
from clusterpath.report.figures import MAP_LABELS, bubble_sizes, macc_bars, macc_cut, macc_range, world_outline

COLORS = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#8ab17d", "#6d597a", "#b56576", "#457b9d", "#adb5bd"]


def png(chart: Chart, width: float = 7.0, height: float = 3.8, dpi: int = 160) -> bytes:
    buffer = io.BytesIO()
    draw(chart, width, height).savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def draw(chart: Chart, width: float = 7.0, height: float = 3.8) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # a renderer, to measure labels
    axes = figure.add_subplot(projection="polar" if chart.kind == "radar" else None)
    axes.set_title(chart.title, fontsize=10)
    DRAWERS[chart.kind](axes, chart.data, chart.unit)
    if chart.kind not in ("radar", "map", "gantt"):
        # 1,500,000 rather than 1.5 with "1e6" in a corner.
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))
        if chart.kind == "macc":
            axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))
    if chart.kind == "macc":
        _drop_overlapping(axes, set(chart.data["lever"]))
    return figure


def waterfall(ax, steps: pd.DataFrame, unit: str) -> None:
    value = steps[steps.columns[1]].to_numpy(dtype=float)
    bottoms, heights, colors, level = [], [], [], 0.0
    for v, measure in zip(value, steps["measure"], strict=True):
        if measure == "relative":
            bottoms.append(level + min(v, 0.0))
            heights.append(abs(v))
            colors.append(COLORS[1] if v < 0 else COLORS[4])
            level += v
        else:
            level = level if measure == "total" else v
            bottoms.append(0.0)
            heights.append(level)
            colors.append(COLORS[0])
    x = np.arange(len(value))
    ax.bar(x, heights, bottom=bottoms, color=colors)
    ax.set_xticks(x, [wrap(s) for s in steps["step"]], fontsize=7)
    ax.set_ylabel(unit, fontsize=8)


def area(ax, table: pd.DataFrame, unit: str) -> None:
    periods = [int(p) for p in table.columns]
    ax.stackplot(periods, table.to_numpy(dtype=float), labels=[str(i) for i in table.index], colors=_colors(len(table)))
    ax.set_xticks(periods)
    ax.set_xlabel("period", fontsize=8)
    ax.set_ylabel(unit, fontsize=8)
    _legend(ax)


def macc(ax, table: pd.DataFrame, unit: str) -> None:
    bars = macc_bars(table)
    cost = table.columns[3]
    families = list(dict.fromkeys(bars["lever family"]))
    colors = dict(zip(families, _colors(len(families)), strict=True))
    for family in families:
        group = bars[bars["lever family"] == family]
        ax.bar(group["left"], group[cost], width=group["right"] - group["left"], align="edge", label=family,
               color=colors[family], edgecolor="white")  # fmt: skip
    shown = macc_range(bars[cost])
    top = float("inf") if shown is None else shown[1]
    for _, row in bars.iterrows():
        # Upright names above the bars (above zero for a bar below it), within the axis: narrow bars' names are
        # dropped where they would collide.
        y = min(max(row[cost], 0.0), top)
        ax.annotate(row["lever"], ((row["left"] + row["right"]) / 2, y), fontsize=6, ha="center", rotation=90,
                    va="bottom", annotation_clip=False)  # fmt: skip
    ax.axhline(0, color="black", linewidth=0.5)
    ax.margins(y=0.3)  # room for the names above the tallest bars
    if shown is not None:
        cut, note = macc_cut(bars, cost, shown)
        ax.set_ylim(shown[0] * 1.4, shown[1] * 1.4)
        for _, row in cut.iterrows():
            up = row[cost] > 0
            ax.annotate(f"{'▲' if up else '▼'} {row[cost]:,.0f}", ((row["left"] + row["right"]) / 2, shown[up]),
                        fontsize=6, ha="center", va="top" if up else "bottom", color="#c1121f")  # fmt: skip
    ax.set_xlabel(f"{table.columns[2]} (cumulative)" + ("" if shown is None else f"\n{wrap(note, 110)}"), fontsize=8)
    ax.set_ylabel(unit, fontsize=8)
    _legend(ax)


def _drop_overlapping(ax, names: set[str]) -> None:
    """Hide lever names that would overlap one drawn before (widest bars first), the title or the legend."""
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.draw_without_rendering()
    taken = [ax.title.get_window_extent(renderer)]
    if ax.get_legend() is not None:
        taken.append(ax.get_legend().get_window_extent(renderer))
    labels = [t for t in ax.texts if t.get_text() in names]
    for text in sorted(labels, key=lambda t: -_bar_width(ax, t)):
        box = text.get_window_extent(renderer)
        if any(box.overlaps(other) for other in taken):
            text.set_visible(False)
        else:
            taken.append(box)


def _bar_width(ax, text) -> float:
    x = text.xy[0]
    return max((p.get_width() for p in ax.patches if p.get_x() <= x <= p.get_x() + p.get_width()), default=0.0)


def allocation(ax, table: pd.DataFrame, unit: str) -> None:
    x = np.arange(len(table))
    for i, column in enumerate(table.columns[1:3]):
        ax.bar(x + (i - 0.5) * 0.4, table[column], width=0.4, label=column.split(",")[0], color=COLORS[i])
    ax.set_xticks(x, [str(m) for m in table["member"]], fontsize=7, rotation=30 if len(table) > 6 else 0)
    ax.set_ylabel(unit, fontsize=8)
    _legend(ax)


def portfolio_map(ax, table: pd.DataFrame, unit: str) -> None:
    lon, lat = world_outline()
    ring_x: list[float] = []
    ring_y: list[float] = []
    for x, y in zip(lon, lat, strict=True):
        if x is None:
            ax.fill(ring_x, ring_y, color="#e9ecef", edgecolor="#adb5bd", linewidth=0.3)
            ring_x, ring_y = [], []
        else:
            ring_x.append(x)
            ring_y.append(y)
    sizes = bubble_sizes(table[table.columns[3]], largest=30.0) ** 2  # matplotlib sizes are areas in points²
    ax.scatter(table["lon"], table["lat"], s=np.maximum(sizes, 9), color=COLORS[1], alpha=0.7, edgecolor=COLORS[0])
    for _, row in table.iterrows() if len(table) <= MAP_LABELS else ():
        ax.annotate(str(row["cluster"]), (row["lon"], row["lat"]), fontsize=6, xytext=(0, 4),
                    textcoords="offset points", ha="center")  # fmt: skip
    ax.set_xlim(-180, 180)
    ax.set_ylim(-60, 85)
    ax.set_aspect("equal")
    ax.set_xlabel("longitude", fontsize=8)
    ax.set_ylabel("latitude", fontsize=8)


def radar(ax, table: pd.DataFrame, unit: str) -> None:
    for (name, group), color in zip(table.groupby("name", sort=False), COLORS * 10, strict=False):
        angles = np.linspace(0, 2 * np.pi, len(group), endpoint=False)
        scores = group["score"].to_numpy(dtype=float)
        ax.plot(np.append(angles, angles[0]), np.append(scores, scores[0]), color=color, label=str(name))
        ax.fill(angles, scores, color=color, alpha=0.15)
        ax.set_xticks(angles, list(group["pillar"]), fontsize=8)
    ax.set_ylim(0, 100)
    _legend(ax)


def gantt(ax, table: pd.DataFrame, unit: str) -> None:
    tasks = list(dict.fromkeys(table["task"]))
    for (phase, group), color in zip(table.groupby("phase", sort=False), COLORS, strict=False):
        ax.barh([tasks.index(t) for t in group["task"]], group["end"] - group["start"], left=group["start"],
                color=color, label=str(phase), alpha=0.85)  # fmt: skip
    ax.set_yticks(range(len(tasks)), tasks, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(unit, fontsize=8)
    _legend(ax)


def bars(ax, table: pd.DataFrame, unit: str) -> None:
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    for column, color in zip(table.columns[1:], COLORS * 10, strict=False):
        values = table[column].to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, label=str(column), color=color)
        bottom = bottom + values
    ax.set_xticks(x, [str(v) for v in table.iloc[:, 0]], fontsize=7)
    ax.set_ylabel(unit, fontsize=8)
    _legend(ax)


def _colors(n: int) -> list[str]:
    return [COLORS[i % len(COLORS)] for i in range(n)]


def _legend(ax) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="best", frameon=False)


DRAWERS = {"waterfall": waterfall, "area": area, "macc": macc, "allocation": allocation, "map": portfolio_map,
           "radar": radar, "gantt": gantt, "bars": bars}  # fmt: skip
