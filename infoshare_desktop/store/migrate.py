"""Schema versions, managed by Alembic on the store's own keyed connection."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

if TYPE_CHECKING:  # imported when first needed: alembic is slow to import
    from alembic.config import Config

from infoshare_desktop.store.errors import StoreTooNewError

SCRIPTS = Path(__file__).with_name("migrations")


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def pending(connection: Connection) -> bool:
    """Whether the schema needs upgrading. Refuses a store from a newer version."""
    from alembic.script import ScriptDirectory

    current = current_revision(connection)
    script = ScriptDirectory.from_config(_config())
    if current is not None:
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise StoreTooNewError()
    return current != script.get_current_head()


def upgrade(connection: Connection, progress: Callable[[int, int], None] | None = None) -> None:
    """Upgrade to the newest revision, in the connection's transaction; `progress(done,
    total)` is told after each revision applied (some take minutes on a large store)."""
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = _config(connection)
    if progress is not None:
        script = ScriptDirectory.from_config(cfg)
        current = current_revision(connection) or "base"
        total = len(list(script.iterate_revisions("head", current)))
        applied = itertools.count(1)
        progress(0, total)
        cfg.attributes["applied"] = lambda: progress(min(next(applied), total), total)
    command.upgrade(cfg, "head")
