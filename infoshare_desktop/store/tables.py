"""The tables of the encrypted database (SQLModel). Migrations create them; see migrations/.

Record content lives only here, inside the encrypted file. Saved records are never
updated or deleted: triggers in the migrations reject it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, Text
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
