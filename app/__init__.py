"""Article facts: a read API over the entities of news articles, every record with evidence."""

__version__ = "1.0.0"
