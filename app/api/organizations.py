"""/v1/organizations: governments, armed forces, blocs, media and other bodies."""

from app.api.named import by_name_country_and_kind, named_resource, named_router
from app.models import OrganizationKind
from app.records import KINDS

ORGANIZATIONS = named_resource("organizations", KINDS["organization"])
router = named_router(
    ORGANIZATIONS,
    by_name_country_and_kind(OrganizationKind, "Kind of organization"),
    title="an organization",
    list_doc="Organizations the articles name, filtered by country, kind or name.",
    item_doc="One organization with its kind, country and evidence.",
)
