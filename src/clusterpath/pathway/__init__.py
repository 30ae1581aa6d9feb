"""The least-cost pathway: time series, the network model (linopy + HiGHS) and its results."""

# The one relative MIP gap of every plan and every coalition's plan unless told otherwise (issue 16): a plan's
# cost is then the c(N) its split divides, and savings of a few per cent between coalitions stand clear of it.
# Here, not in pathway/solve.py, so that the command line can state it without importing the solver.
MIP_GAP = 0.001
