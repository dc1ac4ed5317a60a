"""Alembic environment, for `python -m app migrate`, the tests and the `alembic` command run
from the repository root: the store is the caller's (app.migrate passes it) or DATABASE_URL
(as the app reads it, `.env` included); the schema is app.models."""

import logging
import sys
import warnings
from typing import Any

from alembic import context
from alembic.operations import ops
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from app.config import Settings
from app.db import make_engine
from app.migrate import include_name
from app.models import metadata


def numbered(migration_context: Any, revision: Any, directives: list[Any]) -> None:
    """New revisions continue the numbering (0001, 0002, ...) instead of random ids, and an
    autogenerate that finds nothing writes no empty file."""
    script = directives[0]
    if not isinstance(script, ops.MigrationScript):
        return
    config = migration_context.config
    autogenerate = getattr(config.cmd_opts, "autogenerate", False)
    if autogenerate and script.upgrade_ops is not None and script.upgrade_ops.is_empty():
        print("No changes in the schema; no revision written")
        directives[:] = []
        return
    head = ScriptDirectory.from_config(config).get_current_head()
    script.rev_id = f"{int(head or 0) + 1:04d}"


def run(connection: Connection) -> None:
    # A batch migration on SQLite rebuilds a table by copy, drop and rename; with foreign keys
    # on, dropping a table that other rows reference fails (or would cascade). Alembic's advice:
    # foreign keys off while migrating (outside a transaction, where SQLite ignores the pragma:
    # hence the driver's own connection, before SQLAlchemy begins one), then check that every
    # reference still holds and switch them back on.
    raw = connection.connection.driver_connection if connection.dialect.name == "sqlite" else None
    if raw is not None:
        raw.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        process_revision_directives=numbered,
    )
    with context.begin_transaction():
        context.run_migrations()
    if raw is not None:
        broken = raw.execute("PRAGMA foreign_key_check").fetchone()
        raw.execute("PRAGMA foreign_keys=ON")
        if broken is not None:
            raise RuntimeError(f"the migration left a broken reference in table {broken[0]}")


# SQLite cannot reflect expression indexes (the date sort indexes of 0002); include_name keeps
# them out of comparisons, so the warning that they were skipped is only noise.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based")
if context.config.cmd_opts is not None:  # the `alembic` command: say what it runs
    logging.basicConfig(stream=sys.stderr, format="%(message)s")
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)

connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = context.config.attributes.get("database_url") or Settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
