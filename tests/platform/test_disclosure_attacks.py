"""Attacks on the aggregates an observer or a competitor is shown (issue 14): each one solves the audit LP of
``helpers.attacker`` over every number received and must not know another member's figure to within p %."""

from __future__ import annotations

import copy
import time

import pytest
from helpers.attacker import Attacker, member_cells
from helpers.platform import API, DESCRIPTION, MEMBERS, SCENARIO, register

P = 10.0


def company(name: str, sector: str, electricity: float, steam: float, value_added: float, jobs: int,
            process: float | None = None, wastewater_cod: float | None = None) -> dict:  # fmt: skip
    data = {"name": name, "sector": sector, "value_added": value_added, "jobs": jobs,
            "demands": [{"service": "electricity", "carrier": "electricity", "final_energy": f"{electricity} MWh"},
                        {"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
                         "useful_energy": f"{steam} MWh"}]}  # fmt: skip
    if process is not None:
        data["process_emissions"] = [{"source": "process vent", "gas": "co2", "amount": f"{process} t"}]
    if wastewater_cod is not None:
        data["wastewater"] = [{"amount": "50000 m3", "cod": f"{wastewater_cod} t", "treatment": "anaerobic"}]
    return data


class Room:
    """A cluster on the API: a coordinator, an observer and one user per member company."""

    def __init__(self, client, members: dict[str, dict], k: int = 3, slug: str = "room") -> None:
        self.client, self.slug, self.data = client, slug, {}
        self.headers = {"coordinator": register(client, f"coordinator@{slug}.org", "Coordinator")}
        response = client.post(f"{API}/clusters", json={"slug": slug, "name": "Room", "description": DESCRIPTION,
                                                        "k": k}, headers=self.headers["coordinator"])  # fmt: skip
        assert response.status_code == 201, response.text
        self.invite("observer", "observer", None)
        for key, data in members.items():
            self.add(key, data)

    def url(self, path: str) -> str:
        return f"{API}/clusters/{self.slug}{path}"

    def invite(self, who: str, role: str, member: str | None) -> None:
        email = f"{who}@{self.slug}.org"
        invitation = self.client.post(self.url("/invitations"), json={"email": email, "role": role, "member": member},
                                      headers=self.headers["coordinator"])  # fmt: skip
        assert invitation.status_code == 201, invitation.text
        self.headers[who] = register(self.client, email, who)
        accepted = self.client.post(f"{API}/invitations/accept", json={"code": invitation.json()["code"]},
                                    headers=self.headers[who])  # fmt: skip
        assert accepted.status_code == 200, accepted.text

    def add(self, key: str, data: dict) -> None:
        response = self.client.post(self.url("/members"), json={"key": key, "name": data["name"]},
                                    headers=self.headers["coordinator"])  # fmt: skip
        assert response.status_code == 201, response.text
        self.invite(key, "member", key)
        self.data[key] = data

    def upload(self, key: str) -> None:
        response = self.client.put(self.url(f"/members/{key}/data"), json=self.data[key], headers=self.headers[key])
        assert response.status_code == 201, response.text

    def read(self, who: str, by: str) -> dict:
        response = self.client.get(self.url(f"/aggregates/emissions?by={by}"), headers=self.headers[who])
        assert response.status_code == 200, response.text
        return response.json()

    def attacker(self, who: str) -> Attacker:
        attacker = Attacker()
        for key, data in self.data.items():
            sector, cells = member_cells(DESCRIPTION, key, data)
            attacker.know(f"{key}@1", sector, cells, own=key == who)
        return attacker


def test_differencing_over_time_does_not_give_the_newcomer_away(client):
    """a, b, c upload and an observer reads; d uploads and the observer reads again: the difference of the
    two totals would be d's totals."""
    members = {key: copy.deepcopy(MEMBERS[key]) for key in ("alpha", "beta", "gamma")}
    members["delta"] = company("Delta Foods", "food", 2222.2, 6543.2, 44444444.4, 44)
    room = Room(client, members)
    for key in ("alpha", "beta", "gamma"):
        room.upload(key)
    attacker = room.attacker("observer")
    before = ["alpha@1", "beta@1", "gamma@1"]
    for by in ("carrier", "sector"):
        attacker.read(room.read("observer", by), before)
    room.upload("delta")
    for by in ("carrier", "sector"):
        attacker.read(room.read("observer", by), before + ["delta@1"])
    assert attacker.received > 0
    for column in ("total_tco2e", "scope1_tco2e", "scope2_tco2e", "energy_mwh"):
        assert not attacker.pins("delta@1", "totals", None, column, P), column
    # A member knows even more: its own figures.
    member = room.attacker("alpha")
    for by in ("carrier", "sector"):
        member.read(room.read("alpha", by), before + ["delta@1"])
    assert not member.pins("delta@1", "totals", None, "total_tco2e", P)


