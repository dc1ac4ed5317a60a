"""Raw ASGI headers, read and written without building header objects: the middleware runs
for every request, and these few scans cost less than Starlette's mappings. Header names are
lower case, as ASGI servers give them and Starlette's responses make them."""

from starlette.types import Scope

RawHeaders = list[tuple[bytes, bytes]]


def header(scope: Scope, name: bytes) -> str | None:
    """A request header's value (the first, if repeated), by its lower-case name."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def has(headers: RawHeaders, name: bytes) -> bool:
    return any(key == name for key, _ in headers)


def add_vary(headers: RawHeaders, value: bytes) -> RawHeaders:
    """`headers` with the names in `value` added to its one Vary header (each once)."""
    varies = [v for k, v in headers if k == b"vary"]
    names = [n.strip() for v in varies for n in v.split(b",") if n.strip()]
    known = {n.lower() for n in names}
    names += [n.strip() for n in value.split(b",") if n.strip().lower() not in known]
    return [(k, v) for k, v in headers if k != b"vary"] + [(b"vary", b", ".join(names))]
