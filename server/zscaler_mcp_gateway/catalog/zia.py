"""ZIA catalog entries (SDK: client.zia.*). Ids are integers except URL category ids."""

from __future__ import annotations

from .builders import create_tool, delete_tool, get_tool, list_tool, optional, param, path_id, query, read_tool, update_tool
from .model import Param, Tool

SEARCH = query("search", "string", "Return only records whose name contains this text.")
PAGE_SIZE = query("page_size", "integer", "Records per upstream request; the tool still returns every page.", minimum=1, maximum=1000)
ORDER = param("order", "integer", "Evaluation order among the rules (1 = first).", minimum=1)
RANK = param("rank", "integer", "Admin rank of the rule (0-7, 7 = default).", minimum=0, maximum=7)
STATE = param("state", "string", "Whether the rule is enforced.", enum=("ENABLED", "DISABLED"))
ID_LIST = "array"


def _ids(name: str, what: str) -> Param:
    return param(name, ID_LIST, f"IDs of the {what} the rule applies to.", items="integer")


_LABEL_FIELDS = (
    param("name", "string", "Label name.", required=True),
    param("description", "string", "Free-text description."),
)
_LABEL_ID = path_id("label_id", "ZIA rule label", "integer")

_URL_RULE_FIELDS = (
    param("name", "string", "Rule name.", required=True),
    param("action", "string", "What happens to matching traffic.", required=True, enum=("ALLOW", "CAUTION", "BLOCK", "ISOLATE")),
    param("description", "string", "Free-text description."),
    ORDER,
    RANK,
    STATE,
    param("url_categories", "array", "URL category IDs the rule matches, e.g. ['GAMBLING'].", items="string"),
    param("protocols", "array", "Protocols the rule matches.", items="string", default=None),
    param("request_methods", "array", "HTTP methods the rule matches (all when omitted).", items="string"),
    _ids("labels", "rule labels"),
    _ids("locations", "locations"),
    _ids("groups", "groups"),
    _ids("departments", "departments"),
    _ids("users", "users"),
    param("block_override", "boolean", "Let users override a BLOCK with a password."),
    param("enforce_time_validity", "boolean", "Apply the rule only between validity start and end."),
)
_RULE_ID = path_id("rule_id", "ZIA URL filtering rule", "integer")

_CATEGORY_FIELDS = (
    param("configured_name", "string", "Name of the custom category.", required=True),
    param("super_category", "string", "Parent super-category, e.g. USER_DEFINED.", required=True),
    param("urls", "array", "URLs and domains in the category.", items="string"),
    param("keywords", "array", "Keywords that put a URL in the category.", items="string"),
    param("description", "string", "Free-text description."),
    param("db_categorized_urls", "array", "URLs retained in their predefined category too.", items="string"),
)
_CATEGORY_ID = path_id("category_id", "ZIA URL category")
_URLS = param("urls", "array", "URLs or domains to add or remove.", items="string", required=True)


