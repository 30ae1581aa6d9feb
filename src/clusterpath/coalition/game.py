"""Cost games: players with names and a characteristic function c(S) on coalitions.

A coalition is addressed three ways. Users see a ``frozenset`` of player names;
the exact algorithms use an integer bitmask (bit i set when ``players[i]`` is in),
so a whole characteristic function is one numpy array indexed by mask; sampling
on many players uses boolean membership rows, which need no 64-bit mask.

Costs come from a table (given up front, cheap) or from a callable evaluated
lazily and memoised, as when every c(S) is a re-solved optimisation model. All
lazy evaluations go through :meth:`Game.evaluate_batch`, which receives every
coalition still unknown at once, so a subclass can solve them in parallel.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from clusterpath.io.errors import InputError

# Exact Shapley, nucleolus and least core need all 2^n coalition costs; beyond this they are impractical.
MAX_EXACT_PLAYERS = 15
# Above this many players a full table (2^n costs) is no longer a sensible thing to hold or enumerate.
MAX_TABLE_PLAYERS = 20
# Bitmasks are int64; wider games use membership rows.
MAX_MASK_PLAYERS = 62
# Largest float array built at once when evaluating a wide closed-form game.
MAX_CHUNK_CELLS = 4_000_000

CostFunction = Callable[[frozenset[str]], float]


def require_exact(game: Game, method: str) -> None:
    """Refuse an exact method on a game too large for it, pointing at the methods that scale."""
    if game.n > MAX_EXACT_PLAYERS:
        problem = (
            f"exact '{method}' needs the cost of all 2^{game.n} coalitions and is limited to {MAX_EXACT_PLAYERS} "
            f"players (this game has {game.n}): use sampling instead (method 'shapley' with a number of samples, "
            "e.g. --method shapley --samples 2000), or 'scrb' or 'proportional', which need only 2n + 1 costs"
        )
        raise InputError(game.source, [problem])


def is_number(value: object) -> bool:
    """A finite int or float, and not a bool (which Python counts as an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def popcounts(n: int) -> np.ndarray:
    """Size of every coalition, indexed by bitmask, for masks 0 .. 2^n - 1."""
    sizes = np.zeros(1, dtype=np.int64)
    for _ in range(n):
        sizes = np.concatenate([sizes, sizes + 1])
    return sizes


def subset_sums(x: np.ndarray) -> np.ndarray:
    """x(S) for every mask S, built by doubling: masks with bit i are those without it plus x_i."""
    sums = np.zeros(1)
    for value in x:
        sums = np.concatenate([sums, sums + value])
    return sums


def incidence(masks: np.ndarray, n: int) -> np.ndarray:
    """Membership rows (len(masks), n) of the given bitmasks."""
    return (masks[:, None] >> np.arange(n, dtype=np.int64)) & 1 == 1


class Game:
    """A cost game. Build it from a callable (lazy), or with :meth:`from_table` / :meth:`from_array`.

    ``source`` names where the game came from (a file path, or a model) in user-facing errors.
    """

    def __init__(self, players: Sequence[str], cost: CostFunction | None = None, *, source: str = "game") -> None:
        players = tuple(players)
        if len(players) < 2:
            raise ValueError("a cooperative game needs at least two players")
        if len(set(players)) != len(players) or not all(isinstance(p, str) and p for p in players):
            raise ValueError(f"players must be distinct non-empty strings, got {players!r}")
        self.players = players
        self.n = len(players)
        self.source = source
        self._cost = cost
        self._index = {p: i for i, p in enumerate(players)}
        self._table: np.ndarray | None = None
        self._memo: dict[int, float] = {0: 0.0}

    @classmethod
    def from_array(cls, players: Sequence[str], values: Sequence[float] | np.ndarray, *, source: str = "game") -> Game:
        """A game whose costs are ``values[mask]`` for every bitmask; ``values[0]`` (the empty coalition) is 0."""
        game = cls(players, source=source)
        table = np.array(values, dtype=float)
        if table.shape != (2**game.n,):
            raise ValueError(f"expected {2**game.n} values (one per bitmask), got shape {table.shape}")
        if not np.all(np.isfinite(table)):
            raise ValueError("costs must be finite numbers")
        table[0] = 0.0
        game._table = table
        return game

    @classmethod
    def from_table(
        cls, players: Sequence[str], costs: Mapping[Iterable[str], float], *, source: str = "game"
    ) -> Game:
        """A game from ``{coalition: cost}`` listing every non-empty coalition exactly once."""
        game = cls(players, source=source)
        if game.n > MAX_TABLE_PLAYERS:
            raise ValueError(f"an explicit table is limited to {MAX_TABLE_PLAYERS} players")
        table = np.full(2**game.n, np.nan)
        table[0] = 0.0
        for coalition, cost in costs.items():
            mask = game.mask(coalition)
            if not np.isnan(table[mask]):
                raise ValueError(f"coalition {sorted(coalition)} is listed twice")
            table[mask] = cost
        missing = np.flatnonzero(np.isnan(table))
        if missing.size:
            raise ValueError(f"{missing.size} coalitions have no cost, e.g. {sorted(game.coalition(int(missing[0])))}")
        return cls.from_array(players, table, source=source)

    # --- addressing coalitions -------------------------------------------------------------------------

    def mask(self, coalition: Iterable[str]) -> int:
        """Bitmask of a coalition given as names; a single string is one player, not its letters."""
        mask = 0
        for name in (coalition,) if isinstance(coalition, str) else coalition:
            if name not in self._index:
                raise ValueError(f"'{name}' is not a player of this game (players: {', '.join(self.players)})")
            mask |= 1 << self._index[name]
        return mask

    def coalition(self, mask: int) -> frozenset[str]:
        return frozenset(p for i, p in enumerate(self.players) if mask >> i & 1)

    @property
    def grand_mask(self) -> int:
        return (1 << self.n) - 1

    # --- costs ------------------------------------------------------------------------------------------

    @property
    def is_explicit(self) -> bool:
        """True when every coalition's cost is known or cheap: a table, a rule, or a lazy game whose full
        table has been evaluated (e.g. by an exact method). Enumerating coalitions is then cheap."""
        return self._table is not None

    def cost(self, coalition: Iterable[str]) -> float:
        return float(self.values([coalition])[0])

    def values(self, coalitions: Iterable[Iterable[str]]) -> np.ndarray:
        """c(S) for each coalition; unknown ones are evaluated in one :meth:`evaluate_batch` call."""
        return self.mask_values(np.array([self.mask(c) for c in coalitions], dtype=object))

    def evaluate_batch(self, coalitions: list[frozenset[str]]) -> Sequence[float]:
        """Cost of each coalition, none of them seen before. Override to evaluate them in parallel."""
        if self._cost is None:
            raise ValueError("this game has neither a cost table nor a cost function")
        return [self._cost(c) for c in coalitions]

    @property
    def total(self) -> float:
        """c(N), the cost of the grand coalition."""
        return float(self.mask_values(np.array([self.grand_mask], dtype=object))[0])

    def standalone(self) -> np.ndarray:
        """c({i}) for every player, in player order."""
        return self.mask_values(np.array([1 << i for i in range(self.n)], dtype=object))

    def table(self) -> np.ndarray:
        """c(S) for every bitmask 0 .. 2^n - 1 (all evaluated at once for a lazy game)."""
        if self._table is None:
            if self.n > MAX_TABLE_PLAYERS:
                raise ValueError(f"a full table of {self.n} players has 2^{self.n} entries; the limit is "
                                 f"{MAX_TABLE_PLAYERS} players")
            self._table = self.mask_values(np.arange(2**self.n, dtype=np.int64))
        return self._table

    def mask_values(self, masks: np.ndarray) -> np.ndarray:
        """c(S) for an array of bitmasks (int64, or Python ints in an object array for wide games)."""
        if self._table is not None:
            return self._table[masks.astype(np.int64)]
        return self._lookup([int(m) for m in masks])

    def member_values(self, members: np.ndarray) -> np.ndarray:
        """c(S) for boolean membership rows of shape (k, n); works for any number of players."""
        if self.n <= MAX_MASK_PLAYERS:
            return self.mask_values(members.astype(np.int64) @ (1 << np.arange(self.n, dtype=np.int64)))
        packed = np.packbits(members, axis=1, bitorder="little")
        return self._lookup([int.from_bytes(row.tobytes(), "little") for row in packed])

    def prefix_costs(self, orders: np.ndarray) -> np.ndarray:
        """c of every prefix of every order: ``out[r, k] = c({orders[r, 0], ..., orders[r, k]})``."""
        m, n = orders.shape
        if n <= MAX_MASK_PLAYERS:
            masks = np.bitwise_or.accumulate(np.left_shift(np.int64(1), orders.astype(np.int64)), axis=1)
            return self.mask_values(masks.ravel()).reshape(m, n)
        ranks = np.empty_like(orders)
        np.put_along_axis(ranks, orders, np.arange(n), axis=1)
        members = ranks[:, None, :] <= np.arange(n)[None, :, None]
        return self.member_values(members.reshape(m * n, n)).reshape(m, n)

    def prefix_cells(self) -> int:
        """Array cells :meth:`prefix_costs` needs per order: masks, or membership rows on wide games."""
        return self.n if self.n <= MAX_MASK_PLAYERS else self.n * self.n

    def separation_oracle(self, x: np.ndarray) -> tuple[int, float] | None:
        """The coalition maximising x(S) - c(S) over proper S, and that maximum, if the game knows how
        to find it without enumerating; None otherwise (the core test then enumerates or gives up)."""
        return None

    def _lookup(self, keys: list[int]) -> np.ndarray:
        missing = [k for k in dict.fromkeys(keys) if k not in self._memo]
        if missing:
            costs = np.asarray(self.evaluate_batch([self.coalition(k) for k in missing]), dtype=float)
            if costs.shape != (len(missing),):
                raise ValueError(f"evaluate_batch returned {costs.shape[0] if costs.ndim else 'no'} costs "
                                 f"for {len(missing)} coalitions")
            bad = np.flatnonzero(~np.isfinite(costs))
            if bad.size:
                raise ValueError(f"the cost of {sorted(self.coalition(missing[bad[0]]))} is {costs[bad[0]]}, "
                                 "not a finite number")
            self._memo.update(zip(missing, costs.tolist(), strict=True))
        return np.array([self._memo[k] for k in keys])


class AirportGame(Game):
    """c(S) = max of the members' stand-alone costs (Littlechild and Owen 1973): one facility, sized for
    its most demanding user, serves everyone. Evaluated in closed form for any number of players."""

    def __init__(self, players: Sequence[str], standalone: Sequence[float], *, source: str = "game") -> None:
        super().__init__(players, source=source)
        self._standalone = np.array(standalone, dtype=float)
        if self._standalone.shape != (self.n,) or not np.all(np.isfinite(self._standalone)):
            raise ValueError(f"expected {self.n} finite stand-alone costs")
        if self.n <= MAX_TABLE_PLAYERS:
            table = np.array([-np.inf])  # the empty coalition must not count as a member
            for c in self._standalone:
                table = np.concatenate([table, np.maximum(table, c)])
            table[0] = 0.0
            self._table = table

    @property
    def is_explicit(self) -> bool:
        return True

    def standalone(self) -> np.ndarray:
        return self._standalone.copy()

    @property
    def total(self) -> float:
        return float(self._standalone.max())

    def mask_values(self, masks: np.ndarray) -> np.ndarray:
        if self._table is not None:
            return self._table[masks.astype(np.int64)]
        size = (self.n + 7) // 8

        def members(chunk: np.ndarray) -> np.ndarray:
            raw = np.frombuffer(b"".join(int(m).to_bytes(size, "little") for m in chunk), dtype=np.uint8)
            return np.unpackbits(raw.reshape(len(chunk), size), axis=1, bitorder="little")[:, : self.n] == 1

        return np.concatenate([self.member_values(members(chunk)) for chunk in self._chunks(masks)])

    def member_values(self, members: np.ndarray) -> np.ndarray:
        out = np.concatenate([np.where(rows, self._standalone, -np.inf).max(axis=1, initial=-np.inf)
                              for rows in self._chunks(members)])
        return np.where(members.any(axis=1), out, 0.0)

    def _chunks(self, rows: np.ndarray) -> list[np.ndarray]:
        # A dense (k, n) array of a wide game may not fit in memory: work on row blocks.
        step = max(1, MAX_CHUNK_CELLS // self.n)
        return np.array_split(rows, range(step, len(rows), step)) if len(rows) else [rows]

    def prefix_costs(self, orders: np.ndarray) -> np.ndarray:
        return np.maximum.accumulate(self._standalone[orders], axis=1)

    def prefix_cells(self) -> int:
        return self.n

    def separation_oracle(self, x: np.ndarray) -> tuple[int, float] | None:
        # The best coalition whose largest member is j holds j and every smaller player with x_k > 0;
        # ties in cost are broken by position so each player is "smaller" than j or not, never both.
        order = np.lexsort((np.arange(self.n), self._standalone))
        gains = np.cumsum(np.maximum(x[order], 0.0)) - np.maximum(x[order], 0.0)
        excess = x[order] + gains - self._standalone[order]
        j = int(np.argmax(excess))
        members = [int(order[j])] + [int(k) for k in order[:j] if x[k] > 0]
        mask = sum(1 << k for k in members)
        if mask == self.grand_mask:
            # N itself is not a proper coalition; with x(N) = c(N) its excess is 0, as in the core.
            return mask, 0.0
        return mask, float(excess[j])
