"""ZIA simulator (/zia/api/v1): plain arrays, integer ids, seeded data; one module per area.

Each area module's `build()` gives its collections and extra routes; the service is their union.
"""

from __future__ import annotations

from ..store import ServiceApi
from . import directory, objects, rules, settings, traffic, url_categories
from ._kit import replace_route

AREAS = (rules, objects, url_categories, traffic, directory, settings)


def build() -> ServiceApi:
    """Area routes first, then whole-object PUT for every plain collection (ZIA replaces on PUT)."""
    apis = [area.build() for area in AREAS]
    collections = [c for api in apis for c in api.collections]
    return ServiceApi(
        collections=collections,
        routes=[*(route for api in apis for route in api.routes), *(replace_route(c) for c in collections if c.crud)],
    )
