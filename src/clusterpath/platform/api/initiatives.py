"""Initiatives: portfolios of clusters, their analysts, enrolment, and the portfolio they see.

A cluster joins an initiative only by its coordinator's act. The initiative's analysts then see each
enrolled cluster exactly as an observer of that cluster would (access.py): cluster totals when at
least k members contribute, never a member's figures. A cluster whose figures are withheld is left out
of the totals too, so no total minus the shown rows gives it away. Only if the coordinator shares the
cluster's project register with the initiative (``share_register``) do its analysts see the register's
projects, and then never their money or companies (access.initiative_register).
"""

from __future__ import annotations

from typing import Annotated

from datetime import timedelta

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clusterpath.platform import audit
from clusterpath.platform.access import Role, Viewer, initiative_register, register_view
from clusterpath.platform.api.deps import (
    DB,
    IDENTIFIER,
    Address,
    AsCoordinator,
    Authenticated,
    Email,
    Identifier,
    Name,
    RowId,
    Text,
)
from clusterpath.platform.api.clusters import INVITATION_DAYS
from clusterpath.platform.api.results import visible_result
from clusterpath.platform.models import (
    Analyst,
    AuditEntry,
    ClosedYear,
    Cluster,
    Enrolment,
    Initiative,
    InitiativeInvitation,
    Result,
    utcnow,
)
from clusterpath.platform.security import INVITATION_PREFIX, digest, new_secret
from clusterpath.portfolio.assessment import tabulate
from clusterpath.portfolio.progress import YearTables, compare, register_counts
from clusterpath.schema.models import _iso_currency

