"""What a plan raises when the cluster or scenario lacks something it needs."""


class PlanningError(ValueError):
    """The cluster or scenario lacks something the plan needs; the message names it."""
