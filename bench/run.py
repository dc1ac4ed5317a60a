"""Benchmark: our API against Datasette and FastAPI's own ceiling, side by side in one run.

    python -m bench.run --database bench/out/bench.db [--rounds 3] [--seconds 15]

Each server is pinned to core 0 (taskset) and wrk to core 1, 50 connections; every endpoint
runs `--rounds` times, interleaved across servers, and the table reports medians. Loopback
only; every wrk run stops by itself after `--seconds`. Needs wrk (Debian: `apt-get install
wrk`) and Datasette in its own environment (`make bench` installs both); neither is a runtime
dependency of the API.
"""

import argparse
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.proc import free_port, memory_mib

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cores: str = "0"
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0

    def start(self, ready_path: str) -> None:
        self.port = free_port()
        command = [c.replace("{port}", str(self.port)) for c in self.command]
        env = {**os.environ, **self.env}
        began = time.monotonic()
        self.process = subprocess.Popen(
            ["taskset", "-c", self.cores, *command],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = began + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url(ready_path), timeout=5) as response:
                    if response.status == 200:
                        self.started_in = time.monotonic() - began
                        return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def rss_mib(self) -> tuple[float, float]:
        """(current, peak) resident memory of the server and its children, MiB."""
        assert self.process is not None
        return memory_mib(self.process.pid)

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process = None


