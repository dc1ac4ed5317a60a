"""Run Alembic from code: `python -m app migrate` and the tests use the same path."""

from alembic import command
from alembic.config import Config

from app.config import ROOT

# What the migrations create by hand and the models deliberately do not describe: the
# full-text search table (SQLite) and index (PostgreSQL), and expression indexes, which
# SQLite's reflection cannot read back. Autogenerate must not propose to drop them.
HAND_MADE = ("search_fts", "ix_search_document_tsv", "ix_event_sort_date_")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ in ("table", "index") and name is not None and name.startswith(HAND_MADE))


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration (from pyproject.toml, as the `alembic` command reads it), for
    the store at `url` (default: DATABASE_URL, as migrations/env.py reads it)."""
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    if url is not None:
        config.attributes["database_url"] = url
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
