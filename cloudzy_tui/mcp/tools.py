"""The MCP tools, derived from the operations layer: one list and one describe per resource, one tool per
operation, and the job tools. Plain data (no MCP SDK here): the server turns each :class:`ToolSpec` into an MCP
``Tool`` and dispatches calls by ``kind``.

Every schema comes from a typed definition: a list tool's from the resource's :class:`~cloudzy_tui.ops.Filter`\\ s
(as a pydantic model, which also validates the call), an operation's from its ``params`` model (JSON names, the
API's), plus ``target`` (id or exact name) when it acts on an existing object and ``confirm`` when it must be
confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from cloudzy_tui.ops import OPERATIONS, RESOURCES, Operation, Resource

ToolKind = Literal["list", "describe", "operation", "list_jobs", "job_status", "wait_for_job"]

#: Arguments the MCP face adds to an operation's parameters; no parameter model may use these names.
RESERVED = ("target", "confirm")
#: The longest a wait_for_job call may block (MCP clients time requests out; poll again to wait longer).
MAX_WAIT_SECONDS = 600.0
DEFAULT_WAIT_SECONDS = 60.0
#: The most objects one list call returns (the API pages; this bounds what an agent receives at once).
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

#: What a person may use to name one object of a resource, for the ``target`` argument's description.
_NAMED_BY: dict[str, str] = {
    "instances": "its id or exact hostname",
    "backups": "the instance's id or exact hostname",
    "floating-ips": "its id or exact IP address",
    "products": "its id (REGION/PRODUCT, or the product id)",
    "regions": "its id, exact name or abbreviation",
}

#: What ``confirm`` must be for an operation on one object of a resource (the object's label, see ``ops``).
_CONFIRM_WITH: dict[str, str] = {
    "instances": "the instance's exact hostname",
    "backups": "the instance's exact hostname",
    "floating-ips": "the exact IP address",
}


@dataclass(frozen=True)
class ToolSpec:
    """One MCP tool: its name, description and input schema, and what it runs."""

    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    kind: ToolKind
    mutating: bool = False
    destructive: bool = False
    resource: Resource[Any] | None = None
    operation: Operation[Any] | None = None
    arguments: type[BaseModel] | None = field(default=None, repr=False)


def resource_slug(resource: Resource[Any]) -> str:
    """``floating-ips`` → ``floating_ips`` (tool names use underscores)."""
    return resource.name.replace("-", "_")


def singular_slug(resource: Resource[Any]) -> str:
    """``instances`` → ``instance``, ``floating-ips`` → ``floating_ip``, ``os`` → ``os``."""
    slug = resource_slug(resource)
    return slug[:-1] if slug.endswith("s") and slug != "os" else slug


def named_by(resource: Resource[Any]) -> str:
    return _NAMED_BY.get(resource.name, "its id or exact name")


# ------------------------------------------------------------------------------------------------ lists


def list_arguments(resource: Resource[Any]) -> type[BaseModel]:
    """A pydantic model of a list tool's arguments: the resource's server-side filters and ``limit``."""
    fields: dict[str, Any] = {}
    for f in resource.filters:
        annotation: Any
        if f.kind == "bool":
            annotation = bool | None
        elif f.kind == "choice" and f.choices:
            annotation = Literal[tuple(value for value, _ in f.choices)] | None
        else:
            annotation = str | None
        hint = f" (e.g. {f.placeholder})" if f.placeholder else ""
        fields[f.name] = (annotation, Field(None, description=f"{f.label}{hint}"))
    fields["limit"] = (
        int,
        Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"at most this many objects (1-{MAX_LIMIT})"),
    )
    model: type[BaseModel] = create_model(
        f"List{resource_slug(resource).title().replace('_', '')}Arguments",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )
    return model


def _list_tool(resource: Resource[Any]) -> ToolSpec:
    model = list_arguments(resource)
    filters = ", ".join(f.name for f in resource.filters)
    description = (
        f"List {resource.title.lower()} (read-only). Returns {{items: [...], count, truncated}}; each item is the "
        f"API's object with its JSON field names." + (f" Server-side filters: {filters}." if filters else "")
    )
    return ToolSpec(
        name=f"list_{resource_slug(resource)}",
        title=f"List {resource.title.lower()}",
        description=description,
        input_schema=_root_schema(model.model_json_schema()),
        kind="list",
        resource=resource,
        arguments=model,
    )


def describe_arguments(resource: Resource[Any]) -> type[BaseModel]:
    """A pydantic model of a describe tool's arguments: the object, by id or exact name."""
    model: type[BaseModel] = create_model(
        f"Describe{singular_slug(resource).title().replace('_', '')}Arguments",
        __config__=ConfigDict(extra="forbid", str_strip_whitespace=True),
        target=(str, Field(min_length=1, description=f"the {_noun(resource)}: {named_by(resource)}")),
    )
    return model


def _noun(resource: Resource[Any]) -> str:
    """``Instance`` → ``instance``, ``SSH key`` → ``SSH key``, ``ISO`` → ``ISO``."""
    first, _, rest = resource.singular.partition(" ")
    word = first if first.isupper() else first.lower()
    return f"{word} {rest}" if rest else word


def _describe_tool(resource: Resource[Any]) -> ToolSpec:
    model = describe_arguments(resource)
    noun = _noun(resource)
    return ToolSpec(
        name=f"describe_{singular_slug(resource)}",
        title=f"Describe {noun}",
        description=f"One {noun} by {named_by(resource)} (read-only): the API's object with its JSON field names.",
        input_schema=_root_schema(model.model_json_schema()),
        kind="describe",
        resource=resource,
        arguments=model,
    )


# ------------------------------------------------------------------------------------------------ operations


