"""The policy file model: one schema shared by the file, the CR spec and the Helm values.

Pure: parsing and validation against the catalog, no file watching. Every error names the key
(and the value) that is wrong, so `check-config`, `/readyz` and the operator can show it as is.
`/readyz` is public: a message never quotes file content beyond a key or id that looks like one
(`shown`), and a file's errors are capped in number.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from .catalog.model import Catalog

KEYWORDS = ("default", "all")
TOOL_PATTERN = re.compile(r"^[A-Za-z0-9_*?\[\]!-]+$")  # fnmatch over tool names; the CRD schema reuses it
TOOLSET_PATTERN = r"^[a-z][a-z0-9_]*$"
# Bounds from real sizes, with room to grow: 10 services, 64 toolsets (ids up to 30 characters), tool names up
# to 42 characters. The CRD needs every list and string bounded so the API server can cost its CEL rules.
MAX_SERVICES = 16
SERVICE_MAX_LENGTH = 16
MAX_TOOLSETS = 128
TOOLSET_MAX_LENGTH = 64
MAX_PATTERNS = 256
PATTERN_MAX_LENGTH = 128

# The id and pattern forms are checked by `catalog_errors` (which names the value); the JSON Schema carries the
# form too, so that admission and `helm install` refuse the same.
ServiceId = Annotated[str, StringConstraints(min_length=1, max_length=SERVICE_MAX_LENGTH)]
ToolsetId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TOOLSET_MAX_LENGTH),
    Field(json_schema_extra={"pattern": TOOLSET_PATTERN}),
]
ToolPattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=PATTERN_MAX_LENGTH),
    Field(json_schema_extra={"pattern": TOOL_PATTERN.pattern}),
]
MAX_FILE_BYTES = 1024 * 1024  # a ConfigMap holds at most 1 MiB
MAX_NESTING = 16  # a policy nests 3 deep; deeper is not a policy (and would make a parser recurse)
MAX_ERRORS = 20  # a file of other content could otherwise yield one error per line
_SHOWABLE = re.compile(r"^[A-Za-z0-9_.*?\[\]!@-]{1,64}$")  # what a key, id or pattern looks like
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: a 200 KB file in ms
PATTERNS_HELP = (
    "fnmatch patterns over tool names (and their service-prefixed aliases): letters, digits, `_ - * ? [ ] !`."
)


class ConfigError(Exception):
    """An invalid policy; `errors` holds one message per problem (at most MAX_ERRORS), each naming the key."""

    def __init__(self, errors: list[str]) -> None:
        if len(errors) > MAX_ERRORS:
            errors = [*errors[: MAX_ERRORS - 1], f"... and {len(errors) - MAX_ERRORS + 1} more errors"]
        super().__init__("; ".join(errors))
        self.errors = errors


def shown(value: Any) -> str:
    """A value for an error message: quoted when it looks like a key, id or pattern, else only described.

    Anything else may be content of a file that was never meant as a policy (a secret, a line of
    another file), and messages reach `/readyz`, which is public, and the log.
    """
    if isinstance(value, str) and _SHOWABLE.match(value):
        return repr(value)
    if isinstance(value, str):
        return f"<a string of {len(value)} characters, not shown>"
    return f"<a {type(value).__name__}, not shown>"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


ConfirmableAction = Literal["create", "update", "delete"]  # the write actions `write.confirm` may name
CONFIRMABLE_ACTIONS: tuple[str, ...] = get_args(ConfirmableAction)
DEFAULT_CONFIRM: tuple[ConfirmableAction, ...] = ("delete",)


class WritePolicy(_Strict):
    """The write gate: a create, update or delete tool is served only when enabled and allowlisted."""

    enabled: StrictBool = Field(default=False, description="Master switch for write tools (default false).")
    allowlist: tuple[ToolPattern, ...] = Field(
        default=(),
        max_length=MAX_PATTERNS,
        description="Write tools to serve when enabled; mandatory (enabled with no pattern serves no write tool, "
        f"which the `ConfigValid` condition reports); {PATTERNS_HELP}",
    )
    confirm: tuple[Annotated[ConfirmableAction, Field(json_schema_extra={"maxLength": 6})], ...] = Field(
        default=DEFAULT_CONFIRM,
        max_length=len(CONFIRMABLE_ACTIONS),
        description="Write actions whose every call a person confirms through the MCP client (elicitation); "
        "default `[delete]`, `[]` for none. Live: a change needs no restart.",
    )
    confirm_tools: tuple[ToolPattern, ...] = Field(
        default=(),
        alias="confirmTools",
        max_length=MAX_PATTERNS,
        description=f"Tools whose every call a person confirms, whatever the action; {PATTERNS_HELP}",
    )

    @field_validator("confirm", "confirm_tools", mode="before")
    @classmethod
    def _no_bare_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("must be a list of strings, not a single string")
        return value


AUTO = "auto"
MAX_RATE_LIMIT = 10_000  # requests per second per service: far above any published Zscaler limit
MAX_CACHE_TTL_SECONDS = 3600
MAX_PER_PRINCIPAL_CONCURRENCY = 64


def _rate_limit(value: Any) -> int | str:
    if value == AUTO:
        return AUTO
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RATE_LIMIT:
        raise ValueError(f'must be "auto" or a whole number of requests per second from 1 to {MAX_RATE_LIMIT}')
    return value


RateLimit = Annotated[
    int | str,
    PlainValidator(_rate_limit),
    WithJsonSchema(
        {
            "anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_RATE_LIMIT}, {"type": "string", "enum": [AUTO]}],
            "maxLength": len(AUTO),
            "x-kubernetes-int-or-string": True,
        }
    ),
]


class UpstreamPolicy(_Strict):
    """Protection of the tenant's Zscaler API quota, shared by every agent of this gateway (live-reloadable)."""

    rate_limit: RateLimit = Field(
        default=AUTO,
        alias="rateLimit",
        description='Requests per second per Zscaler service, per gateway replica; `"auto"` follows the API\'s '
        "rate-limit headers, starting from Zscaler's published limits divided among the replicas.",
    )
    coalesce_reads: StrictBool = Field(
        default=True,
        alias="coalesceReads",
        description="Identical concurrent read calls (same tool, same arguments) share one upstream request.",
    )
    cache_ttl_seconds: Annotated[int, Field(ge=0, le=MAX_CACHE_TTL_SECONDS, strict=True)] = Field(
        default=0,
        alias="cacheTtlSeconds",
        description="Above 0: identical reads are answered from memory for this many seconds; a write through the "
        "gateway clears its service's entries.",
    )
    per_principal_concurrency: Annotated[int, Field(ge=1, le=MAX_PER_PRINCIPAL_CONCURRENCY, strict=True)] = Field(
        default=8,
        alias="perPrincipalConcurrency",
        description="Upstream calls one principal may have in flight at once; freed slots go round-robin to the "
        "principals waiting.",
    )