def _sector_room(client) -> Room:
    members = {"chem1": company("Chem One", "chemicals", 3000.1, 9000.3, 5.1e7, 51),
               "chem2": company("Chem Two", "chemicals", 2500.7, 8000.9, 4.3e7, 43),
               "chem3": company("Chem Three", "chemicals", 2800.2, 9500.4, 4.7e7, 47),
               "steel": company("Steel Works", "steel", 9000.5, 20000.6, 9.9e7, 99),
               "cement": company("Cement Co", "cement", 4000.8, 12000.2, 6.6e7, 66, process=55555.5)}  # fmt: skip
    room = Room(client, members)
    for key in members:
        room.upload(key)
    return room


def test_totals_minus_shown_rows_by_sector_do_not_give_the_cement_row_away(client):
    """The steel member sees the totals and the chemicals row: totals - chemicals - its own = cement."""
    room = _sector_room(client)
    attacker = room.attacker("steel")
    epochs = [f"{key}@1" for key in room.data]
    for by in ("sector", "carrier"):
        attacker.read(room.read("steel", by), epochs)
    assert attacker.received > 0
    for column in ("total_tco2e", "scope1_tco2e", "scope2_tco2e", "energy_mwh"):
        assert not attacker.pins("cement@1", "sector", "cement", column, P), column


def test_totals_minus_natural_gas_do_not_give_the_other_process_emitter_away(client):
    """By carrier, totals.scope1 - natural_gas.scope1 is the process emissions of the two members that have
    them: each would learn the other's."""
    members = {"alpha": company("Alpha", "chemicals", 2000.3, 8760.9, 1.1e7, 11, process=7777.7),
               "beta": company("Beta", "chemicals", 4321.7, 9876.3, 7.7e7, 77, process=3333.3),
               "gamma": company("Gamma", "chemicals", 1500.7, 5000.9, 3.3e7, 33)}  # fmt: skip
    room = Room(client, members)
    for key in members:
        room.upload(key)
    attacker = room.attacker("alpha")
    epochs = [f"{key}@1" for key in members]
    for by in ("carrier", "sector"):
        attacker.read(room.read("alpha", by), epochs)
    assert attacker.received > 0
    assert not attacker.pins("beta@1", "carrier", "process", "scope1_tco2e", P)
    assert not attacker.pins("beta@1", "totals", None, "scope1_process_tco2e", P)


def test_a_column_with_one_contributor_is_not_shown_in_a_row_of_three(client):
    """Only alpha of the three chemicals members has process emissions and wastewater: the chemicals row's
    scope1_process_tco2e and scope1_wastewater_tco2e would be alpha's own."""
    members = {"alpha": company("Alpha", "chemicals", 2000.3, 8760.9, 1.1e7, 11, process=7777.7,
                                wastewater_cod=120.0),
               "beta": company("Beta", "chemicals", 4321.7, 9876.3, 7.7e7, 77),
               "gamma": company("Gamma", "chemicals", 1500.7, 5000.9, 3.3e7, 33)}  # fmt: skip
    room = Room(client, members)
    for key in members:
        room.upload(key)
    attacker = room.attacker("observer")
    epochs = [f"{key}@1" for key in members]
    for by in ("sector", "carrier"):
        attacker.read(room.read("observer", by), epochs)
    assert attacker.received > 0
    for column in ("scope1_process_tco2e", "scope1_wastewater_tco2e"):
        assert not attacker.pins("alpha@1", "sector", "chemicals", column, P), column
    member = room.attacker("beta")
    for by in ("sector", "carrier"):
        member.read(room.read("beta", by), epochs)
    assert not member.pins("alpha@1", "sector", "chemicals", "scope1_process_tco2e", P)


