"""/v1/places: cities, bases, venues, regions and infrastructure, with public coordinates."""

from app.api.named import by_name_country_and_kind, named_resource, named_router
from app.models import PlaceKind
from app.records import KINDS

PLACES = named_resource("places", KINDS["place"])
router = named_router(
    PLACES,
    by_name_country_and_kind(PlaceKind, "Kind of place"),
    title="a place",
    list_doc="Places the articles name; lat/lon are public-knowledge enrichment, not evidence.",
    item_doc="One place with its kind, country, coordinates and evidence.",
)
