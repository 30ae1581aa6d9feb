"""Complementary suppression: which further figures to withhold so that the withheld ones cannot be worked out.

A MILP on linopy/HiGHS with a binary ``withhold[f]`` per figure that is not public already:

    minimise    sum_f weight_f * withhold_f        (weight 2 for a cluster total, 1 for a row's figure: the
                                                     fewest figures withheld, the totals kept before the rows)
    subject to  withhold_f = 1                      for every figure a primary rule withholds
                withhold_f <= sum_{g in R, g != f} withhold_g
                                                    for every relation R (a sum and its parts) and f in R:
                                                    no figure is the only unknown of a relation
                sum_{g in C} withhold_g >= 1        for every cut C the audit found: an attack that works while
                                                    all of C is released

The relation constraints are the classic necessary condition; the audit (``audit.py``) is the sufficient one,
and each attack it finds adds a cut over the released figures whose equations it used, until none is left
(the cut-generation idea of Fischetti and Salazar-González, 2001, in its simplest form).
"""

from __future__ import annotations

import linopy
import numpy as np
import xarray as xr


def choose(choosable: list[str], primary: set[str], relations: list[tuple[str, ...]], cuts: list[set[str]],
           totals: set[str]) -> set[str]:  # fmt: skip
    """The figures of ``choosable`` to withhold. Figures outside ``choosable`` (public already, or zero by
    structure) are constants of the relations."""
    if not choosable:
        return set()
    index = {f: i for i, f in enumerate(choosable)}
    m = linopy.Model()
    withhold = m.add_variables(binary=True, coords={"figure": choosable}, name="withhold")
    forced = xr.DataArray([float(f in primary) for f in choosable], coords={"figure": choosable})
    m.add_constraints(withhold >= forced, name="primary")
    # A figure whose relation has no other figure to withhold follows from public ones: withholding it is moot.
    pairs = [(relation, f) for relation in relations for f in relation
             if f in index and any(g in index and g != f for g in relation)]
    if pairs:
        matrix = np.zeros((len(pairs), len(choosable)))
        for row, (relation, f) in enumerate(pairs):
            matrix[row, [index[g] for g in relation if g in index]] = -1.0
            matrix[row, index[f]] = 1.0
        coefficients = xr.DataArray(matrix, coords={"pair": np.arange(len(pairs)), "figure": choosable})
        m.add_constraints((coefficients * withhold).sum("figure") <= 0, name="not-alone")
    cuts = [cut & index.keys() for cut in cuts]
    if cuts:
        matrix = np.zeros((len(cuts), len(choosable)))
        for row, cut in enumerate(cuts):
            matrix[row, [index[f] for f in cut]] = 1.0
        coefficients = xr.DataArray(matrix, coords={"cut": np.arange(len(cuts)), "figure": choosable})
        m.add_constraints((coefficients * withhold).sum("figure") >= 1, name="audit-cut")
    weight = xr.DataArray([2.0 if f in totals else 1.0 for f in choosable], coords={"figure": choosable})
    m.add_objective((weight * withhold).sum())
    # Straight to HiGHS: through an LP file costs more than the solve.
    status, condition = m.solve("highs", io_api="direct", output_flag=False)
    if status != "ok":
        raise RuntimeError(f"complementary suppression ended with {status}: {condition}")
    return {f for f, v in zip(choosable, withhold.solution.values, strict=True) if v > 0.5}
