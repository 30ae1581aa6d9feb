"""Charts of the pages: plotly figures built here from results already filtered by access.py, sent as
JSON and drawn in the browser by the plotly.js that the plotly package ships (served by this server).

Nothing here decides what a viewer may see: every function draws only what it is given.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping

import plotly.graph_objects as go

COLORS = ("#1f6f8b", "#e07a1f", "#3a9d5d", "#b8336a", "#7a5cc4", "#8a8a3c", "#4d4d4d", "#d4a017")
_LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=50), height=380,
               font=dict(family="system-ui, sans-serif", size=13), legend=dict(orientation="h", y=-0.2))  # fmt: skip


def _label(text) -> str:
    """Text a user typed, for plotly: it reads some tags in labels (<b>, <a href>), so none may come from data."""
    return html.escape(str(text), quote=False)


def _json(figure: go.Figure) -> str:
    return figure.to_json()


def _finite(values: Iterable) -> list[float | None]:
    out = []
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            out.append(None)
            continue
        out.append(number if math.isfinite(number) else None)
    return out


def sites(points: list[dict]) -> str:
    """Sites on plain longitude/latitude axes: no map tiles or world outlines to fetch from anywhere.

    ``points``: name, kind (hub, member, ...), lat, lon and the lines of a hover text each.
    """
    figure = go.Figure()
    kinds = list(dict.fromkeys(p["kind"] for p in points))
    symbols = {"cluster hub": "star", "member site": "circle"}
    for i, kind in enumerate(kinds):
        group = [p for p in points if p["kind"] == kind]
        figure.add_trace(go.Scatter(x=[p["lon"] for p in group], y=[p["lat"] for p in group], mode="markers+text",
                                    name=kind, text=[_label(p["name"]) for p in group], textposition="top center",
                                    hovertext=["<br>".join(_label(line) for line in p["hover"]) for p in group],
                                    hoverinfo="text",
                                    marker=dict(size=16 if kind == "cluster hub" else 12,
                                                symbol=symbols.get(kind, "square"),
                                                color=COLORS[i % len(COLORS)])))  # fmt: skip
    lats = [p["lat"] for p in points] or [0.0]
    lons = [p["lon"] for p in points] or [0.0]
    middle = sum(lats) / len(lats)
    # A degree of longitude is cos(latitude) degrees of latitude long: keep distances true to scale.
    pad = max(max(lats) - min(lats), (max(lons) - min(lons)) * math.cos(math.radians(middle)), 0.01) * 0.6
    figure.update_layout(**_LAYOUT, title="Sites", showlegend=True)
    figure.update_xaxes(title="longitude (°)", range=[min(lons) - pad / max(math.cos(math.radians(middle)), 0.1),
                                                      max(lons) + pad / max(math.cos(math.radians(middle)), 0.1)])
    figure.update_yaxes(title="latitude (°)", range=[min(lats) - pad, max(lats) + pad],
                        scaleanchor="x", scaleratio=1 / max(math.cos(math.radians(middle)), 0.1))  # fmt: skip
    return _json(figure)


def emissions_by(rows: list[dict], key: str, title: str) -> str:
    """Scope 1 and scope 2 emissions of each row (a member, a sector or a carrier), stacked."""
    labels = [str(row.get(key)) for row in rows]
    figure = go.Figure()
    for i, (field, name) in enumerate((("scope1_tco2e", "scope 1"), ("scope2_tco2e", "scope 2"))):
        figure.add_trace(go.Bar(x=[_label(x) for x in labels], y=_finite(row.get(field) for row in rows), name=name,
                                marker_color=COLORS[i]))  # fmt: skip
    figure.update_layout(**_LAYOUT, title=title, barmode="stack", yaxis_title="tCO2e per year")
    return _json(figure)


def pathway_emissions(result: Mapping) -> str:
    """The cluster's yearly emissions per period by scope, the total, and the viewer's own line."""
    periods = [str(p) for p in result.get("periods", [])]
    figure = go.Figure()
    scopes = result.get("emissions_by_scope_tco2e") or {}
    for i, (scope, values) in enumerate(sorted(scopes.items())):
        figure.add_trace(go.Bar(x=periods, y=_finite(values.get(p) for p in periods),
                                name=scope.replace("scope", "scope "), marker_color=COLORS[i % len(COLORS)]))
    total = result.get("emissions_tco2e")
    if total:
        figure.add_trace(go.Scatter(x=periods, y=_finite(total.get(p) for p in periods), name="cluster total",
                                    mode="lines+markers", line=dict(color="#222")))  # fmt: skip
    for i, (member, values) in enumerate(sorted((result.get("member_emissions_tco2e") or {}).items())):
        figure.add_trace(go.Scatter(x=periods, y=_finite(values.get(p) for p in periods), name=_label(member),
                                    mode="lines+markers", line=dict(dash="dot", color=COLORS[(i + 2) % len(COLORS)])))
    figure.update_layout(**_LAYOUT, title="Emissions per period", barmode="stack", yaxis_title="tCO2e per year",
                         xaxis_title="period", xaxis_type="category")  # fmt: skip
    return _json(figure)


def investment(result: Mapping) -> str:
    spent = result.get("investment_by_period") or {}
    periods = [str(p) for p in result.get("periods", [])]
    figure = go.Figure(go.Bar(x=periods, y=_finite(spent.get(p) for p in periods), name="investment",
                              marker_color=COLORS[1]))  # fmt: skip
    figure.update_layout(**_LAYOUT, title="Investment per build period", xaxis_title="period", xaxis_type="category",
                         yaxis_title=f"{result.get('currency', '')} (real, undiscounted)")  # fmt: skip
    return _json(figure)


def macc(rows: list[dict], currency: str) -> str:
    """The marginal abatement cost curve: one bar per lever, as wide as its abatement, cheapest first."""
    rows = sorted((r for r in rows if (r.get("abatement_tco2e") or 0) > 0), key=lambda r: r.get("cost_per_tco2e") or 0)
    start, x, widths = 0.0, [], []
    for row in rows:
        width = float(row["abatement_tco2e"])
        x.append(start + width / 2)
        widths.append(width)
        start += width
    figure = go.Figure(go.Bar(x=x, y=_finite(r.get("cost_per_tco2e") for r in rows), width=widths,
                              text=[_label(r.get("lever")) for r in rows], textposition="outside",
                              marker_color=[COLORS[i % len(COLORS)] for i in range(len(rows))],
                              marker_line=dict(color="white", width=1), name="levers"))  # fmt: skip
    figure.update_layout(**_LAYOUT, title="Marginal abatement cost curve", bargap=0, showlegend=False,
                         xaxis_title="abatement (tCO2e per year)", yaxis_title=f"{currency} per tCO2e")  # fmt: skip
    return _json(figure)


def allocation(rules: Mapping[str, Mapping], standalone: Mapping, currency: str) -> str:
    """Each shown member's cost going alone and its share of the cluster's cost under each rule."""
    players = sorted(set(standalone) | {p for split in rules.values() for p in (split.get("allocation") or {})})
    labels = [_label(p) for p in players]
    figure = go.Figure(go.Bar(x=labels, y=_finite(standalone.get(p) for p in players), name="going alone",
                              marker_color="#9aa5ad"))  # fmt: skip
    for i, (name, split) in enumerate(sorted(rules.items())):
        values = split.get("allocation") or {}
        figure.add_trace(go.Bar(x=labels, y=_finite(values.get(p) for p in players), name=_label(name),
                                marker_color=COLORS[i % len(COLORS)]))  # fmt: skip
    figure.update_layout(**_LAYOUT, title="Each member's share of the cluster's cost, by rule", barmode="group",
                         yaxis_title=f"{currency} (net present cost)")  # fmt: skip
    return _json(figure)


def comparison(runs: list[dict]) -> str:
    """Emissions per period of several plans: one line per run (label, periods, emissions)."""
    figure = go.Figure()
    for i, run in enumerate(runs):
        periods = [str(p) for p in run["periods"]]
        figure.add_trace(go.Scatter(x=periods, y=_finite(run["emissions"].get(p) for p in periods),
                                    name=_label(run["label"]), mode="lines+markers",
                                    line=dict(color=COLORS[i % len(COLORS)])))  # fmt: skip
    figure.update_layout(**_LAYOUT, title="Cluster emissions by scenario", yaxis_title="tCO2e per year",
                         xaxis_title="period")  # fmt: skip
    return _json(figure)


def portfolio_map(clusters: list[dict]) -> str:
    """The initiative's clusters on plain longitude/latitude axes, bubbles as large as their reduction potential."""
    placed = [c for c in clusters if c.get("lat") is not None and c.get("lon") is not None]
    reduction = {c["cluster"]: max(c.get("reduction_target_year_tco2e") or 0.0, 0.0) for c in placed}
    largest = max([*reduction.values(), 1.0])
    figure = go.Figure(go.Scatter(
        x=[c["lon"] for c in placed], y=[c["lat"] for c in placed], mode="markers+text",
        text=[_label(c["name"]) for c in placed], textposition="top center", hoverinfo="text",
        hovertext=[f"{_label(c['name'])} ({_label(c['country'])})<br>reduction potential "
                   f"{reduction[c['cluster']] / 1e6:,.2f} MtCO2e a year" for c in placed],
        marker=dict(size=[8 + 40 * math.sqrt(reduction[c["cluster"]] / largest) for c in placed],
                    color=COLORS[0], opacity=0.7)))  # fmt: skip
    figure.update_layout(**_LAYOUT, title="Clusters by reduction potential")
    figure.update_xaxes(title="longitude (°)", range=[-180, 180])
    figure.update_yaxes(title="latitude (°)", range=[-60, 80])
    return _json(figure)
