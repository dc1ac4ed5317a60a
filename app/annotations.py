"""Evidence as W3C Web Annotations (https://www.w3.org/TR/annotation-model/): each evidence span
of a record is an Annotation whose body is the record and whose target is the span of the
article, by position (code points) and by quote (with prefix and suffix, to re-anchor it if
offsets ever drift)."""

from typing import Any

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = f'application/ld+json; profile="{CONTEXT}"'


def annotations_of(record: dict[str, Any], record_url: str, base: str) -> list[dict[str, Any]]:
    """One Annotation per evidence span of `record` (a public record, offsets in code
    points), identified within the record's annotation collection by article and span."""
    out = []
    for span in record.get("evidence", []):
        article, start, end = span["article"], span["start"], span["end"]
        out.append(
            {
                "id": f"{record_url}/annotations#{article}:{start}-{end}",
                "type": "Annotation",
                "motivation": "identifying",
                "body": record_url,
                "target": {
                    "source": f"{base}/v1/articles/{article}",
                    "selector": [
                        {"type": "TextPositionSelector", "start": start, "end": end},
                        {
                            "type": "TextQuoteSelector",
                            "exact": span["text"],
                            "prefix": span["prefix"],
                            "suffix": span["suffix"],
                        },
                    ],
                },
            }
        )
    return out


def collection(record: dict[str, Any], record_url: str, base: str, label: str) -> dict[str, Any]:
    """A record's evidence as an AnnotationCollection, its one page embedded."""
    items = annotations_of(record, record_url, base)
    collection_id = f"{record_url}/annotations"
    return {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Evidence for {label}",
        "total": len(items),
        "first": {"id": f"{collection_id}#page-1", "type": "AnnotationPage", "items": items},
    }


def page(items: list[dict[str, Any]], page_url: str, next_url: str | None) -> dict[str, Any]:
    """A page of a list's evidence as an AnnotationPage, linked to the next one."""
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "id": page_url,
        "type": "AnnotationPage",
        "items": items,
    }
    if next_url is not None:
        out["next"] = next_url
    return out


def label_of(record: dict[str, Any]) -> str:
    """How a record is named in its collection's label."""
    for field in ("name", "title", "text", "description"):
        if record.get(field):
            return str(record[field])
    return str(record.get("id") or record.get("code"))


# What OpenAPI says these documents are (JSON-LD: the names come from the context).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "W3C Web Annotation JSON-LD: an AnnotationCollection for one record, an "
    "AnnotationPage for a page of a list",
    "required": ["@context", "id", "type"],
    "properties": {
        "@context": {"type": "string", "const": CONTEXT},
        "id": {"type": "string"},
        "type": {"type": "string", "enum": ["AnnotationCollection", "AnnotationPage"]},
    },
    "additionalProperties": True,
}