def test_upload_status_follows_releases_and_a_held_release_says_why(client):
    """Observers learn who has data only with a release, and a release held back names the reason; it goes out
    once three members have changed."""
    members = {key: copy.deepcopy(MEMBERS[key]) for key in ("alpha", "beta", "gamma")}
    members |= {"delta": company("Delta", "food", 2222.2, 6543.2, 4.4e7, 44),
                "epsilon": company("Epsilon", "food", 1999.9, 7000.1, 5.5e7, 55),
                "zeta": company("Zeta", "chemicals", 3111.1, 8000.8, 6.6e7, 66)}  # fmt: skip
    room = Room(client, members)
    for key in ("alpha", "beta", "gamma"):
        room.upload(key)
    first = room.read("observer", "carrier")
    assert first["release"] == 1 and first["held"] is None and first["totals"]["total_tco2e"] > 0
    room.upload("delta")

    def has_data(who: str) -> dict:
        listed = room.client.get(room.url("/members"), headers=room.headers[who]).json()
        return {m["key"]: m["has_data"] for m in listed}

    held = room.read("observer", "carrier")
    assert held["release"] == 1 and held["held"] == "the change since release 1 comes from fewer than 3 members"
    assert held["totals"] == first["totals"] and held["members"] == ["alpha", "beta", "gamma"]
    assert has_data("observer")["delta"] is False and has_data("delta")["delta"] is True
    room.upload("epsilon")
    room.upload("zeta")
    second = room.read("observer", "carrier")
    assert second["release"] == 2 and second["held"] is None and second["members_with_data"] == 6
    assert all(has_data("observer").values())
    coordinator = room.client.get(room.url("/aggregates/emissions?by=carrier"), headers=room.headers["coordinator"])
    assert coordinator.json()["totals"]["total_tco2e"] == pytest.approx(second["totals"]["total_tco2e"])


def _inventory(room: Room, who: str, kind: str = "inventory", options: dict | None = None) -> dict:
    """Runs a job (an inventory by default) as the coordinator and returns its result as ``who`` reads it."""
    coordinator = room.headers["coordinator"]
    job = room.client.post(room.url("/jobs"), json={"kind": kind, "options": options or {}},
                           headers=coordinator).json()  # fmt: skip
    for _ in range(600):
        status = room.client.get(room.url(f"/jobs/{job['id']}"), headers=coordinator).json()["status"]
        if status in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status == "done"
    listing = room.client.get(room.url("/results"), headers=room.headers[who]).json()
    result_id = next(r["id"] for r in listing if r["job"] == job["id"])
    response = room.client.get(room.url(f"/results/{result_id}"), headers=room.headers[who])
    assert response.status_code == 200, response.text
    return response.json()["result"]


def _read_inventory(attacker: Attacker, result: dict, epochs: list[str]) -> None:
    totals = {key: value for key, value in result.items() if not isinstance(value, dict | list)}
    attacker.read({"by": "sector", "totals": totals, "rows": result.get("sectors")}, epochs)
    attacker.read({"by": "carrier", "totals": {}, "rows": result.get("carriers")}, epochs)


def test_inventory_results_give_neither_a_newcomer_nor_a_single_contributor_away(make_client):
    """The inventory result's cluster totals include process and wastewater emissions (here alpha's alone), and
    two results before and after delta joins differ by delta's figures."""
    client = make_client(run_worker=True)
    members = {"alpha": company("Alpha", "chemicals", 2000.3, 8760.9, 1.1e7, 11, process=7777.7,
                                wastewater_cod=120.0),
               "beta": company("Beta", "chemicals", 4321.7, 9876.3, 7.7e7, 77),
               "gamma": company("Gamma", "chemicals", 1500.7, 5000.9, 3.3e7, 33),
               "delta": company("Delta", "food", 2222.2, 6543.2, 4.4e7, 44)}  # fmt: skip
    room = Room(client, members)
    for key in ("alpha", "beta", "gamma"):
        room.upload(key)
    attacker = room.attacker("observer")
    before = ["alpha@1", "beta@1", "gamma@1"]
    _read_inventory(attacker, _inventory(room, "observer"), before)
    room.upload("delta")
    _read_inventory(attacker, _inventory(room, "observer"), before + ["delta@1"])
    assert attacker.received > 0
    for column in ("scope1_process_tco2e", "scope1_wastewater_tco2e"):
        assert not attacker.pins("alpha@1", "totals", None, column, P), column
    for column in ("total_tco2e", "energy_mwh", "value_added", "jobs"):
        assert not attacker.pins("delta@1", "totals", None, column, P), column


