"""Soak: a bounded load over the main endpoints, on loopback, that stops by itself.

    python -m bench.soak [--seconds 60] [--connections 200] [--workers 2]

Serves a freshly seeded SQLite store with `python -m app serve`, drives it with wrk cycling
through the main endpoints (with varied parameters, so both the response cache and the queries
are exercised), samples the server's RSS every second, and fails unless there were no socket
errors, no responses other than 2xx/304, and no RSS growth after warm-up.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.proc import free_port, memory_mib

ROOT = Path(__file__).resolve().parent.parent

PATHS = [
    "/v1/countries",
    "/v1/countries/NE",
    "/v1/countries/ner",
    "/v1/countries/US/events",
    "/v1/countries/NE/aid",
    "/v1/people",
    "/v1/people/olayinka-ajala",
    "/v1/people/olayinka-ajala/quotes",
    "/v1/organizations?country=RU",
    "/v1/places?kind=city",
    "/v1/events",
    "/v1/events?country=NE&sort=-date",
    "/v1/events?from=2023-07&to=2023-08",
    "/v1/events?kind=coup&fields=id,title,date",
    "/v1/events/niger-coup-2023?include=participants",
    "/v1/quotes?speaker=olayinka-ajala",
    "/v1/quotes/us-effort-to-seize-power",
    "/v1/aid?donor=US",
    "/v1/figures",
    "/v1/search?q=Agedez",
    "/v1/search?q=coup",
    "/v1/articles",
    "/v1/events?limit={n}",
    "/v1/search?q=niger&limit={n}",
    "/v1/events?q=russia&limit={n}",
]

LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  local path = paths[(i %% #paths) + 1]
  path = string.gsub(path, "{n}", tostring((i %% 100) + 1))
  return wrk.format("GET", path)
end
"""


@dataclass
class SoakResult:
    requests: int
    rps: float
    p99_ms: float
    non_2xx: int
    socket_errors: str | None
    rss_after_warmup_mib: float
    rss_at_end_mib: float

    @property
    def ok(self) -> bool:
        growth = self.rss_at_end_mib - self.rss_after_warmup_mib
        return (
            self.non_2xx == 0
            and self.socket_errors is None
            and self.requests > 0
            and growth <= max(8.0, 0.1 * self.rss_after_warmup_mib)
        )


def soak(seconds: int, connections: int, workers: int) -> SoakResult:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/soak.db",
            "PORT": str(port),
            "WORKERS": str(workers),
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "app", "serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"{base}/readyz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            script = Path(folder) / "paths.lua"
            script.write_text(LUA % ", ".join(f'"{p}"' for p in PATHS))
            load = subprocess.Popen(
                [
                    "wrk",
                    "-t2",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--latency",
                    "--timeout",
                    "10s",
                    "-s",
                    str(script),
                    base,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            samples: list[float] = []
            started = time.monotonic()
            while load.poll() is None:
                samples.append(memory_mib(server.pid)[0])
                time.sleep(1)
                if time.monotonic() - started > seconds + 60:
                    load.kill()
            out = load.communicate()[0]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    warm = samples[len(samples) // 3] if samples else 0.0
    end = max(samples[-3:]) if samples else 0.0
    requests = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = 0.0
    if p99:
        p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return SoakResult(
        requests=int(requests.group(1)) if requests else 0,
        rps=float(rps.group(1)) if rps else 0.0,
        p99_ms=p99_ms,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors.group(1) if socket_errors else None,
        rss_after_warmup_mib=warm,
        rss_at_end_mib=end,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    result = soak(args.seconds, args.connections, args.workers)
    print(
        f"soak {args.seconds}s, {args.connections} connections, {args.workers} workers: "
        f"{result.requests} requests, {result.rps:.0f} req/s, p99 {result.p99_ms:.1f} ms, "
        f"non-2xx/3xx {result.non_2xx}, socket errors {result.socket_errors or 'none'}, "
        f"RSS {result.rss_after_warmup_mib:.1f} MiB after warm-up -> "
        f"{result.rss_at_end_mib:.1f} MiB at the end: {'OK' if result.ok else 'FAILED'}"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
