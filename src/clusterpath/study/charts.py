"""Figures of comparisons and sweeps, written as self-contained HTML (plotly.js inside the file).

The files open offline and keep working when moved: the plotly package's own copy of
plotly.js is embedded once per file, never fetched from a CDN.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

BANDS = ((5, 95), (25, 75))  # percentile bands of a fan chart, outer first


def write_html(path: Path, figures: list, title: str) -> Path:
    """Several figures on one page; plotly.js is embedded with the first."""
    parts = [figure.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, figure in enumerate(figures)]
    page = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n"
            + "\n".join(parts) + "\n</body></html>\n")  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


# -- comparison ---------------------------------------------------------------------------
def comparison_figures(costs: pd.DataFrame, emissions: pd.DataFrame, investments: pd.DataFrame, currency: str) -> list:
    import plotly.graph_objects as go

    kinds = costs.drop(index="total", errors="ignore")
    cost = go.Figure([go.Bar(name=kind.replace("_", " "), x=list(kinds.columns), y=list(row / 1e6))
                      for kind, row in kinds.iterrows()])  # fmt: skip
    cost.update_layout(barmode="relative", title="Net present cost by kind",
                       yaxis_title=f"million {currency}", legend_title="kind")  # fmt: skip
    trend = go.Figure([go.Scatter(name=name, x=list(column.dropna().index), y=list(column.dropna()), mode="lines+markers")
                       for name, column in emissions.items()])  # fmt: skip
    trend.update_layout(title="Emissions, all scopes", xaxis_title="period", yaxis_title="tCO2e per year")
    labels = [f"{lever.replace('_', ' ')} ({unit})" for lever, unit in investments.index]
    built = go.Figure([go.Bar(name=name, x=labels, y=list(column)) for name, column in investments.items()])
    built.update_layout(barmode="group", title="Capacity standing in the last period, by lever", yaxis_title="capacity")
    return [cost, trend, built]


# -- sweep --------------------------------------------------------------------------------
def tornado_table(results: pd.DataFrame, tornado: dict, base_key: str | None) -> pd.DataFrame:
    """Per parameter: its low and high value and the total cost there, against the base case's."""
    cost = results.set_index("key")["total_cost"] if "total_cost" in results else pd.Series(dtype=float)
    base = float(cost.get(base_key, float("nan"))) if base_key else float("nan")
    rows = []
    for name, (low, high) in tornado.items():
        rows.append({"parameter": name, "low": low.values[name], "high": high.values[name],
                     "cost_low": float(cost.get(low.key, float("nan"))),
                     "cost_high": float(cost.get(high.key, float("nan"))), "cost_base": base})  # fmt: skip
    table = pd.DataFrame(rows, columns=["parameter", "low", "high", "cost_low", "cost_high", "cost_base"])
    table["swing"] = (table["cost_high"] - table["cost_low"]).abs()
    return table.sort_values("swing", ascending=True, na_position="first").reset_index(drop=True)


def tornado_figure(table: pd.DataFrame, currency: str):
    import plotly.graph_objects as go

    labels = list(table["parameter"])
    figure = go.Figure()
    for side in ("low", "high"):
        delta = (table[f"cost_{side}"] - table["cost_base"]) / 1e6
        figure.add_trace(go.Bar(name=f"at its {side}", y=labels, x=list(delta), orientation="h",
                                text=[_value(v) for v in table[side]], textposition="auto"))  # fmt: skip
    base = table["cost_base"].iloc[0] / 1e6 if len(table) else float("nan")
    figure.update_layout(barmode="overlay", title=f"Total cost against the base case ({base:,.1f} million {currency}), "
                         "one parameter at a time", xaxis_title=f"change, million {currency}")  # fmt: skip
    return figure


def _value(v) -> str:
    return f"{v:g}" if isinstance(v, float) else f"#{v}"


def fan_bands(results: pd.DataFrame, prefix: str = "emissions:") -> pd.DataFrame:
    """Percentiles across cases, by period (rows periods; columns p5, p25, p50, p75, p95)."""
    columns = [c for c in results.columns if c.startswith(prefix)]
    values = results[columns].rename(columns=lambda c: int(c.removeprefix(prefix))).sort_index(axis=1)
    values = values.dropna(how="all")
    qs = sorted({q for band in BANDS for q in band} | {50})
    return pd.DataFrame({f"p{q}": values.quantile(q / 100) for q in qs})


def fan_figures(results: pd.DataFrame, currency: str) -> list:
    import plotly.graph_objects as go

    bands = fan_bands(results)
    periods = list(bands.index)
    fan = go.Figure()
    for (lo, hi), opacity in zip(BANDS, (0.2, 0.4), strict=True):
        fan.add_trace(go.Scatter(x=periods, y=list(bands[f"p{hi}"]), mode="lines", line={"width": 0}, showlegend=False,
                                 hoverinfo="skip"))  # fmt: skip
        fan.add_trace(go.Scatter(x=periods, y=list(bands[f"p{lo}"]), mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=f"rgba(31,119,180,{opacity})", name=f"{lo}th-{hi}th percentile"))  # fmt: skip
    fan.add_trace(go.Scatter(x=periods, y=list(bands["p50"]), mode="lines+markers", name="median",
                             line={"color": "rgb(31,119,180)"}))  # fmt: skip
    fan.update_layout(title=f"Emissions across {len(results)} cases", xaxis_title="period", yaxis_title="tCO2e per year")
    spread = go.Figure(go.Histogram(x=list(results["total_cost"] / 1e6), name="cases"))
    spread.update_layout(title="Total net present cost across cases", xaxis_title=f"million {currency}",
                         yaxis_title="cases")  # fmt: skip
    return [fan, spread]
