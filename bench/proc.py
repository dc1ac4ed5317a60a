"""Processes by /proc: a server's descendants and their memory (Linux); a free port for one."""

import re
import socket
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children, ...)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            child = int(stat.parent.name)
            out += [child, *descendants(child)]
    return out


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of `pid` and its descendants, MiB."""
    now = peak = 0.0
    for candidate in [pid, *descendants(pid)]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        for name, value in re.findall(r"^(VmRSS|VmHWM):\s+(\d+)", status, re.M):
            if name == "VmRSS":
                now += int(value) / 1024
            else:
                peak += int(value) / 1024
    return now, peak
