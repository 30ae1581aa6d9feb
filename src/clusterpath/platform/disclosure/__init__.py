"""What a released figure gives away, and what to withhold so that it gives away nothing: statistical
disclosure control of the aggregates a cluster shows to those who may not see raw data (docs/security.md).

Pure functions, no database: ``cells`` (the unknown amounts each member contributes), ``figures`` (the
tables' figures as sums of cells, and the relations between them), ``rules`` (threshold and p% rules per
figure), ``audit`` (the least and greatest value an attacker can give each contribution), ``suppression``
(complementary suppression by a MILP) and ``release`` (all of them, over the releases an audience saw before).
"""

from clusterpath.platform.disclosure.cells import cells_of
from clusterpath.platform.disclosure.figures import Figure, relations, table_figures
from clusterpath.platform.disclosure.release import Decision, Earlier, decide

__all__ = ["Decision", "Earlier", "Figure", "cells_of", "decide", "relations", "table_figures"]
