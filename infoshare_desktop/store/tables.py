"""The tables of the encrypted database (SQLModel). Migrations create them; see migrations/.

Record content lives only here, inside the encrypted file. Saved records are never
updated or deleted: triggers in the migrations reject it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, Table, Text, func
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class StoreSetting(SQLModel, table=True):
    """Store-wide settings an administrator controls (idle lock, review rules...)."""

    __tablename__ = "store_setting"
    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"
    id: str = Field(primary_key=True, max_length=36)
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = Field(max_length=200)
    roles: str = Field(default="", max_length=200)  # comma-separated Role values
    status: str = Field(default="active", max_length=16)  # active, disabled, revoked
    created_at: datetime
    created_by: str | None = Field(default=None, max_length=36)
    preferences: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class AuditEvent(SQLModel, table=True):
    """One link of the audit chain. Ids and action codes only, never record content."""

    __tablename__ = "audit_event"
    seq: int = Field(primary_key=True)
    at: datetime
    actor_id: str | None = Field(default=None, max_length=36)
    action: str = Field(max_length=32)
    target_kind: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=36)
    detail: str | None = Field(default=None, max_length=200)  # codes and counts only
    prev_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    entry_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    mac: bytes = Field(sa_column=Column(LargeBinary, nullable=False))

    __table_args__ = (Index("ix_audit_target", "target_kind", "target_id"),)


class AuditState(SQLModel, table=True):
    """The chain head and the key for the next entry's MAC (one row)."""

    __tablename__ = "audit_state"
    id: int = Field(default=1, primary_key=True)
    seq: int
    head: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    next_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CaseFile(SQLModel, table=True):
    """One child or young person. Identity kept minimal. Never updated or deleted."""

    __tablename__ = "case_file"
    id: str = Field(primary_key=True, max_length=36)
    display_name: str = Field(max_length=200)
    name_key: str = Field(max_length=200)  # folded name, for the duplicate check
    date_of_birth: date | None = None
    case_reference: str = Field(max_length=200)
    other_identifiers: str = Field(default="", sa_column=Column(Text, nullable=False))
    restricted: bool = False
    created_at: datetime
    created_by: str = Field(foreign_key="user_account.id", max_length=36)


class CaseMember(SQLModel, table=True):
    """Staff named on a restricted case (its creator is always one)."""

    __tablename__ = "case_member"
    case_id: str = Field(foreign_key="case_file.id", primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user_account.id", primary_key=True, max_length=36)
    added_at: datetime
    added_by: str = Field(max_length=36)


class PackedJson(TypeDecorator[str]):
    """A JSON text column stored packed (store.packing): SQL's `packed()` writes it and
    `unpacked()` reads it, so the model sees the JSON."""

    impl = Text
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return func.packed(bindvalue, type_=self)

    def column_expression(self, column: Any) -> Any:
        return func.unpacked(column, type_=self)


class SavedRecord(SQLModel, table=True):
    """A saved record of any kind; its full content is the draft's JSON in `payload`
    (stored packed: `PackedJson`). The other columns are what lists, queues and the
    chronology need without parsing it."""

    __tablename__ = "saved_record"
    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case_file.id", max_length=36)
    kind: str = Field(max_length=32)  # RecordKind
    subkind: str = Field(max_length=32)  # SharingKind, ConsentOutcome, ReviewOutcome...
    target_id: str | None = Field(default=None, foreign_key="saved_record.id", max_length=36)
    author_id: str = Field(foreign_key="user_account.id", max_length=36)
    occurred_at: datetime
    recorded_at: datetime
    late: bool = False
    without_consent: bool = False
    harm_concern: bool = False
    summary: str = Field(max_length=300)
    payload: str = Field(sa_column=Column(PackedJson, nullable=False))  # stored packed


class DraftRow(SQLModel, table=True):
    """Unfinished work of one user, kept so a lock or crash loses no typing."""

    __tablename__ = "draft"
    id: str = Field(primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user_account.id", max_length=36)
    case_id: str | None = Field(default=None, foreign_key="case_file.id", max_length=36)
    kind: str = Field(max_length=32)
    target_id: str | None = Field(default=None, max_length=36)
    created_at: datetime
    updated_at: datetime
    payload: str = Field(sa_column=Column(Text, nullable=False))


class ReviewRequest(SQLModel, table=True):
    """A record entered for supervisor review, automatically or at its author's request."""

    __tablename__ = "review_request"
    id: str = Field(primary_key=True, max_length=36)
    record_id: str = Field(foreign_key="saved_record.id", max_length=36)
    requested_by: str = Field(foreign_key="user_account.id", max_length=36)
    requested_at: datetime
    reason: str = Field(max_length=16)


class CaseStats(SQLModel, table=True):
    """Per-case figures for the case list; maintained by a trigger on saved_record."""

    __tablename__ = "case_stats"
    case_id: str = Field(foreign_key="case_file.id", primary_key=True, max_length=36)
    records: int
    last_activity: datetime
    late_entries: int
    harm_concern: bool


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model (SQLModel does not declare ``__table__``)."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table
