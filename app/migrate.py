"""Run Alembic from code: `python -m app migrate` and the tests use the same path."""

from alembic import command
from alembic.config import Config

from app.config import ROOT, get_settings

# Tables the migrations create by hand for one backend (full-text search), which the models
# deliberately do not describe; autogenerate must not propose to drop them.
BACKEND_ONLY = ("search_fts",)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(BACKEND_ONLY)
    if type_ == "index" and name is not None:
        return not name.startswith("ix_search_document_tsv")
    return True


def alembic_config(url: str | None = None) -> Config:
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return config


def upgrade(url: str | None = None) -> None:
    command.upgrade(alembic_config(url), "head")


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