def needs_confirm(op: Operation[Any]) -> bool:
    """Whether the tool takes a ``confirm`` argument: the operation must be confirmed, or may have to be (a
    disruptive operation on the host the server runs on must have the hostname typed, whatever its level)."""
    return op.mutating and (op.danger != "none" or op.disruptive)


def confirm_subject(op: Operation[Any]) -> str:
    """What ``confirm`` must be, in words (the session's confirmation says exactly which value)."""
    if not op.needs_target:
        return 'the word "yes"'
    if op.name == "snapshot-restore":
        return "the exact hostname of the instance it is restored onto (or the snapshot's name if it has none)"
    return _CONFIRM_WITH.get(op.resource, "the target's exact name (its id if it has no name)")


def _confirm_text(op: Operation[Any]) -> str:
    what = confirm_subject(op)
    if not op.needs_target:
        return f"confirm: required, {what}."
    if op.danger == "none":
        return f"confirm: {what}, only when the server says so (the instance it runs on)."
    return f"confirm: required, {what}; a call without it is refused with the exact value to pass."


def _operation_tool(op: Operation[Any]) -> ToolSpec:
    properties: dict[str, Any] = {}
    required: list[str] = []
    defs: dict[str, Any] = {}
    if op.needs_target:
        resource = _resource(op.resource)
        properties["target"] = {
            "type": "string",
            "minLength": 1,
            "description": f"the {_noun(resource)} to act on: {named_by(resource)}",
        }
        required.append("target")
    model_description = ""
    if op.params is not None:
        schema = op.params.model_json_schema(by_alias=True)
        params = schema.get("properties", {})
        clash = set(params) & set(RESERVED)
        if clash:  # a definition error, caught by the tests
            raise ValueError(f"operation {op.name}: parameter(s) {sorted(clash)} clash with the MCP arguments")
        properties.update(params)
        required.extend(schema.get("required", []))
        defs = schema.get("$defs", {})
        model_description = (schema.get("description") or "").strip()
    if needs_confirm(op):
        properties["confirm"] = {"type": "string", "description": _confirm_text(op)}
    schema_out: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if defs:
        schema_out["$defs"] = defs
    lines = [f"{op.summary} ({op.title}; {'changes' if op.mutating else 'reads'} {op.resource})."]
    if model_description:
        lines.append(f"Parameters: {' '.join(model_description.replace('``', '`').split())}")
    if op.mutating:
        lines.append(
            "Refused unless the server runs with --allow-writes (and the profile is not read-only)"
            + ("; refused on a protected instance or anything attached to one." if op.instance_of else ".")
        )
    if needs_confirm(op):
        lines.append(_confirm_text(op))
    if op.starts_job:
        lines.append("Returns the job(s) it started: follow them with wait_for_job or job_status.")
    lines.append("Returns {message, data, jobs}.")
    return ToolSpec(
        name=op.tool_name,
        title=op.title,
        description="\n".join(lines),
        input_schema=schema_out,
        kind="operation",
        mutating=op.mutating,
        destructive=op.danger != "none",
        operation=op,
    )


def _resource(name: str) -> Resource[Any]:
    for resource in RESOURCES:
        if resource.name == name:
            return resource
    raise KeyError(name)


# ------------------------------------------------------------------------------------------------ jobs


_JOB_ID = Field(ge=1, description="a job id from an operation's result (jobs[].id)")


class NoArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: int = _JOB_ID


class WaitArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: int = _JOB_ID
    timeout_seconds: float = Field(
        DEFAULT_WAIT_SECONDS,
        gt=0,
        le=MAX_WAIT_SECONDS,
        allow_inf_nan=False,
        description=f"how long to wait at most, in seconds (default {DEFAULT_WAIT_SECONDS:g}, "
        f"at most {MAX_WAIT_SECONDS:g})",
    )


def _job_tools() -> list[ToolSpec]:
    return [
        ToolSpec(
            name="list_jobs",
            title="List jobs",
            description="The jobs this server follows (started by operations in this session), newest first, "
            "with their state: running, succeeded, failed or timed_out.",
            input_schema=_root_schema(NoArguments.model_json_schema()),
            kind="list_jobs",
            arguments=NoArguments,
        ),
        ToolSpec(
            name="job_status",
            title="Job status",
            description="A job's state now (running, succeeded, failed, timed_out), the last status seen and the "
            "object as last seen.",
            input_schema=_root_schema(JobArguments.model_json_schema()),
            kind="job_status",
            arguments=JobArguments,
        ),
        ToolSpec(
            name="wait_for_job",
            title="Wait for a job",
            description=(
                "Wait until a job ends (succeeded, failed or timed_out) or timeout_seconds pass, then return it; "
                "'done' says whether it ended. Call it again to keep waiting."
            ),
            input_schema=_root_schema(WaitArguments.model_json_schema()),
            kind="wait_for_job",
            arguments=WaitArguments,
        ),
    ]


# ------------------------------------------------------------------------------------------------ all


def _root_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema as a tool's input schema: an object, without the model's own title."""
    out = {k: v for k, v in schema.items() if k not in ("title", "description")}
    out.setdefault("type", "object")
    out.setdefault("properties", {})
    return out


def build_tools(
    resources: Sequence[Resource[Any]] = tuple(RESOURCES), operations: Sequence[Operation[Any]] = tuple(OPERATIONS)
) -> list[ToolSpec]:
    """Every tool, in a stable order: lists and describes (resource order), operations, jobs."""
    tools: list[ToolSpec] = []
    for resource in resources:
        tools.append(_list_tool(resource))
        tools.append(_describe_tool(resource))
    tools.extend(_operation_tool(op) for op in operations)
    tools.extend(_job_tools())
    names = [t.name for t in tools]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"two MCP tools share a name: {', '.join(duplicates)}")
    return tools
