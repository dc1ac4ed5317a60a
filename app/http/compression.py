"""Compression: gzip (and brotli, where its library is installed) for responses over ~1 KB
to clients that accept it, whole bodies at once and streams (exports) as they go. The cache
around it keeps compressed bodies, so a cached response is compressed once, not per request."""

import gzip
import zlib
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.negotiation import ENCODINGS, encoding
from app.http.raw import RawHeaders, add_vary, has, header

MIN_SIZE = 1024
COMPRESSIBLE = (
    b"application/json",
    b"application/problem+json",
    b"application/ld+json",
    b"application/x-ndjson",
    b"application/javascript",
    b"text/",
    b"image/svg+xml",
)


def available_encodings() -> tuple[str, ...]:
    try:
        import brotli  # noqa: F401
    except ImportError:
        return tuple(e for e in ENCODINGS if e != "br")
    return ENCODINGS


AVAILABLE = available_encodings()


def negotiate(scope: Scope) -> str:
    """The coding to answer this request with (`identity` for none)."""
    return encoding(header(scope, b"accept-encoding") or "", AVAILABLE)


def whole(body: bytes, coding: str) -> bytes:
    if coding == "br":
        import brotli

        compressed: bytes = brotli.compress(body, quality=5)
        return compressed
    return gzip.compress(body, compresslevel=6, mtime=0)


class Streamer:
    """Compresses a body in pieces, each flushed so the client gets it at once."""

    def __init__(self, coding: str) -> None:
        self.compress: Callable[[bytes], bytes]
        self.finish: Callable[[], bytes]
        if coding == "br":
            import brotli

            compressor: Any = brotli.Compressor(quality=5)
            self.compress = lambda data: compressor.process(data) + compressor.flush()
            self.finish = compressor.finish
        else:
            z = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # the gzip format
            self.compress = lambda data: z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)
            self.finish = z.flush


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, *, min_size: int = MIN_SIZE) -> None:
        self.app = app
        self.min_size = min_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        coding = negotiate(scope)
        start: Message | None = None  # held until the first body says what to do
        streamer: Streamer | None = None

        async def compress(message: Message) -> None:
            nonlocal start, streamer
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body, more = message.get("body", b""), message.get("more_body", False)
            if streamer is not None:  # a stream already under way
                out = streamer.compress(body) if body else b""
                if not more:
                    out += streamer.finish()
                await send({**message, "body": out})
                return
            if start is None:  # decided already, and not to compress: pass it on
                await send(message)
                return
            held, start = start, None
            raw: RawHeaders = list(held.get("headers", ()))
            kind = next((v for k, v in raw if k == b"content-type"), b"")
            compressible = held["status"] not in (204, 304) and kind.startswith(COMPRESSIBLE)
            if compressible:
                raw = add_vary(raw, b"Accept-Encoding")
            if not compressible or coding == "identity" or has(raw, b"content-encoding"):
                await send({**held, "headers": raw})
                await send(message)
                return
            if more:  # a stream: compressed as it goes
                streamer = Streamer(coding)
                raw = [(k, v) for k, v in raw if k != b"content-length"]
                await send({**held, "headers": [*raw, (b"content-encoding", coding.encode())]})
                await send({**message, "body": streamer.compress(body)})
                return
            if len(body) < self.min_size:
                await send({**held, "headers": raw})
                await send(message)
                return
            packed = whole(body, coding)
            raw = [(k, v) for k, v in raw if k != b"content-length"]
            raw += [
                (b"content-encoding", coding.encode()),
                (b"content-length", b"%d" % len(packed)),
            ]
            await send({**held, "headers": raw})
            await send({**message, "body": packed})

        await self.app(scope, receive, compress)