class PolicyConfig(_Strict):
    """The policy: which tools are served. The keys of the config file, the CR spec and the Helm values."""

    services: tuple[ServiceId, ...] = Field(
        default=(), max_length=MAX_SERVICES, description="Zscaler services to serve; empty means every service."
    )
    toolsets: tuple[ToolsetId, ...] = Field(
        default=(),
        max_length=MAX_TOOLSETS,
        description=f"Toolset ids to serve, or the keywords {', '.join(f'`{k}`' for k in KEYWORDS)}; empty means "
        "every toolset of the services. Unknown ids are reported in the `ConfigValid` condition.",
    )
    disabled_toolsets: tuple[ToolsetId, ...] = Field(
        default=(),
        alias="disabledToolsets",
        max_length=MAX_TOOLSETS,
        description="Toolset ids never to serve.",
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "self.all(t, !(t in [" + ", ".join(f'"{k}"' for k in KEYWORDS) + "]))",
                    "message": f"disabledToolsets takes toolset ids, not the keywords {', '.join(KEYWORDS)}",
                }
            ]
        },
    )
    disabled_tools: tuple[ToolPattern, ...] = Field(
        default=(),
        alias="disabledTools",
        max_length=MAX_PATTERNS,
        description=f"Tools never to serve, whatever else matches; {PATTERNS_HELP}",
    )
    enabled_tools: tuple[ToolPattern, ...] = Field(
        default=(),
        alias="enabledTools",
        max_length=MAX_PATTERNS,
        description=f"Optional positive allowlist: when set, only matching tools are served; {PATTERNS_HELP}",
    )
    write: WritePolicy = Field(default=WritePolicy(), description=WritePolicy.__doc__)
    upstream: UpstreamPolicy = Field(default=UpstreamPolicy(), description=UpstreamPolicy.__doc__)
    entitlement_filter: StrictBool = Field(
        default=True,
        alias="entitlementFilter",
        description="Serve only the services the credentials are entitled to (default true).",
    )

    @field_validator("services", "toolsets", "disabled_toolsets", "disabled_tools", "enabled_tools", mode="before")
    @classmethod
    def _no_bare_string(cls, value: Any) -> Any:
        # YAML `toolsets: zia_x` is a common slip; a string would otherwise iterate as characters.
        if isinstance(value, str):
            raise ValueError("must be a list of strings, not a single string")
        return value

    def to_document(self) -> dict[str, Any]:
        """The camelCase document form (what the file, the CR spec and the Helm values hold)."""
        return self.model_dump(by_alias=True, mode="json")


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) if isinstance(p, int) or _SHOWABLE.match(str(p)) else "<key not shown>" for p in loc)


