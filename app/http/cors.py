"""CORS for browser clients, with a refused preflight explained as a problem."""

from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.datastructures import Headers

from app.errors import CorsRefused, problem_response


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, whose refusals (plain text) become problems."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        detail = f"{bytes(response.body).decode()}: this API allows GET, HEAD and OPTIONS from "
        detail += ", ".join(self.allow_origins) if not self.allow_all_origins else "any origin"
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-type")
        }
        return problem_response(CorsRefused(detail, headers=headers), instance="", request_id=None)
