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
    """`headers` with `value` added to its one Vary header."""
    varies = [v for k, v in headers if k == b"vary"]
    if not varies:
        return [*headers, (b"vary", value)]
    merged = b", ".join([*varies, value])
    return [(k, v) for k, v in headers if k != b"vary"] + [(b"vary", merged)]