# pydantic's words for a value of the wrong shape, in the words of the YAML a person wrote.
_SHAPES = {"tuple_type": "a list", "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping"}


def validation_messages(exc: ValidationError, prefix: str = "", meanings: Mapping[str, str] | None = None) -> list[str]:
    """One message per pydantic error, each naming the key (dotted, `prefix` first), never the value.

    `meanings` says in words what a pattern means, so a person reads that instead of a regular expression.
    """
    meanings = meanings or {}
    messages = []
    for err in exc.errors():
        key = prefix + _location(err["loc"]) if err["loc"] else prefix.rstrip(".") or "config"
        pattern = str((err.get("ctx") or {}).get("pattern"))
        if err["type"] == "extra_forbidden":
            messages.append(f"{key}: unknown key")
        elif err["type"] == "missing":
            messages.append(f"{key}: required")
        elif err["type"] in _SHAPES:
            messages.append(f"{key}: must be {_SHAPES[err['type']]}")
        elif err["type"] == "value_error":  # our own validators' words, without pydantic's "Value error, "
            messages.append(f"{key}: {err['ctx']['error']}")
        elif err["type"] == "string_pattern_mismatch" and isinstance(pattern, str) and pattern in meanings:
            messages.append(f"{key}: not {meanings[pattern]}")
        else:
            messages.append(f"{key}: {err['msg']}")
    return messages


def _pattern_errors(key: str, patterns: tuple[str, ...]) -> list[str]:
    errors = []
    for pattern in patterns:
        if not TOOL_PATTERN.match(pattern) or pattern.count("[") != pattern.count("]"):
            errors.append(
                f"{key}: invalid pattern {shown(pattern)} (fnmatch over tool names: letters, digits, _ - * ? [ ] !)"
            )
    return errors


def _strings(document: Mapping[str, Any], *path: str) -> tuple[str, ...]:
    """The list of strings at `path`, or () when absent or of the wrong shape (pydantic reports that)."""
    value: Any = document
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def catalog_errors(document: Mapping[str, Any], catalog: Catalog) -> list[str]:
    """What a policy document's shape cannot tell: unknown services and toolsets, unbalanced patterns."""
    errors: list[str] = []
    for service in _strings(document, "services"):
        if service not in catalog.services:
            errors.append(f"services: unknown service {shown(service)} (known: {', '.join(catalog.services)})")
    for key, allow_keywords in (("toolsets", True), ("disabledToolsets", False)):
        for toolset in _strings(document, key):
            if toolset not in catalog.toolsets and not (allow_keywords and toolset in KEYWORDS):
                errors.append(f"{key}: unknown toolset {shown(toolset)}")
    errors += _pattern_errors("disabledTools", _strings(document, "disabledTools"))
    errors += _pattern_errors("enabledTools", _strings(document, "enabledTools"))
    errors += _pattern_errors("write.allowlist", _strings(document, "write", "allowlist"))
    errors += _pattern_errors("write.confirmTools", _strings(document, "write", "confirmTools"))
    return errors


def validate_policy(document: Any, catalog: Catalog) -> PolicyConfig:
    """Parse and check a policy document; raises ConfigError listing every problem."""
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise ConfigError([f"config: must be a mapping of keys, got {type(document).__name__}"])
    errors: list[str] = []
    config: PolicyConfig | None = None
    try:
        config = PolicyConfig.model_validate(document)
    except ValidationError as exc:
        errors += validation_messages(exc)
    errors += catalog_errors(document, catalog)
    if errors or config is None:
        raise ConfigError(errors)
    return config


def policy_warnings(config: PolicyConfig, catalog: Catalog) -> list[str]:
    """Valid but probably unintended settings, for logs and check-config."""
    from .policy import matching_tools  # policy builds on this module

    warnings = []
    if config.write.enabled and not config.write.allowlist:
        warnings.append("write.enabled is true but write.allowlist is empty: no write tool is served")
    for key, patterns in (
        ("disabledTools", config.disabled_tools),
        ("enabledTools", config.enabled_tools),
        ("write.allowlist", config.write.allowlist),
        ("write.confirmTools", config.write.confirm_tools),
    ):
        for pattern in matching_tools(catalog, patterns)[1]:
            warnings.append(f"{key}: pattern {pattern!r} matches no tool")
    if len(warnings) > MAX_ERRORS:
        warnings = [*warnings[: MAX_ERRORS - 1], f"... and {len(warnings) - MAX_ERRORS + 1} more warnings"]
    return warnings


