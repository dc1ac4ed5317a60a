"""Static files (the explorer, the docs' assets): Starlette's StaticFiles, whose refusals of a
Range header (plain text 400 and 416) become problems, and whose TypeScript declarations are
text (the system's MIME table calls `.ts` Qt Linguist)."""

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from app.errors import InvalidRange, problem_response

TEXT = "text/plain; charset=utf-8"


class ProblemStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if path.endswith(".ts"):
            response.headers["content-type"] = TEXT
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused: Message = {}

        async def problems(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (400, 416):
                refused.update(message)  # held: its body says why
                return
            if not refused:
                await send(message)
                return
            headers = {
                k.decode("latin-1"): v.decode("latin-1")
                for k, v in refused.get("headers", ())
                if k.lower() == b"content-range"
            }
            size = headers.get("content-range", "").rpartition("/")[2]
            detail = bytes(message.get("body", b"")).decode() or (
                f"The range asked for is past the end of the file ({size} bytes)"
            )
            error = InvalidRange(refused["status"], f"{detail}", headers)
            request_id = scope.get("state", {}).get("request_id")
            response = problem_response(error, instance=scope["path"], request_id=request_id)
            await response(scope, receive, send)

        await super().__call__(scope, receive, problems)
