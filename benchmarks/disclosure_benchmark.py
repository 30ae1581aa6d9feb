"""Time of one release's disclosure control (primary rules, complementary suppression, audit) for a bundled example.

Two releases are timed, as the platform makes them: the first over the example's members (no history), then a
second after ``--changed`` members upload new data (value added x 1.1, one more job), audited against the first.
For each: figures, cells, rounds of suppression and audit, figures withheld, seconds (``time.perf_counter``) and CPU
seconds of this process (``time.process_time``: on a loaded machine the wall time counts others' work too).

    .venv/bin/python benchmarks/disclosure_benchmark.py --example port-chemicals --changed 3 --repeat 3
    .venv/bin/python benchmarks/disclosure_benchmark.py --portfolio initiative-2025   # each of its clusters once

Each cluster's releases are its own (an initiative's analysts see only what its members and observers were shown:
docs/security.md).
"""

from __future__ import annotations

import argparse
import json
import time
from importlib import resources
from pathlib import Path

from clusterpath import examples
from clusterpath.inventory import Inventory
from clusterpath.io.load import load_cluster
from clusterpath.platform import releases
from clusterpath.platform.disclosure import cells_of, decide, table_figures
from clusterpath.platform.memberdata import content_hash


def _release(cluster, earlier: list, number: int, k: int, p: float) -> tuple[dict, object]:
    inventory = Inventory(cluster)
    data = {m.id: m.model_dump(mode="json") for m in cluster.members}
    epochs = {key: content_hash(value)[:16] for key, value in data.items()}
    cells = cells_of(inventory.lines, inventory.members, epochs)
    rows = {"sector": [str(s) for s in inventory.sectors.index], "carrier": [str(c) for c in inventory.carriers.index]}
    figures = table_figures(cells, rows)
    start, cpu = time.perf_counter(), time.process_time()
    decision = decide(figures, cells, epochs, k, p, earlier)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    release = releases.record(1, releases.CLUSTER, number, str(number), k, p, epochs, rows, cells, figures, decision)
    return {"release": number, "members": len(epochs), "cells": len(cells), "figures": len(figures),
            "withheld": len(decision.withheld), "held": decision.held, "rounds": decision.rounds,
            "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3)}, release  # fmt: skip


def _changed(cluster, count: int):
    members = []
    for i, member in enumerate(cluster.members):
        if i < count:
            member = member.model_copy(update={"value_added": member.value_added * 1.1, "jobs": member.jobs + 1})
        members.append(member)
    return cluster.model_copy(update={"members": members})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="port-chemicals", choices=examples.names())
    parser.add_argument("--portfolio", help="a shipped portfolio (data/portfolios/NAME): every cluster of it instead")
    parser.add_argument("--changed", type=int, default=3, help="members with new data in the second release")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("-k", type=int, default=3)
    parser.add_argument("-p", type=float, default=10.0)
    args = parser.parse_args()
    if args.portfolio:
        folder = resources.files("clusterpath.data") / "portfolios" / args.portfolio / "clusters"
        clusters = {path.name: load_cluster(Path(str(path))) for path in sorted(folder.iterdir(), key=str)}
    else:
        clusters = {args.example: examples.load(args.example)}
    for _ in range(args.repeat):
        for name, cluster in clusters.items():
            first, release = _release(cluster, [], 1, args.k, args.p)
            changed = _changed(cluster, args.changed)
            second, _ = _release(changed, [releases.earlier(release)], 2, args.k, args.p)
            print(json.dumps({"cluster": name, "first": first, "second": second}))


if __name__ == "__main__":
    main()
