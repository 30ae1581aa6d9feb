"""Background jobs: what each kind runs, and the worker that runs them from the database.

A job is a row. A worker claims a queued job with a compare-and-set update (status queued ->
running, with its own id), so two workers, even on two servers sharing PostgreSQL, never run the
same job. While a job runs its worker writes a heartbeat. A job left running by a server that died
is found at the next start (or by any live worker once its heartbeat is stale) and queued again, up
to ``Settings.job_attempts`` runs in all, then marked failed with the reason: never silently lost.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from clusterpath.io.errors import InputError
from clusterpath.pathway import MIP_GAP
from clusterpath.platform.memberdata import assemble
from clusterpath.platform.models import InputVersion, Job, Result, utcnow
from clusterpath.platform.settings import Settings
from clusterpath.schema import Cluster

logger = logging.getLogger("clusterpath.platform.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
MAX_LOG_CHARS = 200_000
Log = Callable[[str], None]


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InventoryOptions(_Options):
    pass


class ScenarioOptions(_Options):
    scenario: str | dict[str, Any] = Field(default="scope-1-net-zero-2050", description="a shipped scenario's name "
                                           "(see `clusterpath scenarios`) or a scenario as a mapping")  # fmt: skip
    typical_days: int | None = Field(default=None, ge=1, le=365)
    mip_gap: float = Field(default=MIP_GAP, ge=0, le=1)
    time_limit: float | None = Field(default=None, ge=1, le=7 * 86400)


class PlanOptions(ScenarioOptions):
    pass


class FinanceOptions(ScenarioOptions):
    pass


class AllocateOptions(ScenarioOptions):
    method: Literal["shapley", "nucleolus", "least-core", "scrb", "proportional", "use", "dual"] = "dual"


class CollaborateOptions(ScenarioOptions):
    exact_up_to: int = Field(default=10, ge=2, le=15)
    samples: int = Field(default=40, ge=4, le=10_000)
    seed: int = Field(default=0, ge=0, le=2**31)


class CompareOptions(_Options):
    scenarios: list[str | dict[str, Any]] = Field(min_length=2, max_length=10, description="shipped scenarios' "
                                                  "names or scenarios as mappings, in the order to show them")  # fmt: skip
    typical_days: int | None = Field(default=None, ge=1, le=365)
    mip_gap: float = Field(default=MIP_GAP, ge=0, le=1)
    time_limit: float | None = Field(default=None, ge=1, le=7 * 86400)

    @field_validator("scenarios")
    @classmethod
    def _known(cls, value: list) -> list:
        from clusterpath.io.load import scenario_names
        from clusterpath.schema.scenario import Scenario

        # Only shipped names: a name is never read as a path on the server.
        unknown = [name for name in value if isinstance(name, str) and name not in scenario_names()]
        if unknown:
            raise ValueError(f"not shipped scenario(s) {', '.join(unknown)}: expected any of {', '.join(scenario_names())}")
        for given in value:
            if isinstance(given, dict):
                Scenario.model_validate(given)
        return value

    def scenario_options(self) -> list[ScenarioOptions]:
        return [ScenarioOptions(scenario=given, typical_days=self.typical_days) for given in self.scenarios]


class FundOptions(ScenarioOptions):
    budget: float = Field(ge=0, allow_inf_nan=False, description="public money to spread, in the cluster's currency")
    objective: Literal["abatement", "leverage"] = "abatement"
    max_share: float | None = Field(default=None, gt=0, le=1, description="grant share limit; default: the "
                                    "scenario's capital grant, else 60 % (EU Innovation Fund)")  # fmt: skip
    project_cap: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    member_cap: float | None = Field(default=None, ge=0, allow_inf_nan=False)


@dataclass(frozen=True)
class Kind:
    options: type[_Options]
    run: Callable[..., dict]
    needs_scenario: bool = True
    min_members: int = 1


def _quiet_solvers() -> None:
    import warnings

    import linopy

    logging.getLogger("linopy").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="linopy")
    warnings.filterwarnings("ignore", category=linopy.LinopySemanticsWarning)


def _inventory(cluster: Cluster, scenario, options: InventoryOptions, log: Log, settings: Settings) -> dict:
    from clusterpath.inventory import Inventory

    log("computing the baseline inventory")
    return Inventory(cluster).to_dict()


def _plan(cluster: Cluster, scenario, options: PlanOptions, log: Log, settings: Settings) -> dict:
    from clusterpath.pathway.plan import plan

    _quiet_solvers()
    labels = {"build": "building the model", "solve": "solving with HiGHS", "diagnose": "finding what cannot be met",
              "baseline": "costing today's equipment as the baseline"}  # fmt: skip
    result = plan(cluster, scenario, time_limit=options.time_limit, mip_gap=options.mip_gap,
                  step=lambda name: log(labels.get(name, name)))  # fmt: skip
    from clusterpath.platform.disclosure.results import plan_parts
    from clusterpath.portfolio.figures import figures_of

    # What an initiative totals of this cluster (api/initiatives.py), computed as the CLI's portfolio does, and each
    # member's part of the figures members and observers may be shown (docs/security.md, "Job results").
    return result.summary() | {"portfolio_figures": figures_of(cluster, scenario, result),
                               "member_parts": plan_parts(result)}  # fmt: skip


def _finance(cluster: Cluster, scenario, options: FinanceOptions, log: Log, settings: Settings) -> dict:
    from clusterpath.finance.report import finance_report
    from clusterpath.pathway.plan import plan

    _quiet_solvers()
    log("planning")
    result = plan(cluster, scenario, time_limit=options.time_limit, mip_gap=options.mip_gap, baseline=False)
    log("appraising the plan's projects")
    return {k: v for k, v in finance_report(result).items() if k != "tables"}


def _game(cluster: Cluster, scenario, options: ScenarioOptions, settings: Settings):
    from clusterpath.coalition.cluster_game import ClusterGame
    from clusterpath.pathway.build import NetworkBuilder
    from clusterpath.pathway.groups import AUTO_GROUP_MEMBERS, group, member_groups

    full = NetworkBuilder(cluster, scenario).build()
    network = group(full, member_groups(full)) if len(cluster.members) > AUTO_GROUP_MEMBERS else full
    return ClusterGame(network, full=full, workers=settings.solver_workers, mip_gap=options.mip_gap,
                       source=cluster.id)  # fmt: skip


def _allocate(cluster: Cluster, scenario, options: AllocateOptions, log: Log, settings: Settings) -> dict:
    from clusterpath.coalition import allocate
    from clusterpath.inventory import Inventory

    _quiet_solvers()
    game = _game(cluster, scenario, options, settings)
    try:
        extra = {}
        if options.method == "proportional":
            emissions = Inventory(cluster).members["total_tco2e"]
            extra["weights"] = emissions.reindex(list(game.players)).fillna(0.0).to_dict()
        log(f"allocating by {options.method}")
        return allocate(game, options.method, **extra).to_dict() | {"currency": cluster.currency}
    finally:
        game.close()


def _collaborate(cluster: Cluster, scenario, options: CollaborateOptions, log: Log, settings: Settings) -> dict:
    from clusterpath.coalition.collaboration import collaborate

    _quiet_solvers()
    game = _game(cluster, scenario, options, settings)
    try:
        log(f"solving the coalitions of {len(cluster.members)} members")
        # Every member's explanation (its share re-solved for other demands and prices is the CLI's, for time).
        return collaborate(game, cluster, exact_up_to=options.exact_up_to, samples=options.samples, seed=options.seed,
                           explain=[m.id for m in cluster.members])
    finally:
        game.close()


def _compare(cluster: Cluster, scenario, options: CompareOptions, log: Log, settings: Settings) -> dict:
    from clusterpath.schema.scenario import Scenario
    from clusterpath.study.compare import compare

    _quiet_solvers()
    chosen = [Scenario.model_validate(resolve_scenario(given)) for given in options.scenario_options()]
    return compare(cluster, chosen, time_limit=options.time_limit, mip_gap=options.mip_gap,
                   step=lambda name: log(f"planning under {name}"))  # fmt: skip


def _fund(cluster: Cluster, scenario, options: FundOptions, log: Log, settings: Settings) -> dict:
    from clusterpath.finance.funding import fund_plan
    from clusterpath.pathway.plan import plan

    _quiet_solvers()
    log("planning")
    result = plan(cluster, scenario, time_limit=options.time_limit, mip_gap=options.mip_gap, baseline=False)
    log(f"spreading {options.budget:,.0f} {cluster.currency} of public money over the plan's projects")
    return fund_plan(result, scenario, options.budget, objective=options.objective, max_share=options.max_share,
                     project_cap=options.project_cap, member_cap=options.member_cap)  # fmt: skip


KINDS: dict[str, Kind] = {
    "inventory": Kind(InventoryOptions, _inventory, needs_scenario=False),
    "plan": Kind(PlanOptions, _plan),
    "finance": Kind(FinanceOptions, _finance),
    "allocate": Kind(AllocateOptions, _allocate, min_members=2),
    "collaborate": Kind(CollaborateOptions, _collaborate, min_members=2),
    "compare": Kind(CompareOptions, _compare, needs_scenario=False),
    "fund": Kind(FundOptions, _fund),
}


def resolve_scenario(options: ScenarioOptions) -> dict:
    """The scenario a job will use, as plain data: a shipped one by name, or one given whole.

    Only shipped names are looked up: a name is never read as a path on the server.
    """
    from pydantic import ValidationError

    from clusterpath.io.errors import from_validation
    from clusterpath.io.load import load_scenario, scenario_names
    from clusterpath.schema.scenario import Scenario

    if isinstance(options.scenario, str):
        if options.scenario not in scenario_names():
            raise InputError("options.scenario", [f"'{options.scenario}' is not a shipped scenario "
                                                  f"({', '.join(scenario_names())})"])  # fmt: skip
        data = load_scenario(options.scenario).model_dump(mode="json")
    else:
        data = options.scenario
    if options.typical_days is not None:
        data = {**data, "typical_days": options.typical_days}
    try:
        return Scenario.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        raise from_validation("options.scenario", error, data) from None


def contributors(cluster: Cluster, inventory=None) -> dict:
    """Which members each aggregate figure of a result sums over: what the k threshold is checked against."""
    from clusterpath.inventory import Inventory

    inventory = inventory or Inventory(cluster)
    lines = inventory.lines
    sectors: dict[str, list[str]] = {}
    for member in cluster.members:
        sectors.setdefault(member.sector.value, []).append(member.id)
    carriers = {str(carrier): sorted(set(group["member"])) for carrier, group in lines.groupby("carrier")} \
        if not lines.empty else {}  # fmt: skip
    return {"members": [m.id for m in cluster.members], "sectors": sectors, "carriers": carriers}


def json_safe(value: Any) -> Any:
    """Plain JSON: NaN and infinity (which PostgreSQL's JSON refuses) become null."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else None


# Ids of the workers alive in this process: a job of this process under another id is orphaned.
_LIVE: set[str] = set()
_HOST = socket.gethostname()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def orphaned(job: Job, settings: Settings, now) -> str | None:
    """Why a running job has no live worker, or None if its worker may still be at it."""
    host, _, rest = (job.worker_id or "").partition(":")
    pid_text = rest.partition(":")[0]
    if host == _HOST and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            if job.worker_id not in _LIVE:
                return "its worker in this server stopped"
        elif not _pid_alive(pid):
            return f"the server process running it ({pid}) is gone"
    beat = job.heartbeat_at or job.started_at
    if beat is None or now - beat > timedelta(seconds=settings.stale_after_seconds):
        return f"its worker sent no heartbeat for over {settings.stale_after_seconds:g} s"
    return None


def _append(log: str, line: str) -> str:
    text = f"{log}{utcnow().isoformat(timespec='seconds')} {line}\n"
    return text if len(text) <= MAX_LOG_CHARS else "[earlier lines cut]\n" + text[-MAX_LOG_CHARS:]


def recover(sessions: sessionmaker[Session], settings: Settings) -> list[int]:
    """Queue again, or fail with the reason, every running job whose worker is gone; their ids."""
    now = utcnow()
    touched = []
    with sessions() as session:
        for job in session.scalars(select(Job).where(Job.status == RUNNING)).all():
            reason = orphaned(job, settings, now)
            if reason is None:
                continue
            if job.attempts < settings.job_attempts:
                values = {"status": QUEUED, "worker_id": None, "heartbeat_at": None,
                          "log": _append(job.log, f"interrupted ({reason}); queued again, "
                                                  f"{job.attempts} of {settings.job_attempts} runs used")}  # fmt: skip
            else:
                message = f"interrupted ({reason}) on each of its {job.attempts} runs; not run again"
                values = {"status": FAILED, "finished_at": now, "error": message,
                          "log": _append(job.log, message)}  # fmt: skip
            # Compare-and-set: only if nobody else recovered or finished it meanwhile.
            changed = session.execute(update(Job).where(Job.id == job.id, Job.status == RUNNING,
                                                        Job.worker_id == job.worker_id).values(**values))  # fmt: skip
            if changed.rowcount == 1:
                touched.append(job.id)
                logger.warning("job %s: %s", job.id, values["log"].rstrip().rsplit("\n", 1)[-1])
        session.commit()
    return touched


class Worker:
    """One thread claiming and running queued jobs, one at a time (the machine's cores go to the solver)."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.id = f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        _LIVE.add(self.id)
        self._thread = threading.Thread(target=self._loop, name=f"clusterpath-worker-{self.id}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs; a job still computing is left running and recovered at the next start."""
        self._stop.set()
        self._wake.set()
        _LIVE.discard(self.id)
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        since_recovery = 0.0
        while not self._stop.is_set():
            try:
                job_id = self.claim()
                if job_id is not None:
                    self.run(job_id)
                    continue
                if since_recovery >= self.settings.stale_after_seconds / 2:
                    recover(self.sessions, self.settings)
                    since_recovery = 0.0
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker; it retries
                logger.exception("job worker: unexpected error; retrying")
            self._wake.wait(self.settings.worker_poll_seconds)
            self._wake.clear()
            since_recovery += self.settings.worker_poll_seconds

    def claim(self) -> int | None:
        with self.sessions() as session:
            candidates = session.scalars(select(Job.id).where(Job.status == QUEUED).order_by(Job.id).limit(10)).all()
            for job_id in candidates:
                now = utcnow()
                claimed = session.execute(update(Job).where(Job.id == job_id, Job.status == QUEUED).values(
                    status=RUNNING, worker_id=self.id, started_at=now, heartbeat_at=now, finished_at=None,
                    attempts=Job.attempts + 1))  # fmt: skip
                session.commit()
                if claimed.rowcount == 1:
                    return job_id
        return None

    def _mine(self, job_id: int):
        return update(Job).where(Job.id == job_id, Job.status == RUNNING, Job.worker_id == self.id)

    def log(self, job_id: int, line: str) -> None:
        with self.sessions() as session:
            job = session.get(Job, job_id)
            if job is not None and job.worker_id == self.id and job.status == RUNNING:
                session.execute(self._mine(job_id).values(log=_append(job.log, line), heartbeat_at=utcnow()))
                session.commit()

    def run(self, job_id: int) -> None:
        try:
            with self.sessions() as session:
                job = session.get(Job, job_id)
                version = session.get(InputVersion, job.input_version_id)
                kind = KINDS[job.kind]
                options = kind.options.model_validate(job.options)
                description = dict(version.description)
                members = [dict(v.content) for v in sorted(version.member_versions, key=lambda v: v.content["id"])]
                scenario_data = version.scenario
                attempt, cluster_slug = job.attempts, version.description.get("id", "")
        except Exception as error:  # noqa: BLE001 - a job that cannot even be read fails, rather than hang as running
            self._finish(job_id, None, {"error": error, "trace": traceback.format_exc()})
            return
        self.log(job_id, f"run {attempt} started on {self.id}, input version {version.number}")
        outcome: dict[str, Any] = {}

        def compute() -> None:
            try:
                from clusterpath.schema.scenario import Scenario

                cluster = assemble(description, members, f"input version {version.number} of {cluster_slug}")
                scenario = Scenario.model_validate(scenario_data) if scenario_data is not None else None
                payload = kind.run(cluster, scenario, options, lambda line: self.log(job_id, line), self.settings)
                outcome["result"] = (json_safe(payload), contributors(cluster))
            except Exception as error:  # noqa: BLE001 - every failure is recorded on the job, none is lost
                outcome["error"] = error
                outcome["trace"] = traceback.format_exc()

        thread = threading.Thread(target=compute, name=f"clusterpath-job-{job_id}", daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(self.settings.heartbeat_seconds)
            if thread.is_alive():
                with self.sessions() as session:
                    session.execute(self._mine(job_id).values(heartbeat_at=utcnow()))
                    session.commit()
        self._finish(job_id, version.id, outcome)

    def _finish(self, job_id: int, version_id: int | None, outcome: dict) -> None:
        now = utcnow()
        with self.sessions() as session:
            job = session.get(Job, job_id)
            if "result" in outcome:
                payload, who = outcome["result"]
                done = session.execute(self._mine(job_id).values(status=DONE, finished_at=now,
                                                                 log=_append(job.log, "done")))  # fmt: skip
                if done.rowcount == 1:
                    session.add(Result(job_id=job_id, cluster_id=job.cluster_id, input_version_id=version_id,
                                       kind=job.kind, payload=payload, contributors=who, created_at=now))  # fmt: skip
            else:
                error = outcome["error"]
                message, trace = explain(error)
                log = _append(job.log, f"failed: {message}")
                if trace:
                    log = _append(log, outcome["trace"])
                    logger.error("job %s failed unexpectedly:\n%s", job_id, outcome["trace"])
                session.execute(self._mine(job_id).values(status=FAILED, finished_at=now, error=message, log=log))
            session.commit()


def explain(error: Exception) -> tuple[str, bool]:
    """The message a coordinator reads for a failed job, and whether it was unexpected (a bug)."""
    from clusterpath.pathway.coalition import CoalitionSolveError
    from clusterpath.pathway.errors import PlanningError
    from clusterpath.pathway.plan import InfeasiblePlan, SolverStopped

    if isinstance(error, InputError):
        return error.message, False
    if isinstance(error, InfeasiblePlan):
        return f"infeasible: {error}", False
    if isinstance(error, SolverStopped | PlanningError | CoalitionSolveError):
        return str(error), False
    return f"unexpected error ({type(error).__name__}): {error}; the job log has the details", True
