"""What collaboration is worth to a cluster, and how each allocation rule splits it.

The dividend is what the members would pay planning alone minus what they pay together,
sum_i c({i}) - c(N). Each rule splits c(N); a member's saving is c({i}) minus its share.
Where the saving comes from is read off the plans: each lever's net present cost together
against its sum over the members' stand-alone plans.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from clusterpath.coalition.allocation import allocate
from clusterpath.coalition.cluster_game import ClusterGame
from clusterpath.coalition.explain import core_split, explain_member, lever_saving
from clusterpath.inventory import Inventory
from clusterpath.pathway.hub import HUB
from clusterpath.schema import Cluster


def collaborate(game: ClusterGame, cluster: Cluster, *, exact_up_to: int = 10, samples: int = 40,
                seed: int = 0, explain: Iterable[str] = ()) -> dict:  # fmt: skip
    """The dividend, every rule's split with its core test, and the levers behind the saving.

    ``explain`` names members whose share is explained (coalition/explain.py) under the split the report
    quotes: one in the core when a rule's is, else the Shapley value's."""
    everyone = frozenset(game.players)
    together = game.lever_costs(everyone)
    by_member = {p: game.lever_costs(frozenset([p])) for p in game.players}
    alone = pd.concat(list(by_member.values())).groupby(level=[0, 1]).sum()
    exact = game.n <= exact_up_to
    if exact:
        game.table()  # every coalition, in parallel, once: exact Shapley, nucleolus and the core test use it
    emissions = Inventory(cluster).members["total_tco2e"].reindex(list(game.players)).fillna(0.0).to_dict()
    plans = {"shapley": {} if exact else {"samples": samples, "seed": seed}, "scrb": {},
             "proportional": {"weights": emissions}, "use": {}, "dual": {}}  # fmt: skip
    if exact:
        plans |= {"nucleolus": {}, "least-core": {}}
    rules = {method: allocate(game, method, **options).to_dict() for method, options in plans.items()}
    rules["proportional"]["basis"] = "baseline emissions, scope 1 and 2"
    rules["use"]["basis"] = "own spending, and the hub's in proportion to use of shared infrastructure"
    standalone = dict(zip(game.players, game.standalone().tolist(), strict=True))
    total = game.total
    dividend = sum(standalone.values()) - total
    quoted = core_split(rules)
    chosen = rules[quoted or "shapley"]
    explanations = {}
    for member in explain:
        saving = lever_saving(member, together, by_member, chosen["allocation"][member],
                              {member: game.model.fixed_cost([member])})  # fmt: skip
        explanations[member] = explain_member(game, chosen, member, lever_saving=saving)
    return {
        "cluster": cluster.id,
        "currency": cluster.currency,
        "players": list(game.players),
        "together": total,
        "standalone": standalone,
        "dividend": dividend,
        "dividend_share": dividend / sum(standalone.values()) if sum(standalone.values()) else 0.0,
        "rules": rules,
        "levers": _levers(together, alone),
        "coalitions_solved": game.evaluated,
        # The split to quote as "who pays what": a rule's in the core, or None when none is known to be.
        "core_split": quoted,
        "explanations": explanations,
    }


def _levers(together: pd.Series, alone: pd.Series) -> list[dict]:
    """Net present cost by lever together and alone, shared ones first, largest saving first."""

    def by_lever(costs: pd.Series) -> pd.Series:
        nodes = costs.index.get_level_values("node")
        names = [f"shared {lever}" if node == HUB else f"members' {lever}"
                 for node, lever in zip(nodes, costs.index.get_level_values("lever"), strict=True)]  # fmt: skip
        return costs.groupby(names).sum()

    frame = pd.DataFrame({"together": by_lever(together), "alone": by_lever(alone)}).fillna(0.0)
    frame["saving"] = frame["alone"] - frame["together"]
    frame = frame[(frame[["together", "alone"]].abs() > 1e-6).any(axis=1)]
    frame = frame.sort_values("saving", ascending=False, key=abs)
    return [{"lever": lever, **{k: float(v) for k, v in row.items()}} for lever, row in frame.iterrows()]