def test_two_plans_do_not_give_the_newcomer_away(make_client):
    """The difference of two plans' portfolio figures, before and after delta joins, is delta's baseline, value
    added and jobs (issue 14, item 1)."""
    client = make_client(run_worker=True)
    members = {key: copy.deepcopy(MEMBERS[key]) for key in ("alpha", "beta", "gamma")}
    members["delta"] = company("Delta Foods", "food", 2222.2, 6543.2, 44444444.4, 44)
    room = Room(client, members)
    for key in ("alpha", "beta", "gamma"):
        room.upload(key)
    attacker = room.attacker("observer")
    epochs = ["alpha@1", "beta@1", "gamma@1"]
    for joined in (False, True):
        if joined:
            room.upload("delta")
            epochs.append("delta@1")
        figures = _inventory(room, "observer", "plan", {"scenario": SCENARIO}).get("portfolio_figures") or {}
        totals = {"total_tco2e": figures.get("baseline_tco2e"), "value_added": figures.get("value_added"),
                  "jobs": figures.get("jobs_direct")}  # fmt: skip
        attacker.read({"by": "sector", "totals": totals, "rows": []}, epochs)
    assert attacker.received > 0
    for column in ("total_tco2e", "value_added", "jobs"):
        assert not attacker.pins("delta@1", "totals", None, column, P), column


def test_initiative_progress_does_not_give_the_newcomer_away(make_client):
    """An analyst closes a year with members a, b, c; d joins and a plan runs; the progress since that year
    would return d's baseline, value added and jobs as the change (issue 14, item 2)."""
    client = make_client(run_worker=True)
    members = {key: copy.deepcopy(MEMBERS[key]) for key in ("alpha", "beta", "gamma")}
    members["delta"] = company("Delta Foods", "food", 2222.2, 6543.2, 44444444.4, 44)
    room = Room(client, members)
    for key in ("alpha", "beta", "gamma"):
        room.upload(key)
    plan = {"scenario": SCENARIO}
    _inventory(room, "coordinator", "plan", plan)
    analyst = register(client, "analyst@room.org", "Analyst")
    body = {"slug": "tic", "name": "Initiative", "currency": "EUR", "exchange_rates": {}}
    assert client.post(f"{API}/initiatives", json=body, headers=analyst).status_code == 201
    # Enrolment needs the initiative owner's one-time code for the coordinator's email.
    code = client.post(f"{API}/initiatives/tic/enrolment-codes", json={"email": f"coordinator@{room.slug}.org"},
                       headers=analyst).json()["code"]  # fmt: skip
    joined = client.post(room.url("/initiatives"), json={"initiative": "tic", "code": code},
                         headers=room.headers["coordinator"])  # fmt: skip
    assert joined.status_code == 201, joined.text
    closed = client.post(f"{API}/initiatives/tic/years", json={"year": 2024}, headers=analyst)
    assert closed.status_code == 201, closed.text
    room.upload("delta")
    _inventory(room, "coordinator", "plan", plan)
    since = client.get(f"{API}/initiatives/tic/progress", params={"previous": 2024}, headers=analyst).json()
    attacker = room.attacker("")
    then, now = ["alpha@1", "beta@1", "gamma@1"], ["alpha@1", "beta@1", "gamma@1", "delta@1"]
    # The change is the current total minus the previous one: the attacker takes both sides and subtracts.
    for side, epochs in (("previous", then), ("current", now)):
        totals = {column: (since["totals"].get(metric) or {}).get(side)
                  for column, metric in (("total_tco2e", "baseline_tco2e"), ("value_added", "value_added"),
                                         ("jobs", "jobs_direct"))}  # fmt: skip
        attacker.read({"by": "sector", "totals": totals, "rows": []}, epochs)
    assert attacker.received > 0
    for column in ("total_tco2e", "value_added", "jobs"):
        assert not attacker.pins("delta@1", "totals", None, column, P), column


