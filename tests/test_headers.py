"""Security headers, CORS variance and the optional rate limit."""

import base64
import hashlib
import re

from tests.conftest import app_client


def test_security_headers_on_api_and_docs(seeded_sqlite_url: str) -> None:
    with app_client(seeded_sqlite_url) as client:
        api = client.get("/v1/countries/NE")
        docs = client.get("/docs")
    for response in (api, docs):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert api.headers["content-security-policy"].startswith("default-src 'none'")
    # The docs page runs the bundled assets and, of inline script, only its own bootstrap.
    script_src = docs.headers["content-security-policy"].split("script-src ")[1].split(";")[0]
    assert script_src.startswith("'self' 'sha256-") and "unsafe" not in script_src
    assert "http" not in docs.headers["content-security-policy"]


def test_the_docs_csp_allows_exactly_the_inline_script_the_page_has(
    seeded_sqlite_url: str,
) -> None:
    with app_client(seeded_sqlite_url) as client:
        docs = client.get("/docs")
    inline = re.findall(r"<script>(.*?)</script>", docs.text, re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in docs.headers["content-security-policy"]
    assert "validator.swagger.io" not in docs.text and '"validatorUrl": null' in docs.text


def test_cors_with_an_allow_list_varies_on_origin(seeded_sqlite_url: str) -> None:
    with app_client(seeded_sqlite_url, cors_origins=["https://news.example"]) as client:
        allowed = client.get("/v1/countries/NE", headers={"Origin": "https://news.example"})
        other = client.get("/v1/countries/NE", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://news.example"
    assert "origin" in allowed.headers["vary"].lower()
    assert "access-control-allow-origin" not in other.headers


def test_rate_limit_is_off_by_default(seeded_sqlite_url: str) -> None:
    with app_client(seeded_sqlite_url) as client:
        responses = [client.get("/v1/countries/NE") for _ in range(80)]
    assert {r.status_code for r in responses} == {200}
    assert "ratelimit-limit" not in responses[0].headers


def test_rate_limit_answers_429_with_retry_after(seeded_sqlite_url: str) -> None:
    with app_client(seeded_sqlite_url, rate_limit_per_minute=60, rate_limit_burst=5) as client:
        responses = [client.get("/v1/countries/NE") for _ in range(7)]
        health = client.get("/healthz")
    assert [r.status_code for r in responses[:5]] == [200] * 5
    limited = responses[-1]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1
    assert responses[0].headers["ratelimit-limit"] == "60"
    assert responses[0].headers["ratelimit-remaining"] == "4"
    assert health.status_code == 200
