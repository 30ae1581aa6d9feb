"""What a report says, as tables and charts: one list of sections that the HTML, workbook and PDF all present.

Every number comes from a result object (inventory, pathway summary, allocation, scorecard, ...);
nothing is modelled here. A table's headers carry their units, so each writer shows them as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from clusterpath.schema.vocabulary import LEVER_FAMILY, LeverFamily

FAMILY_LABEL = {
    LeverFamily.EFFICIENCY_CIRCULARITY: "efficiency and circularity",
    LeverFamily.ELECTRIFICATION_RENEWABLE_HEAT: "electrification and renewable heat",
    LeverFamily.HYDROGEN: "hydrogen",
    LeverFamily.CCUS: "carbon capture, use and storage",
}
OTHER_CHANGES = "other changes (net)"
YEAR_COLUMN = re.compile(r"^(period|year|target year)$|, year$")  # columns whose numbers are years


@dataclass(frozen=True)
class Chart:
    """A figure's data and labels; ``figures`` draws it with plotly, ``drawings`` with matplotlib."""

    kind: str  # waterfall, area, macc, allocation, map, radar, gantt, bars
    data: pd.DataFrame
    title: str
    unit: str  # the value axis' label


@dataclass(frozen=True)
class Table:
    name: str  # the workbook's sheet name (at most 31 characters)
    title: str
    frame: pd.DataFrame  # shown without its index: every column is named, units in the names

    def cells(self) -> list[list[str]]:
        """The rows as text to read; years (in a column "period", "target year" or "..., year") unseparated."""
        years = [bool(YEAR_COLUMN.search(str(column))) for column in self.frame.columns]
        return [[format_value(value, year) for value, year in zip(row, years, strict=True)]
                for row in self.frame.itertuples(index=False)]  # fmt: skip


@dataclass(frozen=True)
class Section:
    key: str  # the HTML anchor
    title: str
    text: str  # what the section shows and how it is computed, in one paragraph
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    notes: list[str]  # shown under the title: illustrative data, solver status, what is missing
    sections: list[Section]
    created: str = field(default_factory=lambda: date.today().isoformat())

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]


def label(name: str) -> str:
    return str(name).replace("_", " ")


