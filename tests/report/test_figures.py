"""The report's figures and tables carry the results' own numbers; hand-worked cases for the arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterpath.report import content, drawings, figures
from clusterpath.report.content import Chart

# A summary worked by hand: business as usual emits 1,000 t in 2035 and the plan 500 t. The MACC abates
# 300 t by heat pumps, 200 t by capture and 50 t by efficiency (550 t): electrification -300, CCUS -200,
# efficiency -50, hydrogen 0, and the levers' own grid power and the rest +50 (500 - 1,000 + 550).
HAND = {"currency": "EUR", "periods": [2025, 2035], "status": "optimal", "objective": 2e6,
        "emissions_tco2e": {"2025": 900.0, "2035": 500.0},
        "baseline_emissions_tco2e": {"2025": 950.0, "2035": 1000.0},
        "macc": [{"lever": "efficiency", "abatement_tco2e": 50.0, "cost_per_tco2e": -20.0},
                 {"lever": "carbon_capture", "abatement_tco2e": 200.0, "cost_per_tco2e": 90.0},
                 {"lever": "heat_pump", "abatement_tco2e": 300.0, "cost_per_tco2e": 40.0}]}  # fmt: skip


def test_waterfall_by_hand():
    steps = content.waterfall_steps(HAND).set_index("step")["tCO2e/yr"]
    assert steps.to_dict() == {
        "baseline": 1000.0, "efficiency and circularity": -50.0, "electrification and renewable heat": -300.0,
        "hydrogen": 0.0, "carbon capture, use and storage": -200.0, content.OTHER_CHANGES: 50.0, "residual": 500.0,
    }  # fmt: skip
    trace = figures.figure(Chart("waterfall", content.waterfall_steps(HAND), "", "tCO2e/yr")).data[0]
    assert list(trace.y) == list(steps) and trace.measure[0] == "absolute" and trace.measure[-1] == "total"


def test_waterfall_falls_back_to_the_inventory_without_a_business_as_usual():
    summary = {k: v for k, v in HAND.items() if k != "baseline_emissions_tco2e"}
    steps = content.waterfall_steps(summary, fallback_baseline=800.0)
    # 500 - 800 + 550 = 250
    assert steps["step"].iloc[0] == "base-year inventory" and steps["tCO2e/yr"].iloc[-2] == pytest.approx(250.0)


def test_macc_bars_by_hand():
    """Cheapest first: efficiency (-20) over 0-50 t, heat pump (40) over 50-350 t, capture (90) over 350-550 t."""
    table = content.macc_table(HAND)
    bars = figures.macc_bars(table)
    assert list(bars["lever"]) == ["efficiency", "heat pump", "carbon capture"]
    assert list(bars["left"]) == [0.0, 50.0, 350.0] and list(bars["right"]) == [50.0, 350.0, 550.0]
    shown = {x: (w, y) for trace in figures.figure(Chart("macc", table, "", "EUR/tCO2e")).data
             for x, w, y in zip(trace.x, trace.width, trace.y, strict=True)}  # fmt: skip
    assert shown == {25.0: (50.0, -20.0), 200.0: (300.0, 40.0), 450.0: (200.0, 90.0)}


def test_figures_carry_the_solved_plans_numbers(solved, report):
    charts = {chart.title: chart for chart in report.charts()}
    result = solved.result
    last = result.periods[-1]

    steps = charts[f"Emissions in {last}: from baseline to residual by lever family"].data
    values = steps.set_index("step")["tCO2e/yr"]
    assert values["baseline"] == pytest.approx(float(result.baseline_emissions[last]))
    assert values["residual"] == pytest.approx(float(result.emissions_by("node")[last].sum()))
    # The steps add up from the baseline to the residual.
    assert values["baseline"] + values.iloc[1:-1].sum() == pytest.approx(values["residual"], rel=1e-12)
    macc = result.macc()
    assert -values["electrification and renewable heat"] == pytest.approx(macc["abatement_tco2e"].sum())

    members = figures.figure(charts["Emissions by member"])
    expected = result.member_emissions()
    for trace in members.data:
        assert list(trace.y) == pytest.approx(list(expected.loc[trace.name]))
    macc_figure = figures.figure(charts[f"Marginal abatement cost curve, {last}"])
    assert sorted(w for t in macc_figure.data for w in t.width) == pytest.approx(sorted(macc["abatement_tco2e"]))
    assert sorted(y for t in macc_figure.data for y in t.y) == pytest.approx(sorted(macc["cost_per_tco2e"]))

    bars = figures.figure(charts["Allocated cost against stand-alone cost"]).data
    assert list(bars[0].y) == pytest.approx([solved.allocation["allocation"][m] / 1e6 for m in bars[0].x])
    assert list(bars[1].y) == pytest.approx([solved.allocation["standalone"][m] / 1e6 for m in bars[1].x])


def test_map_draws_on_plain_axes_over_the_shipped_outline():
    table = pd.DataFrame({"cluster": ["a", "b"], "lon": [4.3, -95.0], "lat": [51.3, 29.7], "reduction": [100.0, 25.0]})
    built = figures.figure(Chart("map", table, "", "MtCO2e/yr"))
    assert {trace.type for trace in built.data} == {"scatter"}  # a geo trace would fetch topojson from a CDN
    outline, bubbles = built.data
    assert sum(x is None for x in outline.x) > 100  # Natural Earth's 110m land has over a hundred rings
    # Areas proportional to the values: a quarter of the value, half the diameter.
    assert bubbles.marker.size[1] == pytest.approx(bubbles.marker.size[0] / 2)


def test_radar_closes_each_polygon():
    table = pd.DataFrame({"name": ["x"] * 4, "pillar": ["partnerships", "policy", "finance", "technology"],
                          "score": [80.0, 40.0, 55.0, 10.0]})  # fmt: skip
    trace = figures.figure(Chart("radar", table, "", "score")).data[0]
    assert list(trace.r) == [80.0, 40.0, 55.0, 10.0, 80.0] and trace.theta[-1] == "partnerships"


@pytest.mark.parametrize("kind", sorted(figures.BUILDERS))
def test_every_figure_has_a_pdf_drawing(kind):
    tables = {
        "waterfall": content.waterfall_steps(HAND), "macc": content.macc_table(HAND),
        "area": pd.DataFrame({2025: [1.0, 2.0], 2035: [0.5, 1.0]}, index=["a", "b"]),
        "allocation": pd.DataFrame({"member": ["a"], "allocated, million EUR": [1.0],
                                    "stand-alone, million EUR": [2.0]}),
        "map": pd.DataFrame({"cluster": ["a"], "lon": [4.3], "lat": [51.3], "reduction": [1.0]}),
        "radar": pd.DataFrame({"name": ["x"] * 3, "pillar": ["a", "b", "c"], "score": [10.0, 50.0, 90.0]}),
        "gantt": pd.DataFrame({"task": ["a", "a"], "phase": ["permitting", "construction"], "start": [2026, 2028],
                               "end": [2028, 2031]}),
        "bars": pd.DataFrame({"period": [2025, 2035], "construction": [3.0, 4.0], "operation": [1.0, 2.0]}),
    }  # fmt: skip
    image = drawings.png(Chart(kind, tables[kind], kind, "unit"), dpi=40)
    assert image.startswith(b"\x89PNG")


def test_format_value():
    assert [content.format_value(v) for v in (1234567.8, 12.34, 1.234, 0.01234, -3e-9, np.nan, None, 7, "x", True)] == [
        "1,234,568", "12.3", "1.23", "0.012", "0", "-", "-", "7", "x", "yes"]  # fmt: skip


def test_critical_path_gantt_by_hand():
    """A heat network required by 2030 with 2 years of permitting and 3 of building: permitting 2025-2027,
    construction 2027-2030; a heat pump without a sourced lead time has no bars."""
    from clusterpath.pathway.lead_times import COLUMNS
    from clusterpath.report.cluster import _critical_path

    frame = pd.DataFrame([
        {"lever": "heat_network", "needed_by": 2030, "required_by": 2030, "permitting_years": 2.0,
         "construction_years": 3.0, "lead_time_years": 5.0, "latest_permitting_start": 2025.0,
         "latest_construction_start": 2027.0, "slack_years": 0.0, "on_critical_path": True},
        {"lever": "heat_pump", "needed_by": 2030, "required_by": 2030, "on_critical_path": False},
    ]).reindex(columns=COLUMNS)  # fmt: skip
    frame.attrs = {"critical_path": ["heat_network"], "decision_year": 2024}
    section = _critical_path(frame)
    bars = section.charts[0].data
    assert bars.to_dict("records") == [
        {"task": "* heat network", "phase": "permitting", "start": 2025.0, "end": 2027.0},
        {"task": "* heat network", "phase": "construction", "start": 2027.0, "end": 2030.0}]  # fmt: skip
    gantt = figures.figure(section.charts[0]).data
    assert [(t.name, list(t.base), list(t.x)) for t in gantt] == [("permitting", [2025.0], [2.0]),
                                                                  ("construction", [2027.0], [3.0])]
    assert "The critical path (marked *: no slack left): heat network." in section.text
    assert len(section.tables[0].frame) == 2


def test_workforce_section_by_hand():
    """Chem builds in 2025 (4 process + 1 electrical FTE of construction) and runs it in 2035 (1 FTE); the hub
    runs a plant in both periods (2 process FTE each, and 1 electrical in 2035): operation 2 in 2025 and
    1 + 2 + 1 = 4 in 2035. Alone each hires its own peak: 4 + 2 = 6 process FTE; pooled, the peak of the
    totals (2025: 6, 2035: 3) is 6, so the pool saves nothing on process; electrical: chem 1 + hub 1 alone
    against pooled 1 in 2025 and 1 in 2035 -> peak 1, saving 1."""
    from clusterpath.report.cluster import _workforce

    rows = [(2025, "chem", "construction", "process", 4.0), (2035, "chem", "operation", "process", 1.0),
            (2025, "shared", "operation", "process", 2.0), (2035, "shared", "operation", "process", 2.0),
            (2025, "chem", "construction", "electrical", 1.0), (2035, "shared", "operation", "electrical", 1.0)]
    frame = pd.DataFrame(rows, columns=["period", "member", "phase", "skill", "fte"]).assign(
        lever="heat_network", lever_family="efficiency_circularity")
    frame.attrs = {"region": "OECD", "no_factor": []}
    section = _workforce(frame)
    by_phase = section.tables[0].frame.set_index("period")
    assert by_phase.to_dict() == {"construction, FTE": {2025: 5.0, 2035: 0.0}, "operation, FTE": {2025: 2.0, 2035: 4.0}}
    pool = section.tables[2].frame.set_index("skill")
    assert pool.loc["electrical", "reduction, FTE"] == 1.0 and pool.loc["process", "reduction, FTE"] == 0.0
    assert pool.loc["total", "pooled peak, FTE"] == 7.0  # 6 process + 1 electrical
    assert section.charts[0].kind == "bars"


def test_radar_carries_the_scorecards_scores(solved, report):
    from clusterpath.portfolio.scorecard import scorecard

    card = scorecard(solved.cluster, solved.scenario, solved.result)
    radar = next(chart for chart in report.charts() if chart.kind == "radar")
    assert radar.data.set_index("pillar")["score"].to_dict() == pytest.approx(
        {p: (s or 0.0) for p, s in card.scores().items()})


def test_years_read_as_years():
    table = content.Table("t", "t", pd.DataFrame({"period": [2035], "target year": [2050.0], "jobs": [2035],
                                                  "slack, years": [2.5], "needed by, year": [2030],
                                                  "reduction in the target year, t": [4478813.5]}))  # fmt: skip
    assert table.cells() == [["2035", "2050", "2,035", "2.50", "2030", "4,478,814"]]


# The park: one lever costs a hundred times the others, and several abate little (narrow bars).
EXTREME = {**HAND, "macc": [
    {"lever": "efficiency", "abatement_tco2e": 4000.0, "cost_per_tco2e": -30.0},
    {"lever": "heat_pump", "abatement_tco2e": 30000.0, "cost_per_tco2e": 45.0},
    {"lever": "electric_boiler", "abatement_tco2e": 300.0, "cost_per_tco2e": 60.0},
    {"lever": "solar_pv", "abatement_tco2e": 200.0, "cost_per_tco2e": 62.0},
    {"lever": "large_heat_pump", "abatement_tco2e": 250.0, "cost_per_tco2e": 64.0},
    {"lever": "battery", "abatement_tco2e": 150.0, "cost_per_tco2e": 66.0},
    {"lever": "biomass", "abatement_tco2e": 8000.0, "cost_per_tco2e": 80.0},
    {"lever": "geothermal", "abatement_tco2e": 100.0, "cost_per_tco2e": 12000.0}]}  # fmt: skip


def test_an_extreme_bar_is_cut_and_said_to_be_in_the_html_figure():
    table = content.macc_table(EXTREME)
    figure = figures.figure(Chart("macc", table, "", "EUR/tCO2e"))
    low, high = figure.layout.yaxis.range
    # The other bars reach 80 at most: the axis stops well short of 12,000 and keeps them readable.
    assert 80 < high < 1000 and low < -30
    # The numbers stay the plan's own (hover shows them); the cut bar's value is written at the edge, and said.
    assert sorted(y for trace in figure.data for y in trace.y) == sorted(r["cost_per_tco2e"] for r in EXTREME["macc"])
    notes = " ".join(a.text for a in figure.layout.annotations)
    assert "12,000" in notes and "cut" in notes


def test_no_cut_when_the_bars_are_alike():
    figure = figures.figure(Chart("macc", content.macc_table(HAND), "", "EUR/tCO2e"))
    assert figure.layout.yaxis.range is None and not figure.layout.annotations


def test_the_pdf_cost_curve_cuts_the_extreme_bar_and_its_labels_do_not_overlap():
    chart = Chart("macc", content.macc_table(EXTREME), "MACC", "EUR/tCO2e")
    figure = drawings.draw(chart)
    axes = figure.axes[0]
    assert 80 < axes.get_ylim()[1] < 1000
    renderer = figure.canvas.get_renderer()
    levers = set(content.macc_table(EXTREME)["lever"])
    labels = [t for t in axes.texts if t.get_visible() and t.get_text() in levers]
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert len(labels) >= 3  # the wide bars keep their names
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two lever labels overlap"
    assert any("12,000" in t.get_text() for t in axes.texts)  # at the cut bar
    assert "Axis cut" in axes.get_xlabel() and "geothermal 12,000" in " ".join(axes.get_xlabel().split())
