"""The least-cost pathway: time series, the network model (linopy + HiGHS) and its results."""