def test_p_is_set_per_cluster_and_checked(client):
    """p of the p% rule: 10 by default, set by the coordinator between 1 and 100; a larger p withholds figures
    a smaller one shows (electricity: 4321.7, 2000.3 and 1500.7 MWh; the smallest is 35 % of the largest). A
    figure once released stays public: raising p later does not take it back, so it is shown still."""
    room = Room(client, {key: copy.deepcopy(MEMBERS[key]) for key in ("alpha", "beta", "gamma")})
    for key in room.data:
        room.upload(key)
    coordinator = room.headers["coordinator"]
    assert client.get(room.url(""), headers=coordinator).json()["p"] == 10
    for bad in (0, 0.5, 101, "ten"):
        refused = client.patch(room.url(""), json={"p": bad}, headers=coordinator)
        assert refused.status_code == 422, refused.text
    assert client.patch(room.url(""), json={"p": 50}, headers=room.headers["observer"]).status_code == 403
    assert client.patch(room.url(""), json={"p": 50}, headers=coordinator).json()["p"] == 50
    strict = room.read("observer", "carrier")
    assert strict["p"] == 50 and strict["release"] == 1
    assert "electricity" not in {row["carrier"] for row in strict["rows"]} and strict["withheld_rows"] == 1
    assert "p% rule" in strict["withheld"]["totals.energy_mwh"]
    assert client.patch(room.url(""), json={"p": 10}, headers=coordinator).json()["p"] == 10
    lenient = room.read("observer", "carrier")
    electricity = next(row for row in lenient["rows"] if row["carrier"] == "electricity")
    assert lenient["p"] == 10 and lenient["release"] == 2
    assert electricity["energy_mwh"] == pytest.approx(2000.3 + 4321.7 + 1500.7)
    assert client.patch(room.url(""), json={"p": 50}, headers=coordinator).status_code == 200
    again = next(row for row in room.read("observer", "carrier")["rows"] if row["carrier"] == "electricity")
    assert again["energy_mwh"] == electricity["energy_mwh"]



def _furnace_room(client) -> Room:
    """beta also fires a gas furnace for heat above 400 °C, which no lever of SCENARIO serves: in 2035 the heat pumps
    have taken every boiler's steam and the plan's scope 1 is beta's furnace alone, while the baseline's scope 1
    (every member's gas) has three contributors and is released."""
    members = {key: copy.deepcopy(MEMBERS[key]) for key in ("alpha", "beta", "gamma")}
    members["beta"]["demands"].append({"service": "heat_high", "carrier": "natural_gas", "equipment": "furnace",
                                       "efficiency": 0.8, "useful_energy": "2400.8 MWh"})  # fmt: skip
    room = Room(client, members)
    for key in members:
        room.upload(key)
    return room


def _read_plan(attacker: Attacker, plan: dict, epochs: list[str], period: str) -> None:
    """Every figure of a plan's period an attacker reads as a sum of the members' (scope, period) parts."""
    by_scope = plan.get("emissions_by_scope_tco2e") or {}
    pathway = {str(p): v for p, v in (plan.get("portfolio_figures") or {}).get("pathway_tco2e") or []}
    for scopes, value in ((("scope1",), by_scope.get("scope1", {}).get(period)),
                          (("scope2",), by_scope.get("scope2", {}).get(period)),
                          (("scope1", "scope2"), (plan.get("emissions_tco2e") or {}).get(period)),
                          (("scope1", "scope2"), pathway.get(period))):  # fmt: skip
        if isinstance(value, int | float):
            terms = {}
            for scope in scopes:
                terms |= attacker.composition(epochs, "carrier", "plan", f"{scope}:{period}")
            attacker.equations.append((terms, float(value)))
            attacker.received += 1


def test_a_plan_figure_of_one_contributor_is_not_shown(make_client):
    """The plan's scope 1 in 2035 is beta's furnace alone: an observer would read it off the plan (or off the total
    minus scope 2), and so would any member."""
    room = _furnace_room(make_client(run_worker=True))
    truth = _inventory(room, "coordinator", "plan", {"scenario": SCENARIO})
    assert truth["emissions_by_scope_tco2e"]["scope1"]["2035"] == pytest.approx(2400.8 / 0.8 * 0.20216, rel=0.01)
    epochs = [f"{key}@1" for key in room.data]
    for who in ("observer", "alpha"):
        plan = _inventory(room, who, "plan", {"scenario": SCENARIO})
        attacker = Attacker()
        for key in room.data:
            scope2 = truth["member_emissions_tco2e"][key]["2035"]
            cells = {("plan", "scope2:2035"): scope2}
            if key == "beta":
                scope1 = truth["emissions_by_scope_tco2e"]["scope1"]["2035"]
                cells = {("plan", "scope1:2035"): scope1, ("plan", "scope2:2035"): scope2 - scope1}
            attacker.know(f"{key}@1", room.data[key]["sector"], cells, own=key == who)
        _read_plan(attacker, plan, epochs, "2035")
        assert not attacker.pins("beta@1", "carrier", "plan", "scope1:2035", P), who
        # What passes the rules is still shown: the baseline figures of the released inventory.
        assert plan["portfolio_figures"]["baseline_tco2e"] == pytest.approx(truth["portfolio_figures"]["baseline_tco2e"])


