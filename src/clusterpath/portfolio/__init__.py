"""Many clusters: initiative totals, pillar scorecards, year-on-year progress."""
