"""The pages: Swagger UI and ReDoc, served from an installed package's assets, and the
explorer (app/explorer: plain HTML, CSS and JavaScript modules on the public API). No CDN:
everything works offline."""

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from app.http.static import ProblemStaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
EXPLORER = Path(__file__).parent / "explorer"
# The explorer's own policy: its files only, no inline script or style, and the API.
EXPLORER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# ReDoc's sidebar shows Redocly's logo from their CDN, which the page's policy (and offline use)
# refuses: the script is served with an empty image in its place.
REDOC_LOGO = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'
NO_IMAGE = b"\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E\""


def redoc_script() -> bytes:
    """ReDoc's bundle with its one remote asset, the logo, left out."""
    script = (ASSETS / "redoc.standalone.js").read_bytes()
    if script.count(REDOC_LOGO) != 1:
        raise RuntimeError("ReDoc's bundle changed: look again for what it loads from a CDN")
    return script.replace(REDOC_LOGO, NO_IMAGE)


def add_explorer(app: FastAPI) -> None:
    """The explorer at `/`, its files under `/static/explorer/`. It routes by the URL's
    hash, so no other path needs the page."""
    app.mount("/static/explorer", ProblemStaticFiles(directory=EXPLORER), name="explorer-assets")

    @app.get("/", include_in_schema=False)
    async def explorer() -> FileResponse:
        return FileResponse(EXPLORER / "index.html", media_type="text/html; charset=utf-8")


def add_docs(app: FastAPI) -> str:
    """Mount `/docs`, `/redoc` and their assets. Returns the Content-Security-Policy of the
    docs pages: their own assets, and of inline script only Swagger UI's bootstrap, by its
    hash."""
    redoc_js = redoc_script()
    redoc_etag = f'"{hashlib.sha256(redoc_js).hexdigest()[:32]}"'

    @app.get("/static/docs/redoc.js", include_in_schema=False)
    async def redoc_bundle(request: Request) -> Response:
        if request.headers.get("if-none-match") == redoc_etag:
            return Response(status_code=304, headers={"ETag": redoc_etag})
        return Response(
            redoc_js, media_type="text/javascript; charset=utf-8", headers={"ETag": redoc_etag}
        )

    app.mount("/static/docs", ProblemStaticFiles(directory=ASSETS), name="docs-assets")
    swagger_page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=f"{app.title} - Swagger UI",
        swagger_js_url="/static/docs/swagger-ui-bundle.js",
        swagger_css_url="/static/docs/swagger-ui.css",
        swagger_favicon_url="/static/docs/favicon.png",
        # The validator badge would load from validator.swagger.io: not offline, not ours.
        swagger_ui_parameters={"validatorUrl": None},
    )
    redoc_page = get_redoc_html(
        openapi_url="/openapi.json",
        title=f"{app.title} - ReDoc",
        redoc_js_url="/static/docs/redoc.js",
        redoc_favicon_url="/static/docs/favicon.png",
        with_google_fonts=False,
    )

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return swagger_page

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return redoc_page

    inline = re.findall(rb"<script>(.*?)</script>", bytes(swagger_page.body), re.S)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in inline
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; frame-ancestors 'none'"
    )
