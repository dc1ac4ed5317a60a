"""What an operator reads when a command fails: one line saying what is wrong and what to do,
not a traceback (`--debug` or LOG_LEVEL=DEBUG shows that). The store's URL is named without
its password."""

import errno
import os
import traceback
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from app.db import on_read_only_media
from app.logs import escape_controls

URLS = "sqlite:///path/to/file.db or postgresql+psycopg://user@host:5432/database"
TRACE = "--debug shows the trace"


def explain(exc: BaseException, database_url: str) -> str:
    """One line for `exc`, raised while a command worked on the store at `database_url`."""
    where = _safe(database_url)
    if isinstance(exc, ValidationError):
        errors = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper() or 'settings'}: {e['msg']}"
            for e in exc.errors()
        )
        return f"invalid setting: {errors}; fix the environment (or .env)"
    if isinstance(exc, NoSuchModuleError | ArgumentError) or _no_driver(exc):
        missing = f" (no driver: {exc})" if isinstance(exc, ModuleNotFoundError) else ""
        return f"DATABASE_URL {where!r} is not a store this API can use{missing}; give {URLS}"
    message = _first_line(str(exc.orig) if isinstance(exc, DBAPIError) else str(exc))
    lowered = message.lower()
    file = _sqlite_file(database_url)
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in lowered:
        return (
            f"no space left on the device of {file or where}: free some and run it again "
            "(what was being written was rolled back)"
        )
    read_only = file is not None and on_read_only_media(Path(file))
    if (isinstance(exc, OSError) and exc.errno == errno.EROFS) or "readonly database" in lowered:
        read_only = True
    if read_only:
        return (
            f"{file or where} is on a read-only file system and this needs to write it: "
            "migrate and seed the store where it can be written; a ready store is served "
            "read-only"
        )
    if file is not None:
        if "not a database" in lowered or "malformed" in lowered:
            return (
                f"{file} is not a SQLite database, or is damaged ({message}): restore it from "
                "a backup, or move it away and run `python -m app serve` to build it again"
            )
        if "unable to open" in lowered:
            return (
                f"cannot open {file} ({message}): check that its folder exists and can be "
                "written (a ready store on read-only media is served read-only)"
            )
        if "no such table" in lowered:
            return f"{file} is not migrated ({message}): run `python -m app migrate`"
    if "does not exist" in lowered and "database" in lowered:
        name = make_url(database_url).database
        return (
            f"PostgreSQL database {name!r} does not exist ({where}): create it "
            f"(createdb {name}) or fix DATABASE_URL"
        )
    if (
        ("role" in lowered and "does not exist" in lowered)
        or "password authentication failed" in lowered
        or "no password supplied" in lowered
    ):
        user = make_url(database_url).username
        return (
            f"PostgreSQL refused the user {user!r} at {where} ({message}): fix the user and "
            f"password in DATABASE_URL, or create the role (createuser {user})"
        )
    if "connection refused" in lowered or "could not connect" in lowered:
        return (
            f"nothing accepts connections at {where} ({message}): is PostgreSQL running, "
            "and are the host and port in DATABASE_URL right?"
        )
    if "no such table" in lowered or "undefinedtable" in lowered:
        return f"the store at {where} is not migrated ({message}): run `python -m app migrate`"
    return f"{type(exc).__name__}: {message} ({TRACE})"


def _no_driver(exc: BaseException) -> bool:
    """A module SQLAlchemy's dialect for the URL imports (its driver) is not installed."""
    if not isinstance(exc, ModuleNotFoundError):
        return False
    frames = traceback.extract_tb(exc.__traceback__)
    return any(f"sqlalchemy{os.sep}dialects" in frame.filename for frame in frames)


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _sqlite_file(url: str) -> str | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    return parsed.database if parsed.get_backend_name() == "sqlite" else None


def _first_line(message: str) -> str:
    """The driver's words: no SQL, parameters or background link (they may quote the
    article), and control characters escaped."""
    line = message.strip().split("\n", 1)[0].removeprefix("connection failed: ")
    return escape_controls(line)
