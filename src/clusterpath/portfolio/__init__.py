"""Many clusters of one initiative: totals, year-on-year progress (and pillar scorecards).

``load_portfolio`` reads a portfolio folder, ``assess`` plans and totals it, ``compare_years``
compares two years' submissions. docs/portfolio.md describes the file format and the formulas.
"""

from clusterpath.portfolio.assessment import PortfolioAssessment, assess, summarize
from clusterpath.portfolio.manifest import Portfolio, load_portfolio
from clusterpath.portfolio.progress import Progress, compare_years

__all__ = ["Portfolio", "PortfolioAssessment", "Progress", "assess", "compare_years", "load_portfolio", "summarize"]
