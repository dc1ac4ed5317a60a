"""Content negotiation, shared by the layers that must agree on it: the cache keys on the
representation the compression and the routes will make."""

from functools import lru_cache

# Media types a list can be asked for in Accept (the routes map them to formats).
LIST_MEDIA_TYPES = ("application/json", "text/csv", "application/x-ndjson", "application/ld+json")
# Encodings we make, best first; brotli only when its library is installed.
ENCODINGS = ("br", "gzip")


def _ranked(header: str) -> list[tuple[float, int, str]]:
    """(-quality, position, value) of an Accept-style header, best first."""
    out: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        value, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if value and quality > 0:
            out.append((-quality, position, value.lower()))
    return sorted(out)


@lru_cache(maxsize=256)
def media_type(accept: str) -> str:
    """The list media type an Accept header prefers: JSON unless it names another first."""
    for _, _, value in _ranked(accept):
        if value in LIST_MEDIA_TYPES:
            return value
    return "application/json"


@lru_cache(maxsize=256)
def encoding(accept_encoding: str, available: tuple[str, ...]) -> str:
    """The content coding to answer with (`identity` when none we make is acceptable); of
    equal quality, the order of `available` decides, not the client's."""
    best: tuple[float, int] | None = None
    chosen = "identity"
    for quality, _, value in _ranked(accept_encoding):
        names = available if value == "*" else (value,)
        for name in names:
            if name in available:
                rank = (quality, available.index(name))
                if best is None or rank < best:
                    best, chosen = rank, name
    return chosen
