"""The error every finance module raises for an input that cannot be right (its own module, so that the
modules that check inputs need not import one another)."""

from __future__ import annotations

from collections.abc import Sequence

from clusterpath.io.errors import InputError


class FinanceError(InputError, ValueError):
    """A finance input that cannot be right; the message names the field.

    A ``ValueError`` too, so callers that only know Python's errors still catch it.
    """

    def __init__(self, problems: Sequence[str], source: str = "finance") -> None:
        super().__init__(source, problems)
