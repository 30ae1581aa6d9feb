"""What a plan raises when the cluster or scenario lacks something it needs."""

from __future__ import annotations

from typing import Any, Literal

# A price trajectory per MWh by year, as a scenario file writes one: the example the fixes give.
EXAMPLE_PRICES = "{2025: 30, 2050: 30}"
# What can be missing: each names a fix that io/readiness.py places in the user's files.
Missing = Literal["fuel_price", "full_load_hours", "distance_to_shore", "co2_storage", "electricity_price",
                  "biomass_price", "biomass_limit", "hydrogen_network"]  # fmt: skip
File = Literal["cluster", "scenario"]


def listed(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


class PlanningError(ValueError):
    """The cluster or scenario lacks something the plan needs; the message names it.

    Where it is raised it also says, as data, what is missing (``missing``), in which file the fix goes
    (``file``: "cluster" or "scenario") and at which field (``field``, a path such as ``("grid",
    "electricity_price")``), the fix itself (``fix``), and the names the fix needs (``names``: the fuel, the
    lever, the member). Readiness (io/readiness.py) places the problem in the user's files from these fields.
    """

    def __init__(self, message: str, *, missing: Missing | None = None, file: File | None = None,
                 field: tuple = (), fix: str = "", names: dict[str, Any] | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.missing, self.file, self.field, self.fix = missing, file, tuple(field), fix
        self.names = dict(names or {})

    def within(self, prefix: str) -> PlanningError:
        """The same problem with its message prefixed (e.g. by the policy instrument it arose in)."""
        return PlanningError(f"{prefix}: {self}", missing=self.missing, file=self.file, field=self.field, fix=self.fix,
                             names=self.names)  # fmt: skip
