"""Primary rules: whether a figure may be released at all, from its contributors alone (Eurostat's
threshold rule and p% rule; Hundepool et al., Statistical Disclosure Control, 2012, section 4.2)."""

from __future__ import annotations

from collections.abc import Mapping


def primary(contributions: Mapping[str, float], k: int, p: float) -> str | None:
    """Why the figure must be withheld, or None.

    Threshold: at least ``k`` members contribute a non-zero amount to this very figure. p% rule: the
    second-largest contributor, subtracting its own part from the total, must not know the largest one's to
    within p %, i.e. the contributions other than the two largest add up to at least p % of the largest."""
    amounts = sorted((abs(v) for v in contributions.values() if v != 0.0), reverse=True)
    if not amounts:
        return None  # no one contributes: the figure is zero by the cluster's structure
    if len(amounts) < k:
        return f"fewer than {k} members contribute to this figure"
    if sum(amounts[2:]) < p / 100 * amounts[0]:
        return f"one member dominates this figure: another could estimate its part to within {p:g} % (p% rule)"
    return None


def change_rule(before: Mapping[str, float], after: Mapping[str, float], k: int, p: float) -> str | None:
    """The same rules on the change of a figure between two releases: the members whose part changed are the
    contributors of the difference, which anyone holding both releases can compute."""
    change = {m: after.get(m, 0.0) - before.get(m, 0.0) for m in set(before) | set(after)}
    return primary(change, k, p)
