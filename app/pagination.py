"""Opaque keyset cursors.

A cursor is the sort key of the last row served, bound to the resource, sort and filters it came
from and signed with the app's CURSOR_SECRET, so a tampered, truncated or foreign cursor
(another list, sort, query or deployment) is refused (422) instead of silently paging from the
wrong place. Pages never use OFFSET: page 50,000 costs what page 1 costs.
"""

import base64
import binascii
import hashlib
import hmac
from typing import Any

import orjson

from app.errors import InvalidParameter

_SIG_BYTES = 12


class CursorSigner:
    """Issues and reads the cursors of one app (one secret)."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_SIG_BYTES]

    def encode(self, resource: str, sort: str, scope: str, key: list[Any]) -> str:
        payload = orjson.dumps([resource, sort, scope, key])
        return base64.urlsafe_b64encode(self._sign(payload) + payload).decode().rstrip("=")

    def decode(self, cursor: str, resource: str, sort: str, scope: str) -> list[Any]:
        """The sort key inside `cursor`; InvalidParameter unless it is ours, intact and for this
        resource, sort and filters (`scope`)."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidParameter("cursor", "not a cursor this API issued") from None
        signature, payload = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
        if len(signature) < _SIG_BYTES or not hmac.compare_digest(signature, self._sign(payload)):
            raise InvalidParameter("cursor", "not a cursor this API issued, or it was altered")
        try:
            cursor_resource, cursor_sort, cursor_scope, key = orjson.loads(payload)
        except (orjson.JSONDecodeError, TypeError, ValueError):
            raise InvalidParameter("cursor", "not a cursor this API issued") from None
        if cursor_resource != resource:
            raise InvalidParameter("cursor", f"this cursor pages {cursor_resource}, not {resource}")
        if cursor_sort != sort:
            raise InvalidParameter(
                "cursor",
                f"this cursor was issued for sort={cursor_sort}; repeat that sort to use it",
            )
        if cursor_scope != scope or not isinstance(key, list):
            raise InvalidParameter(
                "cursor", "this cursor was issued for other filters; repeat them to use it"
            )
        return key
