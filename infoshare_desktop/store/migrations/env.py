"""Alembic environment: always run on the store's own open, keyed connection."""

from alembic import context

connection = context.config.attributes["connection"]
applied = context.config.attributes.get("applied")  # migrate.upgrade's progress


def each_revision_applied(ctx: object, step: object, heads: object, run_args: object) -> None:
    if applied is not None:
        applied()


context.configure(
    connection=connection,
    render_as_batch=True,
    transactional_ddl=True,
    on_version_apply=each_revision_applied,
)
with context.begin_transaction():
    context.run_migrations()
