"""The audit log: who read or changed confidential data, when, from where.

Entries name ids, version numbers and hashes, never the data themselves or any secret.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clusterpath.platform.models import AuditEntry, User, utcnow


def record(session: Session, action: str, *, user_id: int | None, cluster_id: int | None = None, target: str = "",
           address: str = "", **detail: Any) -> None:  # fmt: skip
    # The email as it was at the time: a user id alone says nothing once the account is gone or renamed.
    user = session.get(User, user_id) if user_id is not None else None
    if user is not None:
        detail = {"email": user.email, **detail}
    session.add(AuditEntry(at=utcnow(), user_id=user_id, cluster_id=cluster_id, action=action, target=target[:200],
                           detail=detail, address=address[:64]))  # fmt: skip


def entries(session: Session, cluster_id: int, *, limit: int = 200, before: int | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.cluster_id == cluster_id)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))