def wrap(text: str, width: int = 14, newline: str = "\n") -> str:
    """Words on lines of about ``width`` characters, for axis labels."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return newline.join(lines)


# -- tables of a pathway summary (PathwayResult.summary()) ---------------------------------------
def target_period(summary: dict) -> int:
    """The last period: the MACC and the waterfall are about it."""
    return int(summary["periods"][-1])


def waterfall_steps(summary: dict, fallback_baseline: float | None = None) -> pd.DataFrame:
    """Baseline emissions in the last period, the abatement of each lever family, and the residual.

    The baseline is the plan's business as usual in that period (today's equipment carried on), or
    ``fallback_baseline`` (the inventory's base year) where the summary has none. Each family's step is
    minus the tonnes its levers abate in the MACC; what the levers add elsewhere (grid power for heat
    pumps and electrolysers, a fuel switched) and any change not attributed to a lever closes the gap
    as one step, so the steps add up from the baseline to the residual exactly.
    """
    year = str(target_period(summary))
    by_period = summary.get("baseline_emissions_tco2e") or {}
    baseline = by_period.get(year, fallback_baseline)
    if baseline is None:
        raise ValueError("the summary has no baseline emissions and no fallback was given")
    residual = float(summary["emissions_tco2e"][year])
    abated = {family: 0.0 for family in LeverFamily}
    for row in summary["macc"]:
        abated[LEVER_FAMILY[row["lever"]]] += row["abatement_tco2e"]
    rows = [("baseline" if by_period else "base-year inventory", float(baseline), "absolute")]
    rows += [(FAMILY_LABEL[family], 0.0 - value, "relative") for family, value in abated.items()]
    rows.append((OTHER_CHANGES, residual - float(baseline) + sum(abated.values()), "relative"))
    rows.append(("residual", residual, "total"))
    return pd.DataFrame(rows, columns=["step", "tCO2e/yr", "measure"])


def emissions_by(summary: dict, level: str) -> pd.DataFrame:
    """Yearly tCO2e by member (with the shared infrastructure) or by scope: one column per period."""
    if level == "member":
        table = pd.DataFrame(summary["member_emissions_tco2e"]).T
        shared = {p: summary["emissions_tco2e"][p] - table[p].sum() for p in table.columns}
        if any(abs(v) > 1e-6 for v in shared.values()):
            table.loc["shared infrastructure"] = shared
    else:
        table = pd.DataFrame(summary["emissions_by_scope_tco2e"]).T
    table.columns = [int(p) for p in table.columns]
    table.index.name = level
    return table


def _money(summary: dict) -> str:
    """The plan's money: its currency, of its price year where the plan says it (docs/model.md, 6.8)."""
    year = summary.get("price_year")
    return f"{summary['currency']} of {year}" if year else summary["currency"]


def macc_table(summary: dict) -> pd.DataFrame:
    cost = f"cost, {_money(summary)} per tCO2e"
    rows = [{"lever": label(row["lever"]), "lever family": FAMILY_LABEL[LEVER_FAMILY[row["lever"]]],
             "abatement, tCO2e/yr": row["abatement_tco2e"], cost: row["cost_per_tco2e"]}
            for row in summary["macc"]]  # fmt: skip
    columns = ["lever", "lever family", "abatement, tCO2e/yr", cost]
    return pd.DataFrame(rows, columns=columns)


def cost_table(summary: dict) -> pd.DataFrame:
    money = f"net present cost, million {_money(summary)}"
    rows = [(label(kind), value / 1e6) for kind, value in summary["cost_breakdown"].items()]
    rows.append(("total", summary["objective"] / 1e6))
    if summary.get("baseline_cost") is not None:
        rows.append(("today's equipment carried on (no cap)", summary["baseline_cost"] / 1e6))
    return pd.DataFrame(rows, columns=["cost", money])


def investment_table(summary: dict) -> pd.DataFrame:
    rows = [(int(p), v / 1e6) for p, v in summary["investment_by_period"].items()]
    return pd.DataFrame(rows, columns=["period", f"investment, million {_money(summary)}"])


def capacity_table(summary: dict) -> pd.DataFrame:
    rows = [{"technology": label(tech), "unit": next(iter(by_period.values()))["unit"],
             **{str(p): item["value"] for p, item in by_period.items()}}
            for tech, by_period in summary["capacity"].items()]  # fmt: skip
    return pd.DataFrame(rows, columns=["technology", "unit", *[str(p) for p in summary["periods"]]])


def period_table(frame: pd.DataFrame, first: str, unit: str) -> pd.DataFrame:
    """A by-period table (periods as columns) with its row labels as a named first column."""
    out = frame.rename(columns=lambda p: f"{p}, {unit}").rename(index=label).reset_index()
    return out.rename(columns={out.columns[0]: first})


# -- scorecards (portfolio.scorecard.Scorecard) ---------------------------------------------------------
def pillar_scores(cards: dict) -> pd.DataFrame:
    """Columns name, pillar, score (0-100; NaN where no indicator of the pillar can be measured)."""
    rows = [{"name": name, "pillar": pillar, "score": float("nan") if score is None else score}
            for name, card in cards.items() for pillar, score in card.scores().items()]  # fmt: skip
    return pd.DataFrame(rows, columns=["name", "pillar", "score"])


# -- an allocation (Allocation.to_dict()) ----------------------------------------------------------------
def allocation_table(allocation: dict, currency: str) -> pd.DataFrame:
    money = f"million {currency}"
    rows = []
    for player in allocation["players"]:
        alone, share = allocation["standalone"][player], allocation["allocation"][player]
        rows.append({"member": player, f"allocated, {money}": share / 1e6, f"stand-alone, {money}": alone / 1e6,
                     f"saving, {money}": (alone - share) / 1e6,
                     "saving, %": 100 * (alone - share) / alone if alone else float("nan")})  # fmt: skip
    return pd.DataFrame(rows)


def why_table(reasons: list[dict], money: str) -> pd.DataFrame:
    """One row per lever of the plan's reasons (pathway/explain.py), built ones first."""
    return pd.DataFrame([{
        "member": r["member"], "lever": label(r["lever"]), "service": label(r["service"]) if r["service"] else "",
        "decision": r["decision"], "period": r["period"], f"cost, {money}/tCO2e": r["cost_per_tco2e"],
        f"carbon value, {money}/tCO2e": r["carbon_price"] + r["cap_shadow_price"], "limit": r["limit"] or "",
        "reason": r["reason"]} for r in reasons])  # fmt: skip


def share_table(allocation: dict, currency: str) -> pd.DataFrame:
    """Per member: what it pays, its average marginal cost joining no one and everyone, and its closest coalition."""
    money = f"million {currency}"
    rows = []
    for member, why in allocation["explanations"].items():
        sizes = why.get("shapley_marginal_by_size") or []
        closest = (why.get("binding_coalitions") or [None])[0]
        rows.append({"member": member, f"alone, {money}": why["alone"] / 1e6, f"pays, {money}": why["pays"] / 1e6,
                     f"adds joining no one, {money}": sizes[0]["mean_marginal_cost"] / 1e6 if sizes else None,
                     f"adds joining all others, {money}": sizes[-1]["mean_marginal_cost"] / 1e6 if sizes else None,
                     "closest coalition": ", ".join(closest["members"]) if closest else "",
                     f"its margin, {money}": closest["margin"] / 1e6 if closest else None,
                     "groups better off alone": why.get("groups_better_off_alone")})  # fmt: skip
    return pd.DataFrame(rows)


def format_value(value, year: bool = False) -> str:
    """A table cell as people read it: thousands separated, a few significant digits for small numbers."""
    value = value.item() if hasattr(value, "item") else value  # numpy scalars
    if value is None or (isinstance(value, float) and not pd.notna(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    if year:
        return f"{value:g}"
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1:
        return f"{value:,.0f}"
    size = abs(value)
    if size < 1e-6:  # solver round-off, not a quantity
        return "0"
    if size >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if size >= 10 else f"{value:.2f}" if size >= 1 else f"{value:.2g}"
