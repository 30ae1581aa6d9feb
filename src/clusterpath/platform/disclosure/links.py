"""Links between a job result's cells and the inventory's: a member's part of a plan's emissions that equals a sum
of its own inventory cells of the same scope is, to an attacker, that sum.

A plan's cells are unknowns of their own (its optimum moves with every member's data), but some of them are
copies of the baseline a competitor can work out: in a period before anything is built a member emits its
baseline, and process emissions no lever abates stay what the inventory says. Audited apart, a plan's scope 1 of
such a period (released on its own merits) minus the inventory's combustion (released on its own) would be a
suppressed process cell. So for each member's plan part of scope 1 or 2 and each subset of the same member's
inventory cells of that scope (same data epoch) whose amounts add up to it, the audit takes the equation
"part = that subset's sum" as known to every attacker. Equality is what is checked; a part that is another linear
function of the inventory (scaled by a grid factor path, say) is not linked (docs/security.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterpath.platform.disclosure.cells import SCOPE1

# The inventory columns a plan part of each scope can copy.
SCOPES = {"scope1": SCOPE1, "scope2": ("scope2_tco2e",)}
# Subsets of at most this many of a member's cells of one scope are searched (2^12 sums); beyond, single cells and
# all of them.
SEARCHED = 12
TOLERANCE = 1e-6  # relative: a plan's parts are a solver's, to about 1e-7


def _sums(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every searched subset of ``values`` (rows of a 0/1 matrix) and its sum."""
    n = len(values)
    if n <= SEARCHED:
        masks = np.arange(1, 2**n)
        chosen = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    else:
        chosen = np.vstack([np.eye(n, dtype=bool), np.ones((1, n), dtype=bool)])
    return chosen, chosen @ values


def links(cells: pd.DataFrame) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(result cell,), (inventory cells its amount equals) for every such pair in ``cells`` (index: cell id;
    columns as ``cells.CELL_FIELDS``)."""
    scope = cells["column"].str.split(":", n=1).str[0]
    parts = cells[cells["column"].str.contains(":", regex=False) & scope.isin(list(SCOPES))]
    if parts.empty:
        return []
    out = []
    for (member, epoch, name), group in parts.groupby([parts["member"], parts["epoch"], scope[parts.index]]):
        own = cells[(cells["member"] == member) & (cells["epoch"] == epoch) & cells["column"].isin(SCOPES[name])]
        if own.empty:
            continue
        chosen, sums = _sums(own["value"].to_numpy(dtype=float))
        for cell, value in group["value"].items():
            for row in np.flatnonzero(np.abs(sums - value) <= TOLERANCE * max(1.0, abs(value))):
                out.append(((cell,), tuple(own.index[chosen[row]])))
    return out
