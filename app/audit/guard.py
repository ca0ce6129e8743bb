"""The audit log is append-only: the ORM refuses to change or delete an entry, in a flush or in
a bulk statement, except the retention purge's delete (marked with PURGE_OPTION)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from app.models import AuditEvent, AuditRowLocked

PURGE_OPTION = "audit_purge"


@event.listens_for(Session, "before_flush")
def _refuse_changed_entries(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditRowLocked("audit entries cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditRowLocked("audit entries cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditEvent.__tablename__ and not (
        state.is_delete and state.execution_options.get(PURGE_OPTION)
    ):
        raise AuditRowLocked("audit entries are changed by nobody and deleted only by the purge")