TOOLS: list[Tool] = [
    # rule labels
    list_tool("zia_list_rule_labels", "zia_rule_labels", "List ZIA rule labels (every page).", "zia.rule_labels.list_labels", SEARCH, PAGE_SIZE),
    get_tool("zia_get_rule_label", "zia_rule_labels", "Get one ZIA rule label by ID.", "zia.rule_labels.get_label", _LABEL_ID),
    create_tool("zia_create_rule_label", "zia_rule_labels", "Create a ZIA rule label. Activate after.", "zia.rule_labels.add_label", *_LABEL_FIELDS),
    update_tool("zia_update_rule_label", "zia_rule_labels", "Update a ZIA rule label. Activate after.", "zia.rule_labels.update_label", _LABEL_ID, *optional(_LABEL_FIELDS)),
    delete_tool("zia_delete_rule_label", "zia_rule_labels", "Delete a ZIA rule label (destructive). Activate after.", "zia.rule_labels.delete_label", _LABEL_ID),
    # URL filtering rules
    list_tool("zia_list_url_filtering_rules", "zia_url_filtering", "List ZIA URL filtering rules in evaluation order.", "zia.url_filtering.list_rules", SEARCH),
    get_tool("zia_get_url_filtering_rule", "zia_url_filtering", "Get one ZIA URL filtering rule by ID.", "zia.url_filtering.get_rule", _RULE_ID),
    create_tool("zia_create_url_filtering_rule", "zia_url_filtering", "Create a ZIA URL filtering rule. Activate after.", "zia.url_filtering.add_rule", *_URL_RULE_FIELDS),
    update_tool("zia_update_url_filtering_rule", "zia_url_filtering", "Replace a ZIA URL filtering rule (full PUT: send every field to keep). Activate after.", "zia.url_filtering.update_rule", _RULE_ID, *_URL_RULE_FIELDS),
    delete_tool("zia_delete_url_filtering_rule", "zia_url_filtering", "Delete a ZIA URL filtering rule (destructive). Activate after.", "zia.url_filtering.delete_rule", _RULE_ID),
    # URL categories
    list_tool(
        "zia_list_url_categories", "zia_url_categories", "List ZIA URL categories; narrow with custom_only for large tenants.",
        "zia.url_categories.list_categories",
        query("custom_only", "boolean", "Only custom categories."),
        query("search", "string", "Return only categories whose name contains this text."),
        paginate=False,
    ),
    get_tool("zia_get_url_category", "zia_url_categories", "Get one ZIA URL category by ID, with its URLs.", "zia.url_categories.get_category", _CATEGORY_ID),
    get_tool(
        "zia_get_url_category_predefined", "zia_url_categories", "Get a predefined (Zscaler-curated) URL category by ID, e.g. NEWS_AND_MEDIA.",
        "zia.url_categories.get_category", path_id("category_id", "predefined ZIA URL category"),
    ),
    create_tool(
        "zia_create_url_category", "zia_url_categories", "Create a custom ZIA URL category. Activate after.",
        "zia.url_categories.add_url_category", *_CATEGORY_FIELDS,
    ),
    update_tool(
        "zia_update_url_category", "zia_url_categories", "Replace a custom ZIA URL category (full PUT). Activate after.",
        "zia.url_categories.update_url_category", _CATEGORY_ID, *optional(_CATEGORY_FIELDS),
    ),
    update_tool(
        "zia_update_url_category_predefined", "zia_url_categories", "Update a predefined URL category's added URLs and keywords (full PUT). Activate after.",
        "zia.url_categories.update_url_category", path_id("category_id", "predefined ZIA URL category"),
        param("configured_name", "string", "Display name of the predefined category.", required=True),
        param("urls", "array", "URLs added to the category.", items="string"),
        param("keywords", "array", "Keywords added to the category.", items="string"),
    ),
    update_tool("zia_add_urls_to_category", "zia_url_categories", "Add URLs to a ZIA URL category without replacing it. Activate after.", "zia.url_categories.add_urls_to_category", _CATEGORY_ID, _URLS, param("configured_name", "string", "Category name (the API requires it).", required=True)),
    update_tool("zia_remove_urls_from_category", "zia_url_categories", "Remove URLs from a ZIA URL category without replacing it. Activate after.", "zia.url_categories.delete_urls_from_category", _CATEGORY_ID, _URLS, param("configured_name", "string", "Category name (the API requires it).", required=True)),
    delete_tool("zia_delete_url_category", "zia_url_categories", "Delete a custom ZIA URL category (destructive). Activate after.", "zia.url_categories.delete_category", _CATEGORY_ID),
    read_tool(
        "zia_url_lookup", "zia_url_categories", "Which categories does a URL belong to? Up to 100 URLs per call.", "zia.url_categories.lookup",
        Param("urls", "array", "URLs or domains to classify.", required=True, items="string", location="path"),
    ),
]
