"""The cost of any coalition of members, by re-solving one built model.

c(S) is the least net present cost when only the members in S take part: they share the
hub's infrastructure among themselves, and the emission cap is the share of the cluster's
path that starts from their own baseline. The model of the whole cluster is built and passed
to HiGHS once; a coalition only changes bounds: the flows and new capacity of members
outside S are fixed at zero, their energy balances get zero demand, and the cap's right-hand
side is the coalition's own path. HiGHS then starts from the last basis instead of from
scratch. With size classes (a MIP) a coalition starts as ``plan`` does (``pathway.solve``): its linear
relaxation, re-solved by dual simplex from the last basis, picks the classes, and the LP with
those classes fixed is its first plan; a branch and bound over the classes whose every node is
such a warm re-solve (``pathway.branch``) then proves it, or a better plan, within the MIP gap.
HiGHS's own branch and bound, which solves its root LP from scratch, is the fallback.
``docs/model.md`` ("Coalitions") has the equations.
"""

from __future__ import annotations

from collections.abc import Iterable

import highspy
import numpy as np
import pandas as pd
import xarray as xr

from clusterpath.pathway import branch
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.network import Network, PathwayModel
from clusterpath.pathway.solve import MIP_GAP, _positions, _silent_stdout, _solution

# Largest objective coefficient HiGHS handles comfortably; above it the objective is scaled.
OBJECTIVE_SCALE_ABOVE = 1e6
# The rows that bound a unit's flow by its capacity, existing capacity on their right-hand side: a vintaged unit's
# existing capacity is in its ``vintage-existing`` rows, which stand in for its ``capacity-limit`` (network.py).
UNIT_LIMITS = ("capacity-limit", "vintage-existing")


class CoalitionSolveError(RuntimeError):
    """HiGHS ended a coalition's solve without an optimal plan."""