def _check_nesting(text: str, source: str) -> None:
    """Refuse a document nested deeper than MAX_NESTING before anything recursive reads it.

    The event stream is produced by a state machine with a stack of its own; the composer that
    builds nodes from it recurses once per level (50,000 `[` would exhaust the stack).
    """
    depth = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_NESTING:
                raise ConfigError([f"{source}: nested deeper than {MAX_NESTING} levels; a policy nests at most 3"])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _yaml_error(source: str, exc: Exception) -> ConfigError:
    """The parser's own description of a syntax error and where it is, never the text around it."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None)
    what = ascii(problem)[1:-1][:100] if isinstance(problem, str) else type(exc).__name__
    return ConfigError([f"{source}: malformed YAML{where}: {what}"])


def load_yaml_document(text: str, source: str) -> Any:
    """The YAML document in `text` (safe tags only, depth-capped); any failure is a ConfigError naming `source`."""
    try:
        _check_nesting(text, source)
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except ConfigError:
        raise
    except Exception as exc:  # YAMLError, and what a constructor raises (a timestamp out of range, ...)
        raise _yaml_error(source, exc) from None


def parse_policy_text(text: str, catalog: Catalog, source: str = "config") -> PolicyConfig:
    """A policy file's text to a policy; any problem (syntax, depth, shape, keys, ids) is a ConfigError."""
    document = load_yaml_document(text, source)
    if document is None or document == {}:
        # An empty file would otherwise mean "every toolset of every service": what a truncated or
        # half-written file looks like must never widen what is served.
        raise ConfigError(
            [f"{source}: the policy is empty (no keys, or only comments); write `toolsets: [all]` to serve everything"]
        )
    return validate_policy(document, catalog)


def decode_policy_bytes(data: bytes, source: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError([f"{source}: larger than {MAX_FILE_BYTES} bytes (1 MiB, the ConfigMap limit)"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError([f"{source}: not UTF-8 text (invalid byte at line {line}, column {column})"]) from None


def read_policy_bytes(path: str | os.PathLike[str]) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes of a regular file (never blocks on a FIFO, never reads a device dry)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read config file: {exc.strerror}"]) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError([f"{path}: cannot read config file: not a regular file"])
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read config file: {exc.strerror}"]) from None
    finally:
        os.close(fd)


def read_text_file(path: str | os.PathLike[str]) -> str:
    """A small UTF-8 file (a policy, a principals file): size-capped, never blocking, failures as ConfigError."""
    return decode_policy_bytes(read_policy_bytes(path), str(path))


def load_policy_file(path: str | os.PathLike[str], catalog: Catalog) -> PolicyConfig:
    """Read, decode and validate a policy file; every failure, whatever raised it, is a ConfigError."""
    source = str(path)
    try:
        return parse_policy_text(read_text_file(path), catalog, source)
    except ConfigError:
        raise
    except Exception as exc:  # a bug or an exhausted resource: still a failed load, never a dead caller
        raise ConfigError([f"{source}: cannot load config ({type(exc).__name__})"]) from None


def _csv(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def policy_from_env(environ: Mapping[str, str], catalog: Catalog) -> PolicyConfig:
    """The official server's env vars, for use without a config file."""
    truthy = {"1", "true", "yes", "on"}
    document: dict[str, Any] = {
        "services": _csv(environ.get("ZSCALER_MCP_SERVICES")),
        "toolsets": _csv(environ.get("ZSCALER_MCP_TOOLSETS")),
        "disabledToolsets": _csv(environ.get("ZSCALER_MCP_DISABLED_TOOLSETS")),
        "disabledTools": _csv(environ.get("ZSCALER_MCP_DISABLED_TOOLS")),
        "write": {
            "enabled": environ.get("ZSCALER_MCP_WRITE_ENABLED", "").strip().lower() in truthy,
            "allowlist": _csv(environ.get("ZSCALER_MCP_WRITE_TOOLS")),
        },
        "entitlementFilter": environ.get("ZSCALER_MCP_DISABLE_ENTITLEMENT_FILTER", "").strip().lower() not in truthy,
    }
    try:
        return validate_policy(document, catalog)
    except ConfigError as exc:
        env_names = {
            "services": "ZSCALER_MCP_SERVICES",
            "toolsets": "ZSCALER_MCP_TOOLSETS",
            "disabledToolsets": "ZSCALER_MCP_DISABLED_TOOLSETS",
            "disabledTools": "ZSCALER_MCP_DISABLED_TOOLS",
            "write.allowlist": "ZSCALER_MCP_WRITE_TOOLS",
        }
        raise ConfigError([_rename_key(e, env_names) for e in exc.errors]) from None


def _rename_key(message: str, names: Mapping[str, str]) -> str:
    key, _, rest = message.partition(":")
    return f"{names.get(key, key)}:{rest}"
