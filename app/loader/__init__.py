"""Load annotated articles into the store, checking every record before anything is written.

An annotation file (format documented in seed/README.md) describes one article: the entities it
mentions, its events, quotes, aid and other figures, each with evidence spans. The store keeps
each article's annotation, so a seed rebuilds every table from the full set of articles (the ones
already stored plus the files given) in one transaction: loading is atomic and idempotent, and
entities shared by several articles are merged the same way whatever the loading order.
"""

from app.loader.schema import FORMAT_VERSION, SeedError
from app.loader.store import SeedReport, default_paths, expand, finish, seed, store_counts

__all__ = [
    "FORMAT_VERSION",
    "SeedError",
    "SeedReport",
    "default_paths",
    "expand",
    "finish",
    "seed",
    "store_counts",
]
