# The API in a container: the same `python -m app serve` the README runs (migrate under the
# store lock if the schema is behind, seed if the store is empty, then uvicorn with WORKERS
# workers). The code runs from /srv as copied: the project is not pip-installed, so
# app.config.ROOT is /srv and migrations/ and seed/ are found next to app/.
#
# With a registry: `docker build -t article-facts .`. Without one, deploy/build-local-images.sh
# makes a stand-in for python:3.11-slim from Debian's packages and passes it as BASE_IMAGE.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/srv \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=2 \
    LOG_FORMAT=json \
    DATABASE_URL=sqlite:////data/articles.db

WORKDIR /srv

# Dependencies in their own layer, listed from pyproject.toml alone (not a copy of them), so
# an edit to the code or the README reuses it. pyproject.toml stays: Alembic reads it.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep=chr(10))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

RUN useradd --system --uid 10001 --home-dir /srv api \
    && mkdir /data && chown api /data

COPY app ./app
COPY migrations ./migrations
COPY seed ./seed

USER api
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/healthz', timeout=2)"

# SIGTERM: stop accepting connections, let in-flight requests finish (up to 30 s; give
# `docker stop` a longer --time), exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "app", "serve"]
