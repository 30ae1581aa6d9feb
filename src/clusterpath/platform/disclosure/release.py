"""One release of an audience's tables: the primary rules, complementary suppression and the audit, over
everything the audience was shown in earlier releases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from clusterpath.platform.disclosure.audit import audit
from clusterpath.platform.disclosure.figures import Figure, owners, relations
from clusterpath.platform.disclosure.links import links as cell_links
from clusterpath.platform.disclosure.rules import change_rule, primary
from clusterpath.platform.disclosure.suppression import choose

# Rounds of suppression and audit before everything not yet public is withheld (which is always safe).
MAX_ROUNDS = 25
COMPLEMENTARY = "withheld so that the withheld figures cannot be worked out from the released ones"


@dataclass(frozen=True)
class Earlier:
    """A release the audience holds: its cells (the true amounts behind it), all its figures, which were released."""

    number: int
    cells: pd.DataFrame
    figures: list[Figure]
    released: frozenset[str]
    members: dict[str, str]  # member -> epoch of its data


@dataclass
class Decision:
    released: dict[str, float] = field(default_factory=dict)  # figure id -> value
    withheld: dict[str, str] = field(default_factory=dict)  # figure id -> why
    held: str | None = None  # why the release is held back: the audience keeps the latest earlier one
    rounds: int = 0


def _targets(figures: list[Figure], cells: pd.DataFrame) -> list[tuple[str, tuple[str, ...]]]:
    """Every member's part of every figure: the contributions to protect."""
    owner = dict(zip(cells.index, cells["member"], strict=True))
    out = set()
    for figure in figures:
        parts: dict[str, list[str]] = {}
        for cell in figure.cells:
            parts.setdefault(owner[cell], []).append(cell)
        out |= {(member, tuple(part)) for member, part in parts.items()}
    return sorted(out)


def _changes(figures: list[Figure], cells: pd.DataFrame, latest: Earlier, k: int, p: float) -> dict[str, str]:
    """Figures released last time whose change since would isolate fewer than k members or fail the p% rule."""
    before = {f.id: f for f in latest.figures}
    now, then = owners(cells), owners(latest.cells)
    out = {}
    for figure in figures:
        if figure.id not in latest.released or figure.id not in before:
            continue
        problem = change_rule(before[figure.id].contributions(then), figure.contributions(now), k, p)
        if problem is not None:
            out[figure.id] = f"the change since release {latest.number}: " + problem.replace("this figure", "it")
    return out


def decide(figures: list[Figure], cells: pd.DataFrame, members: dict[str, str], k: int, p: float,
           earlier: list[Earlier], others: Sequence[Earlier] = ()) -> Decision:  # fmt: skip
    """What of ``figures`` (sums of ``cells``, the data of ``members``: member -> epoch) the audience may have.
    ``earlier``: the audience's releases of these tables, oldest first; ``others``: what else it holds (job
    results' releases), audited with them but not differenced (the change rule is on the tables)."""
    latest = earlier[-1] if earlier else None
    # A latest release that showed nothing (but zeros by structure) has no difference to take.
    if latest is not None and any(f.cells for f in latest.figures if f.id in latest.released):
        changed = {m for m in set(members) | set(latest.members) if members.get(m) != latest.members.get(m)}
        if 0 < len(changed) < k:
            return Decision(held=f"the change since release {latest.number} comes from fewer than {k} members")
    changes = _changes(figures, cells, latest, k, p) if latest is not None else {}
    held = [reason for f, reason in changes.items() if f.startswith("totals:")]
    if held:
        return Decision(held=held[0])
    amounts = owners(cells)
    reasons = {f.id: (primary(f.contributions(amounts), k, p) if f.cells else None) or changes.get(f.id)
               for f in figures}
    return settle(figures, cells, reasons, relations(figures), {f.id for f in figures if f.table == "totals"}, p,
                  [*earlier, *others])


def settle(figures: list[Figure], cells: pd.DataFrame, reasons: dict[str, str | None], links: list[tuple[str, ...]],
           totals: set[str], p: float, earlier: list[Earlier]) -> Decision:  # fmt: skip
    """Complementary suppression and the audit over every earlier release, until no attack is left. ``reasons``:
    why the primary rules withhold a figure (None: they do not); a figure whose cells were released before is
    public and stays released."""
    public = {f.cells for e in earlier for f in e.figures if f.id in e.released and f.cells}
    history = sorted(public)
    every = pd.concat([e.cells for e in earlier] + [cells])
    every = every[~every.index.duplicated(keep="last")]
    choosable = [f.id for f in figures if f.cells and f.cells not in public]
    forced = {f for f in choosable if reasons[f]}
    by_id = {f.id: f for f in figures}
    targets = _targets(figures + [f for e in earlier for f in e.figures], every)
    # A result's cells that copy inventory cells are those cells to an attacker: both are audited together.
    known = cell_links(every)
    cuts: list[set[str]] = []
    decision = Decision()
    for decision.rounds in range(1, MAX_ROUNDS + 1):
        withheld = choose(choosable, forced, links, cuts, totals)
        shown = [f for f in choosable if f not in withheld]
        breaches = audit(every, history + [by_id[f].cells for f in shown], targets, p, known)
        new = [{shown[i - len(history)] for i in b.binding if len(history) <= i < len(history) + len(shown)}
               for b in breaches]  # fmt: skip
        # An attack that needs no figure of this release was possible before it: nothing withheld now helps.
        new = [cut for cut in new if cut]
        if not new:
            break
        cuts += new
    else:
        withheld = set(choosable)
    amounts = owners(cells)
    for figure in figures:
        if figure.id in withheld:
            decision.withheld[figure.id] = reasons[figure.id] or COMPLEMENTARY
        else:
            decision.released[figure.id] = figure.value(amounts)
    return decision


def decide_result(figures: list[Figure], cells: pd.DataFrame, k: int, p: float, earlier: list[Earlier],
                  links: list[tuple[str, ...]], hidden: set[str]) -> Decision:  # fmt: skip
    """What of a job result's ``figures`` the audience may have. A figure id names the same figure of every result
    of that kind and options, so the rules apply to its change since each earlier release that showed it too
    (two plans of data sets that differ by one member differ by that member's parts). ``hidden``: figures never
    shown, only protected."""
    reasons: dict[str, str | None] = {}
    amounts, before_amounts = owners(cells), {id(e): owners(e.cells) for e in earlier}
    for figure in figures:
        if figure.id in hidden:
            reasons[figure.id] = "never shown"
            continue
        reason = primary(figure.contributions(amounts), k, p) if figure.cells else None
        for before in reversed(earlier):
            if reason is not None:
                break
            old = next((f for f in before.figures if f.id == figure.id), None)
            if old is not None and old.id in before.released and old.cells != figure.cells:
                change = change_rule(old.contributions(before_amounts[id(before)]), figure.contributions(amounts), k,
                                     p)
                if change is not None:
                    reason = f"the change since release {before.number}: " + change.replace("this figure", "it")
        reasons[figure.id] = reason
    return settle(figures, cells, reasons, links, set(), p, earlier)
