# The API in a container: the same `python -m app serve` the README runs (migrate, seed if the
# store is empty, then uvicorn with WORKERS workers).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=2 \
    LOG_FORMAT=json \
    DATABASE_URL=sqlite:////data/articles.db

WORKDIR /srv

# Dependencies first, from pyproject.toml only, so code changes reuse this layer.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py \
    && pip install . \
    && pip uninstall -y article-facts \
    && rm -rf app

COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /srv api \
    && mkdir /data && chown api /data

USER api
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/healthz', timeout=2)"

# Migrations run once here, before the workers start, so they never race.
ENTRYPOINT ["python", "-m", "app", "serve"]