# -- an initiative's analyst (issue 14: analysts as an audience) ---------------------------------------------------
# The analyst sees every enrolled cluster's row (its plan's baseline, value added and jobs), totals over clusters by
# country and continent, closed years and the change since one. Each attack below gives the analyst the strongest
# position the platform allows: it is also a member of one enrolled cluster, with its own data and that cluster's
# releases, and it keeps every answer.
def _initiative(client, owner: dict, rooms: list[Room]) -> None:
    """An initiative 'tic' of ``owner`` with ``rooms`` enrolled (each by its coordinator, with the owner's code)."""
    body = {"slug": "tic", "name": "Initiative", "currency": "EUR", "exchange_rates": {}}
    assert client.post(f"{API}/initiatives", json=body, headers=owner).status_code == 201
    for room in rooms:
        code = client.post(f"{API}/initiatives/tic/enrolment-codes", json={"email": f"coordinator@{room.slug}.org"},
                           headers=owner).json()["code"]  # fmt: skip
        joined = client.post(room.url("/initiatives"), json={"initiative": "tic", "code": code},
                             headers=room.headers["coordinator"])  # fmt: skip
        assert joined.status_code == 201, joined.text


def _analyst(rooms: list[Room], who: str) -> Attacker:
    """An attacker who knows the structure of every enrolled cluster and the data of its own company ``who``."""
    attacker = Attacker()
    for room in rooms:
        for key, data in room.data.items():
            sector, cells = member_cells(DESCRIPTION, key, data)
            attacker.know(f"{key}@1", sector, cells, own=key == who)
    return attacker


# A row's and a total's figures over clusters, as sums of the members' baseline cells of the clusters it covers.
PORTFOLIO = (("total_tco2e", "baseline_tco2e"), ("value_added", "value_added"), ("jobs", "jobs_direct"))


def _read_view(attacker: Attacker, view: dict, epochs: dict[str, list[str]]) -> None:
    """A portfolio view (live or a closed year): each cluster's row, and the totals over all and by country and
    continent. ``epochs``: cluster id -> the members whose data it had then. A total is read over the shown clusters
    of its country or continent; if its ``clusters`` count says it counts more, over the clusters left out too (all
    clusters of these tests are in one country)."""
    rows = {row["cluster"]: row for row in view["clusters"]}
    for row in rows.values():
        totals = {column: row.get(metric) for column, metric in PORTFOLIO}
        attacker.read({"by": "sector", "rows": [], "totals": totals}, epochs[row["cluster"]])
    left_out = [row["cluster"] for row in view.get("left_out", [])]
    for total in [view["totals"], *view["by_country"], *view["by_continent"]]:
        shown = [c for c, row in rows.items() if all(row[key] == total[key] for key in ("country", "continent")
                                                     if key in total)]  # fmt: skip
        counted = shown + (left_out if total["clusters"] > len(shown) else [])
        totals = {column: total.get(metric) for column, metric in PORTFOLIO}
        attacker.read({"by": "sector", "rows": [], "totals": totals}, [e for c in counted for e in epochs[c]])