class CoalitionModel:
    """One pathway model, solved for any subset of the network's members."""

    def __init__(self, network: Network, *, full: Network | None = None, mip_gap: float = MIP_GAP,
                 time_limit: float | None = None) -> None:  # fmt: skip
        """``network`` may be grouped (``pathway.groups``); then ``full`` is the ungrouped one, whose
        members are the players and whose demand and equipment say each member's part of its group."""
        self.network = network
        groups = network.meta.get("groups", {})
        if groups and full is None:
            raise ValueError("a grouped network needs its full network to tell the members apart")
        self.full = full if full is not None else network
        self.nodes = [node for node in dict.fromkeys(network.units["node"]) if node != HUB]
        self._groups = {node: groups.get(node, [node]) for node in self.nodes}
        self.members = [member for node in self.nodes for member in self._groups[node]]
        self._model = PathwayModel(network)
        m = self._model.model
        with _silent_stdout():
            self.highs = m.to_highspy()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("mip_rel_gap", float(mip_gap))
        self.mip_gap = float(mip_gap)
        # Costs in a currency like IDR reach 1e11 per unit: warm-started dual simplex then fails its
        # ratio test, so let HiGHS scale the objective by a power of two (results come back unscaled).
        largest = float(np.abs(np.asarray(self.highs.getLp().col_cost_)).max(initial=0.0))
        if largest > OBJECTIVE_SCALE_ABOVE:
            self.highs.setOptionValue("user_objective_scale", -int(np.ceil(np.log2(largest / OBJECTIVE_SCALE_ABOVE))))
        if time_limit is not None:
            self.highs.setOptionValue("time_limit", float(time_limit))
        lp = self.highs.getLp()
        self._col_lower = np.asarray(lp.col_lower_, dtype=float)
        self._col_upper = np.asarray(lp.col_upper_, dtype=float)
        self._row_lower = np.asarray(lp.row_lower_, dtype=float)
        self._row_upper = np.asarray(lp.row_upper_, dtype=float)
        self._column = column = _positions(m.matrices.vlabels)
        self._integer = np.flatnonzero([int(v) for v in lp.integrality_]).astype(np.int32)
        self._values = np.array([])  # column values of the last plan solved
        self._classes = branch.Groups.of(self._model.classes, column)
        self.max_nodes = branch.MAX_NODES
        self.tree_sizes: list[int] = []  # LP relaxations of each MIP coalition's branch and bound (0: HiGHS's)
        row = _positions(m.matrices.clabels)
        unit_node = network.units["node"]
        self._columns = {node: [] for node in self.nodes}
        for name in m.variables:
            variable = m.variables[name]
            if "unit" not in variable.dims:
                continue
            for node, units in unit_node.groupby(unit_node).groups.items():
                # Some variables cover a subset of the units (vintage flows: only units whose ports differ by vintage).
                present = variable.indexes["unit"].intersection(units)
                if node in self._columns and len(present):
                    labels = variable.labels.sel(unit=present).values.ravel()
                    self._columns[node].append(column[labels[labels >= 0]])
        # A node's rows: its energy balances (its demand) and the limits of its own units (its
        # equipment today): what its members bring to a coalition, and what the dual allocation prices.
        # Each row keeps the bus or unit it belongs to, so a group's rows can follow the part of its
        # members in a coalition (their demand on that bus, their equipment of that unit).
        self._rows = {node: [] for node in self.nodes}
        self._owned = {node: [] for node in self.nodes}
        self._owned_key = {node: [] for node in self.nodes}
        bus_node = network.buses["node"]
        for name, constraint in m.constraints.items():
            dim, owner = ("bus", bus_node) if "bus" in constraint.dims else ("unit", unit_node)
            if not (name.startswith("energy-balance") or (dim == "unit" and name in UNIT_LIMITS)):
                continue
            labels_by = constraint.labels.transpose(dim, ...)
            nodes = owner.reindex(labels_by.indexes[dim])
            for node in self.nodes:
                for key in nodes.index[nodes == node]:
                    labels = labels_by.sel({dim: key}).values.ravel()
                    rows = row[labels[labels >= 0]]
                    self._owned[node].append(rows)
                    self._owned_key[node].append(np.full(rows.size, f"{dim}:{key.partition('|')[2]}", dtype=object))
                    if dim == "bus":
                        self._rows[node].append(rows)
        self._owned_key = {k: np.concatenate(v) if v else np.array([], object) for k, v in self._owned_key.items()}
        self._weights = self._member_weights()
        self._columns = {k: np.concatenate(v) if v else np.array([], int) for k, v in self._columns.items()}
        # Which unit or store each column belongs to (-1: none), to tell what a plan spends on which lever.
        stores = network.stores
        store_node = network.buses["node"].reindex(stores["bus"]).to_numpy() if len(stores) else np.array([])
        self._owners = pd.DataFrame({
            "node": np.concatenate([network.units["node"].to_numpy(), store_node]),
            "lever": np.concatenate([network.units["lever"].to_numpy(), stores["lever"].to_numpy() if len(stores) else []]),
        })  # fmt: skip
        names = {"unit": network.units.index, "scaled": network.units.index, "classed": network.units.index,
                 "store": stores.index}  # fmt: skip
        offset = {"unit": 0, "scaled": 0, "classed": 0, "store": len(network.units)}
        self._owner_of_column = np.full(len(self._col_lower), -1)
        for name in m.variables:
            variable = m.variables[name]
            dim = next((d for d in ("unit", "scaled", "classed", "store") if d in variable.dims), None)
            if dim is None:
                continue
            labels = variable.labels.transpose(dim, ...).values.reshape(variable.labels.sizes[dim], -1)
            owner = names[dim].get_indexer(variable.labels.indexes[dim]) + offset[dim]
            for position, row_labels in zip(owner, labels, strict=True):
                self._owner_of_column[column[row_labels[row_labels >= 0]]] = position
        self._rows = {k: np.concatenate(v) if v else np.array([], int) for k, v in self._rows.items()}
        self._owned = {k: np.concatenate(v) if v else np.array([], int) for k, v in self._owned.items()}
        self._caps = [(cap, row[m.constraints[f"emission-cap-{cap.name}"].labels.values]) for cap in network.caps]
        self._shared = self._shared_limits(row)
        self._constants = _fixed_costs(self.full)
        self._baseline = network.meta.get("cap_baseline", pd.Series(dtype=float))
        self._merchant = pd.Series(network.meta.get("merchant_mw", {}), dtype=float)
        self._shortfall = self._add_shortfall()

    def _add_shortfall(self) -> np.ndarray:
        """One column per cap row: tonnes a coalition misses its own cap by, at the whole cluster's price.

        A coalition may fall short of its share of the cap by buying the difference from the other
        members at the cluster's marginal abatement cost (the cap's dual in the grand coalition's
        linear relaxation, per t/yr of each period), as an emissions trading scheme among them would
        allow. At that price no coalition can gain by breaking up the cap (docs/model.md, 6.11), and
        a member whose share of the storage site is too small to reach its own target alone still
        has a cost. The grand coalition itself meets the cap, as in ``plan``.
        """
        self._shortfall = np.array([], int)
        rows = np.concatenate([r for _, r in self._caps]) if self._caps else np.array([], int)
        if not rows.size:
            return rows
        self._restrict(set(self.members))
        dual, _ = self._relaxed(set(self.members))
        price = np.maximum(-dual[rows], 0.0)
        first = len(self._col_lower)
        self.highs.addCols(rows.size, price, np.zeros(rows.size), np.zeros(rows.size), rows.size,
                           np.arange(rows.size, dtype=np.int32), rows.astype(np.int32), -np.ones(rows.size))  # fmt: skip
        self._col_lower = np.append(self._col_lower, np.zeros(rows.size))
        self._col_upper = np.append(self._col_upper, np.full(rows.size, np.inf))
        self._owners.loc[len(self._owners)] = [HUB, "emissions bought from other members"]
        self._owner_of_column = np.append(self._owner_of_column, np.full(rows.size, len(self._owners) - 1))
        return np.arange(first, first + rows.size)

    def _relaxed(self, inside: set[str]) -> tuple[np.ndarray, float]:
        """Row duals and cost of the coalition's linear relaxation (size classes continuous)."""
        h = self.highs
        integer = self._integer
        if integer.size:
            h.changeColsIntegrality(integer.size, integer, np.zeros(integer.size, dtype=np.uint8))
        try:
            cost = self._run(inside)
            return np.asarray(h.getSolution().row_dual, dtype=float), cost
        finally:
            if integer.size:
                h.changeColsIntegrality(integer.size, integer, np.ones(integer.size, dtype=np.uint8))

    def cost(self, coalition: Iterable[str]) -> float:
        """Least net present cost of the coalition on its own (0 for no member)."""
        inside = set(coalition)
        unknown = inside.difference(self.members)
        if unknown:
            raise ValueError(f"not members of this network: {', '.join(sorted(unknown))}")
        if not inside:
            return 0.0
        self._restrict(inside)
        if not self._integer.size:
            return self._run(inside)
        with _silent_stdout():
            values, objective, proven, nodes = branch.solve(self.highs, self._classes, self.mip_gap,
                                                            max_nodes=self.max_nodes)  # fmt: skip
        if proven:
            self.tree_sizes.append(nodes)
            self._values = values
            return float(objective + self.fixed_cost(inside))
        # Not proven within the node limit (or a relaxation did not solve, or none was feasible): HiGHS's
        # branch and bound from scratch, from the best plan found.
        self.tree_sizes.append(0)
        self.highs.clearSolver()
        if values is not None:
            self.highs.setSolution(_solution(values))
        return self._run(inside)

    def lever_costs(self, coalition: Iterable[str]) -> pd.Series:
        """The coalition's net present cost by (node, lever): what its plan spends where."""
        self.cost(coalition)
        lp = self.highs.getLp()
        spend = np.asarray(lp.col_cost_, dtype=float) * self._values
        owned = self._owner_of_column >= 0
        frame = self._owners.iloc[self._owner_of_column[owned]].assign(cost=spend[owned])
        return frame.groupby(["node", "lever"])["cost"].sum()

    def dual_allocation(self) -> pd.Series:
        """Owen's allocation of c(N): each member pays the dual prices of what it brings.

        Solves the linear relaxation of the whole cluster; a member is charged the duals of its
        energy balances times its demand, of its units' limits times its equipment, and of the
        cap times its share of the cap's right-hand side, plus its fixed carbon cost. What the
        duals put on shared resources (hub potentials, storage injection) and the difference
        between the relaxation and c(N) are spread in proportion to the members' demand charges.
        """
        everyone = set(self.members)
        total = self.cost(everyone)
        dual, _ = self._relaxed(everyone)
        lp = self.highs.getLp()
        lower, upper = np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float)
        rhs = np.where(np.isfinite(upper), upper, lower)
        demand = pd.Series(0.0, index=self.members)
        for node in self.nodes:
            rows = self._owned[node]
            for member in self._groups[node]:
                demand[member] = float((dual[rows] * rhs[rows]) @ self._part(node, [member]))
        value = demand.copy()
        for cap, rows in self._caps:
            if cap.name in self.members:
                value[cap.name] += float(dual[rows] @ rhs[rows])
                continue
            base = self._cap_rhs(cap, set())
            for member in self.members:
                value[member] += float(dual[rows] @ (self._cap_rhs(cap, {member}) - base))
        value += self._constants.reindex(value.index).fillna(0.0)
        weight = demand.clip(lower=0.0)
        weight = weight / weight.sum() if weight.sum() > 0 else pd.Series(1 / len(weight), index=weight.index)
        return value + weight * (total - value.sum())

    def use_allocation(self) -> pd.Series:
        """c(N) split as each member's own spending plus the hub's spending in proportion to its use.

        A hub unit's cost goes to the hub buses it supplies (a sink such as a storage site: the bus
        it takes from); a hub unit that draws on other hub buses passes their cost on to what it
        supplies (grid power into electrolysis into hydrogen). A member's use of a hub bus is the
        discounted energy of its links to it, in either direction (hydrogen taken, CO2 sent).
        docs/allocation.md writes the equations.
        """
        n = self.network
        total = self.cost(set(self.members))
        spend = np.asarray(self.highs.getLp().col_cost_, dtype=float) * self._values
        owned = self._owner_of_column >= 0
        by_owner = np.bincount(self._owner_of_column[owned], weights=spend[owned], minlength=len(self._owners))
        unit_cost = pd.Series(by_owner[: len(n.units)], index=n.units.index)
        store_cost = pd.Series(by_owner[len(n.units): len(n.units) + len(n.stores)], index=n.stores.index, dtype=float)
        node_cost = pd.Series(by_owner, index=self._owners["node"].to_numpy()).groupby(level=0).sum()
        node_cost = node_cost.add(self._constants.reindex(self.nodes + [HUB]).fillna(0.0), fill_value=0.0)

        hub_buses = n.buses.index[(n.buses["node"] == HUB) & (n.buses["kind"] == "balance")]
        ports = n.ports[n.ports["bus"].isin(hub_buses)]
        energy = self._discounted_energy().reindex(ports["unit"]).to_numpy()
        ports = ports.assign(amount=np.abs(ports["coefficient"].to_numpy() * energy), node=n.units.loc[ports["unit"], "node"].to_numpy())
        hub_ports = ports[ports["node"] == HUB]
        supplies = hub_ports[hub_ports["coefficient"] > 0]
        sinks = hub_ports[~hub_ports["unit"].isin(supplies["unit"])]
        provider = pd.concat([supplies, sinks])  # each hub unit's cost goes to these buses
        assign = provider.pivot_table(index="unit", columns="bus", values="amount", aggfunc="sum").reindex(columns=hub_buses, fill_value=0.0).fillna(0.0)
        # A unit that moved nothing that period is split evenly over the buses it supplies.
        idle = assign.sum(axis=1) <= 0
        assign.loc[idle] = provider.assign(one=1.0).pivot_table(index="unit", columns="bus", values="one", aggfunc="sum").reindex(
            index=assign.index[idle], columns=hub_buses).fillna(0.0)
        assign = assign.div(assign.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0.0)
        direct = pd.Series(assign.T.to_numpy() @ unit_cost.reindex(assign.index).fillna(0.0).to_numpy(), index=hub_buses)
        if len(n.stores):
            direct = direct.add(store_cost.groupby(n.stores["bus"]).sum().reindex(hub_buses).fillna(0.0), fill_value=0.0)

        users = ports[~ports.set_index(["unit", "bus"]).index.isin(provider.set_index(["unit", "bus"]).index)]
        use = users.pivot_table(index="unit", columns="bus", values="amount", aggfunc="sum").reindex(columns=hub_buses, fill_value=0.0).fillna(0.0)
        share = use.div(use.sum(axis=0).where(lambda s: s > 0), axis=1).fillna(0.0)
        inner = share.index.intersection(assign.index)
        passed = assign.reindex(inner).T.to_numpy() @ share.loc[inner].to_numpy()  # [supplied bus, drawn bus]
        pool = np.linalg.lstsq(np.eye(len(hub_buses)) - passed, direct.to_numpy(), rcond=None)[0]
        member_links = share.index[n.units.loc[share.index, "node"] != HUB]
        shared_by_node = (share.loc[member_links] * pool).sum(axis=1).groupby(n.units.loc[member_links, "node"]).sum()

        own, shared = pd.Series(0.0, index=self.members), pd.Series(0.0, index=self.members)
        for node in self.nodes:
            part = self._demand_share(node)
            own += (part * node_cost.get(node, 0.0)).reindex(own.index).fillna(0.0)
            shared += (part * shared_by_node.get(node, 0.0)).reindex(shared.index).fillna(0.0)
        # What no member's use traces to (idle hub assets, the hub's own carbon) follows the traced shares.
        basis = shared if shared.sum() > 0 else own.clip(lower=0.0)
        basis = basis / basis.sum() if basis.sum() > 0 else pd.Series(1 / len(basis), index=basis.index)
        return own + shared + basis * (total - own.sum() - shared.sum())

    def _discounted_energy(self) -> pd.Series:
        """Per unit, its flow in the solved plan over all years, discounted like its costs."""
        flow = self._model.flow
        values = np.append(self._values, 0.0)
        labels = flow.labels.values
        # Labels the solver never saw (masked, or in no row and no cost) take the appended zero.
        column = np.where(labels >= 0, self._column[np.clip(labels, 0, None)], -1)
        taken = values[column]
        yearly = (xr.DataArray(taken, coords=flow.labels.coords) * self.network.step_weight).sum(["day", "hour"])
        return (yearly * self.network.discount_sum()).sum("period").to_pandas()

    def _demand_share(self, node: str) -> pd.Series:
        """Each member's part of its node: its share of the group's demand (one member: all of it)."""
        table = self._weights[node]
        demand = table[[k for k in table.columns if k.startswith("bus:")]].abs().sum(axis=1)
        return demand / demand.sum() if demand.sum() > 0 else pd.Series(1 / len(table), index=table.index)

    def _restrict(self, inside: set[str]) -> None:
        col_lower, col_upper = self._col_lower.copy(), self._col_upper.copy()
        row_lower, row_upper = self._row_lower.copy(), self._row_upper.copy()
        for node in self.nodes:
            present = [m for m in self._groups[node] if m in inside]
            if not present:
                col_lower[self._columns[node]] = 0.0
                col_upper[self._columns[node]] = 0.0
                row_lower[self._rows[node]] = 0.0
                row_upper[self._rows[node]] = 0.0
            elif len(present) < len(self._groups[node]):
                rows, part = self._owned[node], self._part(node, present)
                row_lower[rows] = np.where(np.isfinite(row_lower[rows]), row_lower[rows] * part, row_lower[rows])
                row_upper[rows] = np.where(np.isfinite(row_upper[rows]), row_upper[rows] * part, row_upper[rows])
        for cap, rows in self._caps:
            row_upper[rows] = self._cap_rhs(cap, inside)
        share = self._resource_share(inside)
        for rows, potential in self._shared:
            # What others' share of a potential was, comes off its right-hand side (new capacity <= potential - existing).
            row_upper[rows] = np.maximum(self._row_upper[rows] - (1 - share) * potential, 0.0)
        if inside == set(self.members):
            col_upper[self._shortfall] = 0.0
        h = self.highs
        h.changeColsBounds(len(col_lower), np.arange(len(col_lower), dtype=np.int32), col_lower, col_upper)
        h.changeRowsBounds(len(row_lower), np.arange(len(row_lower), dtype=np.int32), row_lower, row_upper)

    def _run(self, inside: set[str]) -> float:
        h = self.highs
        with _silent_stdout():
            h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            named = sorted(inside)
            who = ", ".join(named) if len(named) <= 6 else f"{len(named)} members ({', '.join(named[:3])}, ...)"
            raise CoalitionSolveError(f"the coalition of {who} on its own: {h.modelStatusToString(status).lower()}")
        self._values = np.asarray(h.getSolution().col_value, dtype=float)
        return float(h.getInfo().objective_function_value + self.fixed_cost(inside))

    def fixed_cost(self, coalition: Iterable[str]) -> float:
        """The part of a coalition's cost no decision changes (carbon price on fixed emissions)."""
        return float(self._constants.reindex([*coalition, HUB]).fillna(0.0).sum())

    def _cap_rhs(self, cap, inside: set[str]) -> np.ndarray:
        """The coalition's own cap path minus its fixed emissions (what the row's right-hand side holds)."""
        periods = self.network.period_index
        if cap.name == "cluster":
            total = float(self._baseline.sum())
            fraction = cap.limit.reindex(periods).to_numpy() / total if total > 0 else np.zeros(len(periods))
            limit = fraction * self._coalition_baseline(inside)
            buses = cap.buses
        elif cap.name in self.nodes:
            group = self._groups[cap.name]
            present = [m for m in group if m in inside]
            if not present:
                return np.full(len(periods), np.inf)
            baseline = self._baseline.reindex(group).fillna(0.0)
            part = baseline[present].sum() / baseline.sum() if baseline.sum() > 0 else len(present) / len(group)
            limit, buses = cap.limit.reindex(periods).to_numpy() * part, cap.buses
        else:  # the hub's own cap (members' caps): its merchant reformer serves the members buying hydrogen
            limit, buses = cap.limit.reindex(periods).to_numpy() * self._merchant_share(inside), cap.buses
        return limit - self._fixed_emissions(buses, inside)

    def _fixed_emissions(self, buses: list[str], inside: set[str]) -> np.ndarray:
        """Yearly fixed emissions (tCO2e) of the coalition's members and the hub on these (grouped) buses."""
        constant = self.full.emission_constant
        if constant is None:
            return np.zeros(len(self.network.period_index))
        names = []
        for bus in buses:
            node, _, scope = bus.partition("|")
            names += [bus] if node == HUB else [f"{m}|{scope}" for m in self._groups.get(node, []) if m in inside]
        names = [b for b in names if b in constant.indexes["bus"]]
        return constant.sel(bus=names).sum("bus").to_numpy() if names else np.zeros(len(self.network.period_index))

    def _member_weights(self) -> dict[str, pd.DataFrame]:
        """Per node, each member's demand on its buses and equipment of its units (members x keys)."""
        full = self.full
        demand = full.demand.mean(["period", "day", "hour"]).to_pandas()
        existing = full.unit_period["existing"].groupby(level=0).max()
        weights = {}
        for node in self.nodes:
            keys = pd.unique(self._owned_key[node])
            table = pd.DataFrame(0.0, index=self._groups[node], columns=keys)
            for key in keys:
                dim, suffix = key.split(":", 1)
                source = demand if dim == "bus" else existing
                table[key] = source.reindex([f"{m}|{suffix}" for m in self._groups[node]]).fillna(0.0).to_numpy()
            weights[node] = table
        return weights

    def _part(self, node: str, present: list[str]) -> np.ndarray:
        """Per owned row of a node, the present members' part of it (their demand or equipment over the group's)."""
        table = self._weights[node]
        total = table.sum()
        part = table.loc[present].sum() / total.where(total.abs() > 1e-12)
        part = part.fillna(len(present) / len(table))
        return part.reindex(self._owned_key[node]).to_numpy()

    def _shared_limits(self, row: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Rows of limits on shared resources with the full amount in each row's right-hand side.

        The hub's potentials (land for renewables, geothermal, storage volume), the storage sites'
        yearly injection and the build-rate limits serve the whole cluster; a coalition may use
        its share of them, else a member alone could claim what the cluster must share.
        """
        m, n = self._model.model, self.network
        hub_units = n.units.index[n.units["node"] == HUB]
        hub_stores = n.stores.index[n.buses["node"].reindex(n.stores["bus"]).to_numpy() == HUB] if len(n.stores) else []
        limits = []
        for name in m.constraints:
            labels = m.constraints[name].labels
            if name.startswith(("annual-limit-", "build-limit-")):
                rows = row[labels.values.ravel()]
                limits.append((rows, self._row_upper[rows]))
            elif name in ("resource-potential", "store-potential"):
                dim, keep, maximum = (("unit", hub_units, n.units["capacity_max"]) if name == "resource-potential"
                                      else ("store", hub_stores, n.stores["energy_max"]))  # fmt: skip
                kept = labels.sel({dim: labels.indexes[dim].intersection(keep)})
                potential = xr.DataArray(maximum.astype(float).reindex(kept.indexes[dim]).to_numpy(),
                                         coords=[kept.indexes[dim]]).broadcast_like(kept)  # fmt: skip
                valid = kept.values.ravel() >= 0
                limits.append((row[kept.values.ravel()[valid]], potential.values.ravel()[valid]))
        return limits

    def _resource_share(self, inside: set[str]) -> float:
        """A coalition's share of shared resources: its share of the cluster's baseline emissions."""
        baseline = self._baseline.drop(HUB, errors="ignore")
        if baseline.sum() <= 0:
            return len(inside) / len(self.members)
        return float(baseline.reindex(list(inside)).fillna(0.0).sum() / baseline.sum())

    def _coalition_baseline(self, inside: set[str]) -> float:
        members = float(self._baseline.reindex(list(inside)).fillna(0.0).sum())
        return members + float(self._baseline.get(HUB, 0.0)) * self._merchant_share(inside)

    def _merchant_share(self, inside: set[str]) -> float:
        total = float(self._merchant.sum())
        return float(self._merchant.reindex(list(inside)).fillna(0.0).sum()) / total if total > 0 else 0.0


def _fixed_costs(n: Network) -> pd.Series:
    """The objective's constant (carbon price on fixed emissions) by member or hub: HiGHS does not see it."""
    if n.carbon_price is None or n.emission_constant is None:
        return pd.Series(dtype=float)
    price = n.carbon_price.reindex(n.period_index).fillna(0.0).to_numpy()
    constant = n.emission_constant.to_pandas()
    priced = n.buses.get("priced", pd.Series(True, index=n.buses.index)).reindex(constant.index)
    constant = constant.loc[priced.fillna(True).astype(bool).to_numpy()]
    per_bus = (constant * price * n.discount_sum().to_numpy()).sum(axis=1)
    return per_bus.groupby(n.buses["node"].reindex(per_bus.index).to_numpy()).sum()