router = APIRouter(tags=["initiatives"])
InitiativeSlug = Annotated[str, Path(min_length=1, max_length=64, pattern=IDENTIFIER, description="the initiative's id")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rate(Strict):
    rate: float = Field(gt=0, allow_inf_nan=False, description="units of the initiative's currency per unit")
    year: int = Field(ge=1990, le=2100)
    source: Text = Field(min_length=1, max_length=500)


class Rates(Strict):
    exchange_rates: dict[str, Rate] = Field(default_factory=dict, description="currency code -> rate, year, source")

    @field_validator("exchange_rates")
    @classmethod
    def _codes(cls, value: dict[str, Rate]) -> dict[str, Rate]:
        return {_iso_currency(code): rate for code, rate in value.items()}


class NewInitiative(Rates):
    slug: Identifier
    name: Name
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217 code of every total")

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return _iso_currency(value)


class InitiativeChange(Rates):
    name: Name | None = None


class NewAnalyst(Strict):
    email: Email


SHARE_REGISTER = ("let the initiative's analysts see the register's projects (id, name, lever, stage, abatement, "
                  "operating year; never money or companies)")


class NewEnrolment(Strict):
    initiative: Identifier
    code: Text = Field(min_length=1, max_length=200, description="the enrolment code the initiative's owner gave "
                                                                  "you (POST /initiatives/{id}/enrolment-codes)")
    share_register: bool = Field(default=False, description=SHARE_REGISTER)


class EnrolmentChange(Strict):
    share_register: bool = Field(description=SHARE_REGISTER)


class NewYear(Strict):
    year: int = Field(ge=1990, le=2100, description="the reporting year to close")


def analysts_initiative(session, slug: str, user_id: int, other_than: int | None = None) -> Initiative | None:
    """The user's initiative of this id (other than ``other_than``). Ids are unique among each user's initiatives,
    not globally, so that no answer tells anyone which ids other people's initiatives have."""
    query = select(Initiative).join(Analyst).where(Initiative.slug == slug, Analyst.user_id == user_id)
    if other_than is not None:
        query = query.where(Initiative.id != other_than)
    return session.scalar(query.order_by(Initiative.id).limit(1))


def analyst_of(slug: InitiativeSlug, session: DB, who: Authenticated) -> Initiative:
    initiative = analysts_initiative(session, slug, who.user.id)
    # An initiative one does not read is reported as unknown, like a cluster one does not belong to.
    if initiative is None:
        raise HTTPException(404, f"no initiative '{slug}' among yours")
    return initiative


AsAnalyst = Annotated[Initiative, Depends(analyst_of)]


def public(initiative: Initiative) -> dict:
    return {"slug": initiative.slug, "name": initiative.name, "currency": initiative.currency,
            "exchange_rates": initiative.exchange_rates,
            "clusters": [{"slug": e.cluster.slug, "name": e.cluster.name, "enrolled_at": e.enrolled_at,
                          "share_register": e.share_register} for e in initiative.enrolments]}  # fmt: skip


def _missing_rate(initiative: Initiative, currency: str) -> str | None:
    if currency == initiative.currency or currency in initiative.exchange_rates:
        return None
    return (f"the cluster's money is in {currency} and initiative '{initiative.slug}' counts in "
            f"{initiative.currency} with no exchange rate for {currency}: an analyst adds one first "
            f"(PATCH /initiatives/{initiative.slug} with exchange_rates)")


@router.post("/initiatives", status_code=201)
def create_initiative(body: NewInitiative, who: Authenticated, session: DB, where: Address) -> dict:
    """Create an initiative; its creator is its first analyst."""
    if analysts_initiative(session, body.slug, who.user.id) is not None:
        raise HTTPException(409, f"you have an initiative '{body.slug}' already among yours: choose another id")
    initiative = Initiative(slug=body.slug, name=body.name, currency=body.currency,
                            exchange_rates={c: r.model_dump() for c, r in body.exchange_rates.items()},
                            created_by=who.user.id, created_at=utcnow())  # fmt: skip
    session.add(initiative)
    session.flush()
    session.add(Analyst(user_id=who.user.id, initiative_id=initiative.id, created_at=utcnow()))
    audit.record(session, "initiative.create", user_id=who.user.id, target=body.slug, address=where)
    session.commit()
    return public(initiative)


@router.get("/initiatives")
def list_initiatives(who: Authenticated, session: DB) -> list[dict]:
    rows = session.scalars(select(Initiative).join(Analyst).where(Analyst.user_id == who.user.id)
                           .order_by(Initiative.slug))  # fmt: skip
    return [{"slug": row.slug, "name": row.name, "currency": row.currency, "clusters": len(row.enrolments)}
            for row in rows]  # fmt: skip


@router.get("/initiatives/{slug}")
def get_initiative(initiative: AsAnalyst) -> dict:
    return public(initiative)


@router.patch("/initiatives/{slug}")
def change_initiative(body: InitiativeChange, initiative: AsAnalyst, who: Authenticated, session: DB,
                      where: Address) -> dict:  # fmt: skip
    """Rename, or add and replace exchange rates (a rate given replaces that currency's)."""
    if body.name is not None:
        initiative.name = body.name
    if body.exchange_rates:
        initiative.exchange_rates = initiative.exchange_rates | {c: r.model_dump() for c, r in body.exchange_rates.items()}
    audit.record(session, "initiative.update", user_id=who.user.id, target=initiative.slug, address=where,
                 currencies=sorted(body.exchange_rates))  # fmt: skip
    session.commit()
    return public(initiative)


def _owner(initiative: Initiative, who) -> None:
    if initiative.created_by != who.user.id:
        raise HTTPException(403, f"only the owner of initiative '{initiative.slug}' (who created it) invites and "
                                 "removes its analysts and asks clusters to enrol")  # fmt: skip


@router.post("/initiatives/{slug}/analysts", status_code=201)
def invite_analyst(body: NewAnalyst, initiative: AsAnalyst, who: Authenticated, session: DB, where: Address) -> dict:
    """The owner invites an email to read the initiative: a one-time code the person accepts at
    `POST /invitations/accept`. The answer is the same whether the email has an account or not."""
    _owner(initiative, who)
    return _code(session, initiative, who, body.email, "analyst", where)


class NewEnrolmentCode(Strict):
    email: Email = Field(description="the email of the coordinator who will enrol a cluster")


@router.post("/initiatives/{slug}/enrolment-codes", status_code=201)
def enrolment_code(body: NewEnrolmentCode, initiative: AsAnalyst, who: Authenticated, session: DB,
                   where: Address) -> dict:  # fmt: skip
    """The owner asks a coordinator to enrol one cluster: a one-time code for that email, which the coordinator
    gives with the initiative's id when enrolling."""
    _owner(initiative, who)
    return _code(session, initiative, who, body.email, "cluster", where)


def _code(session, initiative: Initiative, who, email: str, kind: str, where: str) -> dict:
    code = new_secret(INVITATION_PREFIX)
    now = utcnow()
    row = InitiativeInvitation(initiative_id=initiative.id, kind=kind, email=email, code_hash=digest(code),
                               created_by=who.user.id, created_at=now,
                               expires_at=now + timedelta(days=INVITATION_DAYS))  # fmt: skip
    session.add(row)
    session.flush()
    action = "initiative.analyst.invite" if kind == "analyst" else "initiative.enrolment.invite"
    audit.record(session, action, user_id=who.user.id, target=initiative.slug, address=where, invited=email,
                 invitation=row.id)  # fmt: skip
    session.commit()
    return {"id": row.id, "email": row.email, "code": code, "expires_at": row.expires_at}


@router.get("/initiatives/{slug}/analysts")
def list_analysts(initiative: AsAnalyst, session: DB) -> list[dict]:
    """Who reads the initiative."""
    return analysts_of(session, initiative)


def analysts_of(session, initiative: Initiative) -> list[dict]:
    rows = session.scalars(select(Analyst).where(Analyst.initiative_id == initiative.id).order_by(Analyst.id)).all()
    return [{"id": row.id, "email": row.user.email, "name": row.user.name,
             "owner": row.user_id == initiative.created_by} for row in rows]  # fmt: skip


@router.delete("/initiatives/{slug}/analysts/{analyst_id}", status_code=204)
def remove_analyst(analyst_id: RowId, initiative: AsAnalyst, who: Authenticated, session: DB,
                   where: Address) -> Response:  # fmt: skip
    _owner(initiative, who)
    row = session.get(Analyst, analyst_id)
    if row is None or row.initiative_id != initiative.id:
        raise HTTPException(404, f"no analyst {analyst_id} of initiative '{initiative.slug}'")
    if row.user_id == initiative.created_by:
        raise HTTPException(409, "the owner stays an analyst of the initiative")
    audit.record(session, "initiative.analyst.remove", user_id=who.user.id, target=initiative.slug, address=where,
                 removed=row.user.email)  # fmt: skip
    session.delete(row)
    session.commit()
    return Response(status_code=204)


@router.delete("/initiatives/{slug}/clusters/{cluster}", status_code=204)
def drop_cluster(cluster: Annotated[str, Path(max_length=64, pattern=IDENTIFIER)], initiative: AsAnalyst,
                 who: Authenticated, session: DB, where: Address) -> None:  # fmt: skip
    enrolment = next((e for e in initiative.enrolments if e.cluster.slug == cluster), None)
    if enrolment is None:
        raise HTTPException(404, f"no cluster '{cluster}' in initiative '{initiative.slug}'")
    _drop(session, enrolment, who.user.id, where)


def _drop(session, enrolment: Enrolment, user_id: int, where: str) -> None:
    audit.record(session, "initiative.leave", user_id=user_id, cluster_id=enrolment.cluster_id,
                 target=enrolment.initiative.slug, address=where)  # fmt: skip
    session.delete(enrolment)
    session.commit()


@router.post("/clusters/{slug}/initiatives", status_code=201)
def enrol(body: NewEnrolment, context: AsCoordinator, session: DB, where: Address) -> dict:
    """Put the cluster into an initiative: its analysts will see the cluster's totals (never a member's)."""
    invitation = session.scalar(select(InitiativeInvitation).where(InitiativeInvitation.kind == "cluster",
                                                                   InitiativeInvitation.code_hash == digest(body.code)))
    # The code names the initiative: its id alone may be another's initiative of the same id.
    initiative = invitation.initiative if invitation is not None and invitation.initiative.slug == body.initiative \
        else None  # fmt: skip
    now = utcnow()
    # Without the owner's code an initiative reads as unknown: its existence is not the caller's business,
    # and nobody pushes a cluster into an initiative its owner has not asked for.
    if initiative is None or not invitation.is_open(context.user.email, now):
        raise HTTPException(404, f"no initiative '{body.initiative}' with an open enrolment code for you: ask its "
                                 "owner for one")  # fmt: skip
    if any(e.cluster_id == context.cluster.id for e in initiative.enrolments):
        raise HTTPException(409, f"cluster '{context.cluster.slug}' is in initiative '{initiative.slug}' already")
    # The initiative's pages and closed years name its clusters by id; the cluster's pages name its initiatives so.
    if any(e.cluster.slug == context.cluster.slug for e in initiative.enrolments) or session.scalar(
            select(Enrolment.id).join(Initiative).where(Enrolment.cluster_id == context.cluster.id,
                                                        Initiative.slug == initiative.slug)) is not None:  # fmt: skip
        raise HTTPException(409, f"initiative '{initiative.slug}' counts another cluster of the id "
                                 f"'{context.cluster.slug}', or this cluster is in another initiative of the id "
                                 f"'{initiative.slug}': ask its owner")  # fmt: skip
    problem = _missing_rate(initiative, context.cluster.description.get("currency", ""))
    if problem:
        raise HTTPException(409, problem)
    session.add(Enrolment(initiative_id=initiative.id, cluster_id=context.cluster.id, enrolled_by=context.user.id,
                          enrolled_at=now, share_register=body.share_register))  # fmt: skip
    invitation.accepted_at, invitation.accepted_by = now, context.user.id
    audit.record(session, "initiative.join", user_id=context.user.id, cluster_id=context.cluster.id,
                 target=initiative.slug, address=where, share_register=body.share_register)  # fmt: skip
    session.commit()
    return {"initiative": initiative.slug, "cluster": context.cluster.slug, "share_register": body.share_register}


def _enrolment_out(row: Enrolment) -> dict:
    return {"initiative": row.initiative.slug, "name": row.initiative.name, "enrolled_at": row.enrolled_at,
            "share_register": row.share_register}  # fmt: skip


@router.get("/clusters/{slug}/initiatives")
def cluster_initiatives(context: AsCoordinator, session: DB) -> list[dict]:
    """The initiatives the cluster is in, each with the analysts who read the cluster's figures there."""
    rows = session.scalars(select(Enrolment).where(Enrolment.cluster_id == context.cluster.id).order_by(Enrolment.id))
    return [_enrolment_out(row) | {"analysts": [{"email": a["email"], "name": a["name"], "owner": a["owner"]}
                                                for a in analysts_of(session, row.initiative)]}
            for row in rows]  # fmt: skip


def _enrolment(session, context, initiative: str) -> Enrolment:
    enrolment = session.scalar(select(Enrolment).join(Initiative).where(
        Initiative.slug == initiative, Enrolment.cluster_id == context.cluster.id))  # fmt: skip
    if enrolment is None:
        raise HTTPException(404, f"cluster '{context.cluster.slug}' is not in initiative '{initiative}'")
    return enrolment


@router.patch("/clusters/{slug}/initiatives/{initiative}")
def change_enrolment(initiative: InitiativeSlug, body: EnrolmentChange, context: AsCoordinator, session: DB,
                     where: Address) -> dict:  # fmt: skip
    """Share the cluster's project register with the initiative's analysts, or stop sharing it. Stopping hides it
    from the live portfolio and from years closed afterwards; years closed meanwhile keep what they froze."""
    enrolment = _enrolment(session, context, initiative)
    enrolment.share_register = body.share_register
    audit.record(session, "initiative.share", user_id=context.user.id, cluster_id=context.cluster.id,
                 target=initiative, address=where, share_register=body.share_register)  # fmt: skip
    session.commit()
    return _enrolment_out(enrolment)


@router.delete("/clusters/{slug}/initiatives/{initiative}", status_code=204)
def leave(initiative: InitiativeSlug, context: AsCoordinator, session: DB, where: Address) -> None:
    _drop(session, _enrolment(session, context, initiative), context.user.id, where)


def _latest_plan(session, cluster: Cluster) -> Result | None:
    return session.scalar(select(Result).where(Result.cluster_id == cluster.id, Result.kind == "plan")
                          .order_by(Result.id.desc()).limit(1))  # fmt: skip


def _figures(session, initiative: Initiative, cluster: Cluster, user_id: int) -> tuple[dict | None, str]:
    """The cluster's figures for the portfolio as an observer of it sees them, or why they are left out."""
    plan = _latest_plan(session, cluster)
    if plan is None:
        return None, "no plan result yet"
    # An analyst sees what an observer of the cluster does: a plan's figures only once its data were released, and
    # each as released per figure.
    seen, withheld = visible_result(session, cluster, Viewer(user_id, Role.OBSERVER), plan)
    if "portfolio_figures" in withheld:
        return None, withheld["portfolio_figures"]
    if "portfolio_figures" not in seen:
        return None, "its latest plan was made before initiatives were counted: run the plan again"
    figures = seen["portfolio_figures"]
    if any(value is None for _, value in figures.get("pathway_tco2e") or []):
        # A pathway with a withheld period has no reduction to count: the cluster counts as not planned.
        figures = figures | {"pathway_tco2e": []}
    problem = _missing_rate(initiative, figures["currency"])
    return (None, problem) if problem else (figures, "")


def _visible_projects(enrolment: Enrolment, user_id: int) -> list[dict]:
    """The cluster's register projects the analyst sees: all of them if its coordinator shares the register with
    the initiative, else those an observer of it may see (access.register_view); never a project's money."""
    cluster = enrolment.cluster
    seen = cluster.description if enrolment.share_register else register_view(Viewer(user_id, Role.OBSERVER),
                                                                               cluster.description)  # fmt: skip
    return [{"cluster": cluster.slug} | row for row in initiative_register(seen)]


def _register(sharing: list[str], projects: list[dict]) -> dict:
    """The register totals that need no money, over the counted clusters that share their register; missing
    when none does, since no register seen is not an empty register."""
    counts = register_counts([row for row in projects if row["cluster"] in sharing])
    return {"registers_shared": len(sharing)} | {k: (v if sharing else None) for k, v in counts.items()}


def view_now(session, initiative: Initiative, user_id: int, where: str, action: str = "initiative.read",
             **detail) -> dict:  # fmt: skip
    """The portfolio as the analyst sees it now, with the visible register projects of the clusters counted;
    each cluster's read is in its audit log under ``action``."""
    shown, left_out, projects, sharing = [], [], [], []
    for enrolment in initiative.enrolments:
        figures, why = _figures(session, initiative, enrolment.cluster, user_id)
        if figures is None:
            left_out.append({"cluster": enrolment.cluster.slug, "name": enrolment.cluster.name, "reason": why})
        else:
            shown.append(figures | {"cluster": enrolment.cluster.slug, "name": enrolment.cluster.name})
            # A cluster left out is left out whole: nothing of its register either.
            projects += _visible_projects(enrolment, user_id)
            if enrolment.share_register:
                sharing.append(enrolment.cluster.slug)
        audit.record(session, action, user_id=user_id, cluster_id=enrolment.cluster_id, target=initiative.slug,
                     address=where, shown=figures is not None,
                     register=figures is not None and enrolment.share_register, **detail)  # fmt: skip
    session.commit()
    rates = {initiative.currency: 1.0} | {code: rate["rate"] for code, rate in initiative.exchange_rates.items()}
    meta = {"id": initiative.slug, "name": initiative.name, "year": None, "currency": initiative.currency,
            "exchange_rates": initiative.exchange_rates}  # fmt: skip
    out = tabulate(meta, shown, rates.__getitem__).to_dict()
    where_is = {e.cluster.slug: e.cluster.description.get("location") or {} for e in initiative.enrolments}
    for row in out["clusters"]:
        row |= {"lat": where_is[row["cluster"]].get("lat"), "lon": where_is[row["cluster"]].get("lon")}
    return out | {"left_out": left_out, "projects": projects, "registers": sharing,
                  "register": _register(sharing, projects)}  # fmt: skip


@router.get("/initiatives/{slug}/portfolio")
def portfolio(initiative: AsAnalyst, who: Authenticated, session: DB, where: Address) -> dict:
    """Totals of the enrolled clusters (reduction potential, GDP, jobs) by country and continent, and each
    cluster's row, from every cluster's latest plan as its observers see it (docs/portfolio.md, formulas); the
    register projects of the counted clusters whose coordinators share them, and their totals without money."""
    return view_now(session, initiative, who.user.id, where)


# -- closed years and year on year -----------------------------------------------------------------------
def closed_year(session, initiative: Initiative, year: int) -> ClosedYear:
    """The closed year, or 404 naming the years that are."""
    closed = session.scalar(select(ClosedYear).where(ClosedYear.initiative_id == initiative.id,
                                                     ClosedYear.year == year))  # fmt: skip
    if closed is None:
        years = session.scalars(select(ClosedYear.year).where(ClosedYear.initiative_id == initiative.id)
                                .order_by(ClosedYear.year)).all()  # fmt: skip
        known = f"closed years: {', '.join(map(str, years))}" if years else "no year is closed yet"
        raise HTTPException(404, f"year {year} of initiative '{initiative.slug}' is not closed ({known}): an analyst "
                                 f"closes a year with POST /initiatives/{initiative.slug}/years")  # fmt: skip
    return closed


def _closed_out(closed: ClosedYear) -> dict:
    who = closed.closer
    return {"year": closed.year, "closed_at": closed.closed_at,
            "closed_by": None if who is None else {"name": who.name, "email": who.email}}  # fmt: skip


@router.post("/initiatives/{slug}/years", status_code=201)
def close_year(body: NewYear, initiative: AsAnalyst, who: Authenticated, session: DB, where: Address) -> dict:
    """Freeze the portfolio as the analyst sees it now as the year's: a closed year is never changed."""
    taken = session.scalar(select(ClosedYear).where(ClosedYear.initiative_id == initiative.id,
                                                    ClosedYear.year == body.year))  # fmt: skip
    if taken is not None:
        raise HTTPException(409, _closed_twice(initiative, taken))
    view = view_now(session, initiative, who.user.id, where, "initiative.year.close", year=body.year)
    view["portfolio"]["year"] = body.year
    closed = ClosedYear(initiative_id=initiative.id, year=body.year, snapshot=view, closed_by=who.user.id,
                        closed_at=utcnow())  # fmt: skip
    session.add(closed)
    audit.record(session, "initiative.year.close", user_id=who.user.id, target=initiative.slug, address=where,
                 year=body.year)  # fmt: skip
    try:
        session.commit()
    except IntegrityError:  # another analyst closed the same year in between
        session.rollback()
        raise HTTPException(409, _closed_twice(initiative, closed_year(session, initiative, body.year))) from None
    return _closed_out(closed) | view


def _closed_twice(initiative: Initiative, taken: ClosedYear) -> str:
    return (f"year {taken.year} of initiative '{initiative.slug}' was closed already on "
            f"{taken.closed_at:%Y-%m-%d %H:%M} UTC: a closed year is never changed; close the next year instead")  # fmt: skip


@router.get("/initiatives/{slug}/years")
def list_years(initiative: AsAnalyst, who: Authenticated, session: DB, where: Address) -> list[dict]:
    rows = session.scalars(select(ClosedYear).where(ClosedYear.initiative_id == initiative.id)
                           .order_by(ClosedYear.year.desc())).all()  # fmt: skip
    audit.record(session, "initiative.years", user_id=who.user.id, target=initiative.slug, address=where)
    session.commit()
    return [_closed_out(row) | {"clusters": row.snapshot["totals"]["clusters"]} for row in rows]


ClosedYearPath = Annotated[int, Path(ge=1990, le=2100, description="a closed year")]


@router.get("/initiatives/{slug}/years/{year}")
def get_year(year: ClosedYearPath, initiative: AsAnalyst, who: Authenticated, session: DB, where: Address) -> dict:
    closed = closed_year(session, initiative, year)
    return _closed_out(closed) | read_closed(session, initiative, closed, who.user.id, where)


def year_tables(initiative: Initiative, view: dict) -> YearTables:
    """A closed year's or the live portfolio's tables for ``progress.compare``: the counted clusters, their
    visible register projects and the numeric totals, the shared registers' with them."""
    totals = view["totals"] | view.get("register", {})
    numeric = {k: v for k, v in totals.items() if v is None or (isinstance(v, int | float)
                                                                and not isinstance(v, bool))}  # fmt: skip
    return YearTables(initiative=initiative.slug, year=view["portfolio"]["year"], currency=view["portfolio"]["currency"],
                      clusters=[row["cluster"] for row in view["clusters"]], projects=view.get("projects", []),
                      totals=numeric, registers=view.get("registers", []))  # fmt: skip


def changes(initiative: Initiative, before: dict, after: dict) -> dict:
    """What changed from one view to the other (``progress.compare``, as ``clusterpath portfolio --previous``),
    and the clusters enrolled but not counted in the later one, which explain some departures."""
    out = compare(year_tables(initiative, before), year_tables(initiative, after)).to_dict()
    return out | {"left_out": after["left_out"]}


PreviousYear = Annotated[int, Query(ge=1990, le=2100, description="the closed year to compare with")]
CurrentYear = Annotated[int | None, Query(ge=1990, le=2100, description="a later closed year; none: the portfolio now")]


@router.get("/initiatives/{slug}/progress")
def progress(initiative: AsAnalyst, who: Authenticated, session: DB, where: Address, previous: PreviousYear,
             current: CurrentYear = None) -> dict:  # fmt: skip
    """Year on year: a closed year against a later closed year, or against the portfolio as it stands now."""
    if current is not None and current <= previous:
        raise HTTPException(422, f"current: {current} is not after the previous year {previous}: give the earlier "
                                 "year as previous")  # fmt: skip
    before = closed_year(session, initiative, previous)
    after = None if current is None else closed_year(session, initiative, current)
    then = read_closed(session, initiative, before, who.user.id, where)
    if after is None:
        return changes(initiative, then, view_now(session, initiative, who.user.id, where))
    return changes(initiative, then, read_closed(session, initiative, after, who.user.id, where))


def read_closed(session, initiative: Initiative, closed: ClosedYear, user_id: int, where: str) -> dict:
    """A closed year's snapshot; reading it reads its clusters' figures of then, so each cluster's audit log
    says so."""
    snapshot = closed.snapshot
    counted = {row["cluster"] for row in snapshot["clusters"]}
    slugs = counted | {row["cluster"] for row in snapshot["left_out"]}
    # Cluster ids are unique per user, not globally: the clusters the initiative had (its audit trail says which).
    joined = select(AuditEntry.cluster_id).where(AuditEntry.action == "initiative.join",
                                                 AuditEntry.target == initiative.slug)  # fmt: skip
    ids = dict(session.execute(select(Cluster.slug, Cluster.id).where(Cluster.slug.in_(slugs),
                                                                      Cluster.id.in_(joined))).all())  # fmt: skip
    for slug in sorted(slugs):
        audit.record(session, "initiative.year.read", user_id=user_id, cluster_id=ids.get(slug),
                     target=initiative.slug, address=where, year=closed.year, shown=slug in counted)  # fmt: skip
    session.commit()
    return snapshot