def test_an_analyst_with_totals_by_country_and_its_own_clusters_releases_pins_no_member(make_client):
    """Three clusters of one country in an initiative; the analyst is alpha of 'north' (its data, north's aggregates
    and plan). 'south' has one company that dominates its totals (p% rule): were it counted in the country's or
    the initiative's totals, those minus the shown rows would be south's, about the big company's alone; east's
    and north's rows and totals minus the analyst's own data must not pin a member either."""
    client = make_client(run_worker=True)
    north = Room(client, {key: copy.deepcopy(MEMBERS[key]) for key in ("alpha", "beta", "gamma")}, slug="north")
    east = Room(client, {"delta": company("Delta", "food", 2222.2, 6543.2, 4.4e7, 44),
                         "epsilon": company("Epsilon", "food", 1999.9, 7000.1, 5.5e7, 55),
                         "zeta": company("Zeta", "chemicals", 3111.1, 8000.8, 6.6e7, 66)}, slug="east")  # fmt: skip
    south = Room(client, {"big": company("Big Steel", "steel", 90000.3, 250000.7, 9.1e8, 910),
                          "small1": company("Small One", "food", 300.1, 900.2, 2.1e6, 3),
                          "small2": company("Small Two", "food", 200.4, 700.6, 1.3e6, 2)}, slug="south")  # fmt: skip
    rooms = [north, east, south]
    plan = {"scenario": SCENARIO}
    for room in rooms:
        for key in room.data:
            room.upload(key)
        _inventory(room, "coordinator", "plan", plan)
    analyst = north.headers["alpha"]
    _initiative(client, analyst, rooms)
    epochs = {room.slug: [f"{key}@1" for key in room.data] for room in rooms}
    attacker = _analyst(rooms, "alpha")
    for by in ("sector", "carrier"):
        attacker.read(north.read("alpha", by), epochs["north"])
    own = _inventory(north, "alpha", "plan", plan)["portfolio_figures"]
    attacker.read({"by": "sector", "rows": [], "totals": {c: own.get(m) for c, m in PORTFOLIO}}, epochs["north"])
    view = client.get(f"{API}/initiatives/tic/portfolio", headers=analyst).json()
    assert {row["cluster"] for row in view["clusters"]} == {"north", "east"}
    assert [row["cluster"] for row in view["left_out"]] == ["south"]
    _read_view(attacker, view, epochs)
    closed = client.post(f"{API}/initiatives/tic/years", json={"year": 2024}, headers=analyst).json()
    _read_view(attacker, closed, epochs)
    assert attacker.received > 0
    for epoch in ("beta@1", "gamma@1", "delta@1", "epsilon@1", "zeta@1", "big@1"):
        for column in ("total_tco2e", "value_added", "jobs"):
            assert not attacker.pins(epoch, "totals", None, column, P), (epoch, column)


def test_year_closings_before_and_after_a_member_leaves_do_not_give_it_away(make_client):
    """alpha, beta, gamma and delta are in the cluster when the analyst (alpha) closes 2024; the coordinator removes
    delta and plans again. The change since 2024 (and the live portfolio or a year closed now, against 2024's)
    would be minus delta's baseline, value added and jobs."""
    client = make_client(run_worker=True)
    members = {key: copy.deepcopy(MEMBERS[key]) for key in ("alpha", "beta", "gamma")}
    members["delta"] = company("Delta Foods", "food", 2222.2, 6543.2, 44444444.4, 44)
    room = Room(client, members)
    for key in members:
        room.upload(key)
    plan = {"scenario": SCENARIO}
    _inventory(room, "coordinator", "plan", plan)
    analyst = room.headers["alpha"]
    _initiative(client, analyst, [room])
    attacker = _analyst([room], "alpha")
    before = [f"{key}@1" for key in members]
    first = client.post(f"{API}/initiatives/tic/years", json={"year": 2024}, headers=analyst)
    assert first.status_code == 201, first.text
    assert [row["cluster"] for row in first.json()["clusters"]] == ["room"]
    _read_view(attacker, first.json(), {"room": before})
    assert client.delete(room.url("/members/delta"), headers=room.headers["coordinator"]).status_code == 204
    after = ["alpha@1", "beta@1", "gamma@1"]
    _inventory(room, "coordinator", "plan", plan)
    _read_view(attacker, client.get(f"{API}/initiatives/tic/portfolio", headers=analyst).json(), {"room": after})
    since = client.get(f"{API}/initiatives/tic/progress", params={"previous": 2024}, headers=analyst).json()
    for side, epochs in (("previous", before), ("current", after)):
        totals = {column: (since["totals"].get(metric) or {}).get(side) for column, metric in PORTFOLIO}
        attacker.read({"by": "sector", "totals": totals, "rows": []}, epochs)
    second = client.post(f"{API}/initiatives/tic/years", json={"year": 2025}, headers=analyst).json()
    _read_view(attacker, second, {"room": after})
    for by in ("sector", "carrier"):
        attacker.read(room.read("alpha", by), before)
    assert attacker.received > 0
    for column in ("total_tco2e", "value_added", "jobs"):
        assert not attacker.pins("delta@1", "totals", None, column, P), column
