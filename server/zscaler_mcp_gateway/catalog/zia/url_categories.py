"""ZIA URL categories, predefined and custom, and URL lookup. Category ids are strings
(NEWS_AND_MEDIA, CUSTOM_01)."""

from __future__ import annotations

from ..builders import (
    create_tool,
    delete_tool,
    get_tool,
    optional,
    param,
    query,
    update_tool,
    with_call,
)
from ..model import Action, Param, SdkCall, SdkResult, Tool
from ._common import DESCRIPTION, changed_only, ident, merged_update, strings

TOOLSET = "zia_url_categories"
SDK = "zia.url_categories"

_CATEGORY_FIELDS = (
    param("configured_name", "string", "Name of the custom category.", required=True),
    param("super_category", "string", "Parent super-category, e.g. USER_DEFINED.", required=True),
    strings("urls", "URLs and domains in the category."),
    strings("keywords", "Keywords that put a URL in the category."),
    strings("ip_ranges", "IP ranges (CIDR) in the category."),
    param("description", "string", "Free-text description."),
    strings("db_categorized_urls", "URLs retained in their predefined category too."),
)
_CATEGORY_ID = ident("category_id", "URL category", "string")
_PREDEFINED_ID = ident("category_id", "predefined URL category, e.g. NEWS_AND_MEDIA", "string")
_PREDEFINED_NAME = param(
    "name",
    "string",
    "Same as category_id (the official server's name for it; display names are not resolved here).",
    location="gateway",
    alias_of="category_id",
)
_URLS = strings("urls", "URLs or domains to add or remove.", required=True)
_CONFIGURED_NAME = param("configured_name", "string", "Category name (the API requires it).", required=True)

TOOLS: list[Tool] = [
    Tool(
        "zia_list_url_categories",
        "zia",
        TOOLSET,
        Action.READ,
        "List ZIA URL categories; narrow with custom_only or search for large tenants.",
        (
            query("custom_only", "boolean", "Only custom categories."),
            query("search", "string", "Return only categories whose name contains this text."),
            query("type", "string", "Only categories of this kind.", enum=("URL_CATEGORY", "TLD_CATEGORY", "ALL")),
        ),
        SdkCall(f"{SDK}.list_categories", result=SdkResult.RECORDS, name_filter="search"),
    ),
    get_tool(
        "zia_get_url_category",
        TOOLSET,
        "Get one ZIA URL category by ID, with its URLs.",
        f"{SDK}.get_category",
        _CATEGORY_ID,
    ),
    get_tool(
        "zia_get_url_category_predefined",
        TOOLSET,
        "Get a predefined (Zscaler-curated) URL category by ID, with the URLs and keywords added to it.",
        f"{SDK}.get_category",
        _PREDEFINED_ID,
        _PREDEFINED_NAME,
    ),
    create_tool(
        "zia_create_url_category",
        TOOLSET,
        "Create a custom ZIA URL category. Activate after.",
        f"{SDK}.add_url_category",
        *_CATEGORY_FIELDS,
    ),
    merged_update(
        "zia_update_url_category",
        TOOLSET,
        changed_only("custom URL category"),
        f"{SDK}.update_url_category",
        f"{SDK}.get_category",
        _CATEGORY_ID,
        *optional(_CATEGORY_FIELDS),
    ),
    merged_update(
        "zia_update_url_category_predefined",
        TOOLSET,
        "Update the URLs, keywords or IP ranges added to a predefined URL category; "
        "a given list replaces the old one. Activate after.",
        f"{SDK}.update_url_category",
        f"{SDK}.get_category",
        _PREDEFINED_ID,
        _PREDEFINED_NAME,
        param("configured_name", "string", "The category's display name (the API wants it in updates)."),
        DESCRIPTION,
        strings("urls", "URLs added to the category."),
        strings("keywords", "Keywords added to the category."),
        strings("ip_ranges", "IP ranges (CIDR) added to the category."),
    ),
    update_tool(
        "zia_add_urls_to_category",
        TOOLSET,
        "Add URLs to a ZIA URL category without replacing it. Activate after.",
        f"{SDK}.add_urls_to_category",
        _CATEGORY_ID,
        _URLS,
        _CONFIGURED_NAME,
    ),
    update_tool(
        "zia_remove_urls_from_category",
        TOOLSET,
        "Remove URLs from a ZIA URL category without replacing it. Activate after.",
        f"{SDK}.delete_urls_from_category",
        _CATEGORY_ID,
        _URLS,
        _CONFIGURED_NAME,
    ),
    with_call(  # read first, refuse a predefined category, as the official does
        delete_tool(
            "zia_delete_url_category",
            TOOLSET,
            "Delete a custom ZIA URL category (destructive); predefined categories are refused. Activate after.",
            f"{SDK}.delete_category",
            _CATEGORY_ID,
        ),
        flow="zia_url_category_delete",
    ),
    Tool(
        "zia_url_lookup",
        "zia",
        TOOLSET,
        Action.READ,
        "Which categories does a URL belong to? The default tool for that question.",
        (
            Param(
                "urls",
                "array",
                "URLs or domains to classify (sent 100 per request).",
                required=True,
                items="string",
                location="path",
            ),
        ),
        SdkCall(f"{SDK}.lookup", query_arg=None, result=SdkResult.PAIR),
    ),
]
