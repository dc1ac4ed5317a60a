"""The HTTP layer: small pure-ASGI middleware (cheap per request), one per module, outermost
first:

- `cors`: CORS, with a refused preflight answered as a problem like every other 4xx.
- `edge`: request ids, HEAD as a bodiless GET, security headers, the body size limit, access
  logs, and a problem for any error that escapes the app.
- `hosts`: ALLOWED_HOSTS (Starlette's TrustedHostMiddleware), a refused Host as a problem.
- `ratelimit` (optional): a token bucket per client address.
- `caching`: conditional GET (ETags from the data version) and the per-version response cache.

Each answers what it refuses with `app.errors.problem_response`, the one way a problem is sent.
"""
