"""Settings: every knob is an environment variable (or a line in `.env`)."""

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# The newest migration's revision (a test keeps it equal to Alembic's head).
SCHEMA_REVISION = "0006"
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'data' / 'articles.db'}"
DEFAULT_CURSOR_SECRET = "change-me"
# Shorter cursor secrets can be guessed: refused wherever the default is (`secret_problem`).
MIN_SECRET_LENGTH = 32
# 503s say when to come back: soon, since the store is restarting or the load is passing.
RETRY_AFTER_SECONDS = 2


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    seed_dir: Path = ROOT / "seed"
    env: Literal["development", "production"] = Field(
        "development", description="`production` refuses default secrets wherever it listens"
    )
    cors_origins: list[str] = ["*"]
    cache_max_age: int = Field(60, ge=0, description="Cache-Control max-age of GET responses, s")
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "text"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(1, ge=1)
    pool_size: int = Field(10, ge=1, description="Database connections kept per worker")
    # Overflow connections are closed when returned to a full pool: under steady load each
    # request opened one (PostgreSQL, one row by id: 1,600 req/s against 2,900 without).
    max_overflow: int = Field(0, ge=0, description="Extra connections under load (PostgreSQL)")
    pool_timeout: float = Field(10.0, gt=0, description="Seconds to wait for a free connection")
    statement_timeout_ms: int = Field(
        2000, ge=0, description="Per-request database time limit in ms; 0 disables it"
    )
    count_budget_ms: int = Field(
        50,
        ge=0,
        description="Time a list may spend counting its `total`; past it, `total` is null and "
        "`total_at_least` a lower bound (`count=exact` waits); 0: always exact",
    )
    stats_cache_size: int = Field(
        2048,
        ge=0,
        description="Totals and facet counts each worker keeps per data version (LRU); 0 "
        "counts on every request",
    )
    response_cache_bytes: int = Field(
        32 * 1024 * 1024, ge=0, description="Per-process cache of GET responses; 0 disables it"
    )
    data_version_ttl: float = Field(
        1.0, ge=0, description="Seconds a worker trusts the data version it last read"
    )
    rate_limit_per_minute: int = Field(
        0, ge=0, description="Requests a minute per client IP and worker; 0 turns it off"
    )
    rate_limit_burst: int = Field(60, ge=1, description="Requests a client may burst")
    forwarded_allow_ips: str = Field(
        "",
        description="Proxies trusted to say the client's address (X-Forwarded-For), comma-"
        "separated IPs or *; empty: the peer is the client (rate limits count per proxy)",
    )
    public_url: str = Field(
        "",
        pattern=r"^(https?://[^/?#\s]+(/[^?#\s]*[^/?#\s])?)?$",
        description="Absolute URL the API is reached at (links in annotations and Link "
        "headers), e.g. https://api.example.org; empty: the request's own",
    )
    cursor_secret: str = Field(
        DEFAULT_CURSOR_SECRET,
        description="Key that signs pagination cursors; same on every worker/host",
    )
    allowed_hosts: list[str] = Field(
        ["*"],
        description="Host names the API answers to (JSON list; `*.example.org` matches its "
        "subdomains); other Host headers get a 400 problem. `*`: any",
    )

    def is_exposed(self, host: str) -> bool:
        """Reached from a network, or in production: where defaults are not safe."""
        return self.env == "production" or not is_loopback(host)

    def secret_problem(self, host: str) -> str | None:
        """Why serving on `host` with these settings would be unsafe, or None: the default
        cursor secret, or one shorter than MIN_SECRET_LENGTH, is for a machine's own loopback,
        never for a network or production."""
        weak = self.cursor_secret == DEFAULT_CURSOR_SECRET
        short = len(self.cursor_secret) < MIN_SECRET_LENGTH
        if not (weak or short) or not self.is_exposed(host):
            return None
        where = "ENV=production" if self.env == "production" else f"host {host}"
        what = (
            "the default CURSOR_SECRET"
            if weak
            else f"a CURSOR_SECRET of {len(self.cursor_secret)} characters (at least "
            f"{MIN_SECRET_LENGTH} are needed)"
        )
        return (
            f"refusing to serve on {where} with {what}; set CURSOR_SECRET to a long random "
            "value (python -c 'import secrets; print(secrets.token_urlsafe(32))'), the same "
            "on every host"
        )

    def host_problem(self, host: str) -> str | None:
        """Why `serve` on `host` should warn about Host headers, or None: exposed, with any
        Host accepted and links built from it."""
        if not self.is_exposed(host) or self.public_url or self.allowed_hosts != ["*"]:
            return None
        return (
            "neither ALLOWED_HOSTS nor PUBLIC_URL is set: any Host header is answered, and "
            "absolute links (Link headers, annotation ids, redirects) are built from it; set "
            "both in production"
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