def wrk(url: str, seconds: int, connections: int = 50) -> dict[str, float]:
    result = subprocess.run(
        [
            "taskset",
            "-c",
            "1",
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    out = result.stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": latency("50"),
        "p99": latency("99"),
        "non2xx": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
    }


def deep_cursor(database: Path, depth_rows: int) -> str:
    """The cursor our API returns after `depth_rows` events in default (date) order, computed
    from the store directly instead of walking 10,000 pages."""
    sys.path.insert(0, str(ROOT))
    from app.pagination import encode_cursor
    from app.query import filters_scope

    conn = sqlite3.connect(database)
    key, event_id = conn.execute(
        "SELECT coalesce(date_start, '9999-12-31'), id FROM event "
        "ORDER BY coalesce(date_start, '9999-12-31'), id LIMIT 1 OFFSET ?",
        (depth_rows - 1,),
    ).fetchone()
    return encode_cursor("events", "date", filters_scope({}), [key, event_id])


def cold_start(database: Path, runs: int = 3) -> float:
    """Median seconds from spawning the API (seeded store) to its first 200."""
    times = []
    for _ in range(runs):
        server = api_server("cold", database, cache=True)
        server.start("/v1/countries/NE")
        times.append(server.started_in)
        server.stop()
    return statistics.median(times)


def api_server(
    name: str, database: Path, *, cache: bool, workers: int = 1, url: str | None = None
) -> Server:
    env = {
        "DATABASE_URL": url or f"sqlite:///{database.resolve()}",
        "LOG_LEVEL": "WARNING",
        "RESPONSE_CACHE_BYTES": str(8 * 1024 * 1024 if cache else 0),
    }
    command = [
        PYTHON,
        "-m",
        "uvicorn",
        "app.main:app",
        "--port",
        "{port}",
        "--no-access-log",
        "--log-level",
        "warning",
        "--no-server-header",
        "--ws",
        "none",
    ]
    if workers > 1:
        command += ["--workers", str(workers)]
    return Server(name, command, env, cores="0" if workers == 1 else "0,1")


def ceiling_server(name: str) -> Server:
    command = [
        PYTHON,
        "-m",
        "uvicorn",
        "bench.ceiling:app",
        "--port",
        "{port}",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return Server(name, command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", type=Path, default=ROOT / "bench/out/bench.db")
    parser.add_argument("--postgres-url", help="the same store on PostgreSQL, to compare")
    parser.add_argument("--datasette", default=str(ROOT / "bench/out/venv/bin/datasette"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results.md")
    parser.add_argument("--servers", help="comma-separated subset of server names to run")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None or shutil.which("taskset") is None:
        sys.exit("bench: needs wrk and taskset (apt-get install wrk util-linux)")
    database: Path = args.database.resolve()
    db_name = database.stem
    events = sqlite3.connect(database).execute("SELECT count(*) FROM event").fetchone()[0]
    deep = deep_cursor(database, 50 * 10_000)
    page_sql = (
        "select e.* from event e where exists (select 1 from event_country c where "
        "c.event_id = e.id and c.country = 'NE') order by coalesce(e.date_start, '9999-12-31'),"
        " e.id limit 50"
    )
    sql_url = f"/{db_name}.json?" + urllib.parse.urlencode({"sql": page_sql})

    servers = {
        "api": api_server("api", database, cache=True),
        "api, no response cache": api_server("api-nocache", database, cache=False),
        "datasette": Server(
            "datasette",
            [
                args.datasette,
                "serve",
                str(database),
                "--port",
                "{port}",
                "--setting",
                "sql_time_limit_ms",
                "10000",
                "--setting",
                "num_sql_threads",
                "3",
            ],
        ),
        "fastapi ceiling": ceiling_server("ceiling"),
        "fastapi ceiling, dict": ceiling_server("ceiling-dict"),
        "api, 2 workers": api_server("api-2w", database, cache=True, workers=2),
        "api, 2 workers, no cache": api_server("api-2w-nc", database, cache=False, workers=2),
    }
    if args.postgres_url:
        servers["api on postgresql"] = api_server(
            "api-pg", database, cache=True, url=args.postgres_url
        )
        servers["api on postgresql, no cache"] = api_server(
            "api-pg-nc", database, cache=False, url=args.postgres_url
        )
    if args.servers:
        keep = {s.strip() for s in args.servers.split(",")}
        servers = {name: server for name, server in servers.items() if name in keep}
    api_like = [n for n in servers if n.startswith("api")]
    # (endpoint label, server, path)
    cases: list[tuple[str, str, str]] = []
    for name in api_like:
        cases += [
            ("one row by key", name, "/v1/countries/NE"),
            ("50 events of one country", name, "/v1/events?country=NE&limit=50"),
        ]
        if "workers" not in name:
            cases += [
                ("events page 1", name, "/v1/events?limit=50"),
                ("events page 10,001", name, f"/v1/events?limit=50&cursor={deep}"),
            ]
    cases += [
        ("one row by key", "fastapi ceiling", "/v1/countries/NE"),
        ("one row by key", "fastapi ceiling, dict", "/v1/countries/NE/dict"),
        ("one row by key", "datasette", f"/{db_name}/country/NE.json"),
        ("50 events of one country", "datasette", sql_url + "&_shape=array"),
        ("50 events of one country (default JSON)", "datasette", sql_url),
        # No row count, no facet suggestions: Datasette computes both per request otherwise,
        # which on 1M rows takes seconds (our total is cached per data version).
        ("events page 1", "datasette", f"/{db_name}/event.json?_size=50&_nocount=1&_nofacet=1"),
        # Datasette pages by primary key (`id`): _next is the id of the 500,000th event.
        (
            "events page 10,001",
            "datasette",
            f"/{db_name}/event.json?_size=50&_next=bench-event-0499999",
        ),
    ]
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    rss: dict[str, tuple[float, float]] = {}
    for round_number in range(1, args.rounds + 1):
        for name, server in servers.items():
            mine = [c for c in cases if c[1] == name]
            if not mine:
                continue
            server.start(mine[0][2])
            for label, _, path in mine:
                for _ in range(3):  # warm caches and totals, as a running server has them
                    urllib.request.urlopen(server.url(path), timeout=60).read()
                measured = wrk(server.url(path), args.seconds)
                results.setdefault((label, name), []).append(measured)
                print(
                    f"round {round_number} {name:>28} {label:<40} {measured['rps']:>9.0f} "
                    f"req/s p50 {measured['p50']:7.2f} ms p99 {measured['p99']:7.2f} ms",
                    flush=True,
                )
            now, peak = server.rss_mib()
            rss[name] = (max(now, rss.get(name, (0, 0))[0]), max(peak, rss.get(name, (0, 0))[1]))
            server.stop()
    cold = cold_start(database)
    report = render(results, rss, cold, events, args)
    args.out.write_text(report)
    print(report)
    return 0


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def render(
    results: dict[tuple[str, str], list[dict[str, float]]],
    rss: dict[str, Any],
    cold: float,
    events: int,
    args: argparse.Namespace,
) -> str:
    def rps(label: str, name: str) -> float:
        runs = results.get((label, name))
        return median(runs, "rps") if runs else float("nan")

    lines = [
        "# Benchmark results",
        "",
        f"Store: {events:,} events (`python -m bench.generate`), SQLite file. Medians of "
        f"{args.rounds} rounds of {args.seconds} s, wrk 50 connections on core 1, each server "
        "pinned to core 0 (the 2-worker rows use both cores, shared with wrk), loopback.",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {versions()}.",
        "",
        "| endpoint | server | req/s | p50 ms | p99 ms | non-2xx |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (label, name), runs in sorted(results.items()):
        lines.append(
            f"| {label} | {name} | {median(runs, 'rps'):,.0f} | {median(runs, 'p50'):.2f} | "
            f"{median(runs, 'p99'):.2f} | {sum(r['non2xx'] for r in runs):.0f} |"
        )
    row, page, deep, first = (
        "one row by key",
        "50 events of one country",
        "events page 10,001",
        "events page 1",
    )
    uncached = "api, no response cache"
    checks = [
        ("one row: api / datasette (target >= 5)", rps(row, "api") / rps(row, "datasette"), 5.0),
        (
            "one row: api without response cache / datasette (target >= 5)",
            rps(row, uncached) / rps(row, "datasette"),
            5.0,
        ),
        (
            "one row: api / fastapi ceiling (target >= 0.75)",
            rps(row, "api") / rps(row, "fastapi ceiling"),
            0.75,
        ),
        (
            "one row: api without response cache / fastapi ceiling (target >= 0.75)",
            rps(row, uncached) / rps(row, "fastapi ceiling"),
            0.75,
        ),
        (
            "50 events of one country: api / datasette `_shape=array` (target >= 6)",
            rps(page, "api") / rps(page, "datasette"),
            6.0,
        ),
        (
            "50 events of one country: api without response cache / datasette (target >= 6)",
            rps(page, uncached) / rps(page, "datasette"),
            6.0,
        ),
        ("page 10,001 / page 1, api (target >= 0.9)", rps(deep, "api") / rps(first, "api"), 0.9),
        (
            "page 10,001 / page 1, api without response cache (target >= 0.9)",
            rps(deep, "api, no response cache") / rps(first, "api, no response cache"),
            0.9,
        ),
    ]
    lines += ["", "| check | value | met |", "|---|---:|---|"]
    for text, value, target in checks:
        lines.append(f"| {text} | {value:.2f} | {'yes' if value >= target else 'no'} |")
    for name in ("api", uncached):
        p99 = median(results[(page, name)], "p99") if (page, name) in results else float("nan")
        lines.append(
            f"| 50 events of one country: {name} p99 (target <= 30 ms) | {p99:.2f} ms | "
            f"{'yes' if p99 <= 30 else 'no'} |"
        )
    peak = rss.get("api", (0, 0))[1]
    lines.append(
        f"| peak RSS of the api serving the 1M store (target <= 90 MiB) | "
        f"{peak:.1f} MiB | {'yes' if peak <= 90 else 'no'} |"
    )
    lines.append(
        f"| cold start to first 200, median of 3 (target <= 0.6 s) | {cold:.2f} s | "
        f"{'yes' if cold <= 0.6 else 'no'} |"
    )
    lines += [
        "",
        "Peak RSS (MiB) per server: "
        + ", ".join(f"{name} {value[1]:.1f}" for name, value in sorted(rss.items())),
        "",
    ]
    lines.append("Reproduce: `make bench` (generates the store once, then runs this).")
    return "\n".join(lines) + "\n"


def versions() -> str:
    out = []
    for package in ("fastapi", "uvicorn", "sqlalchemy", "starlette"):
        try:
            from importlib.metadata import version

            out.append(f"{package} {version(package)}")
        except Exception:
            pass
    try:
        ds = subprocess.run(
            [str(ROOT / "bench/out/venv/bin/datasette"), "--version"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        out.append(ds)
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    out.append((wrk_version.stdout or wrk_version.stderr).split("\n")[0].split(" [")[0])
    return ", ".join(out) + f"; SQLite {sqlite3.sqlite_version}"


if __name__ == "__main__":
    raise SystemExit(main())
