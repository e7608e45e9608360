"""The Cloudzy Developer API client: ``httpx`` + ``pydantic``, no Textual, no Rich, no simulator.

Quick tour::

    async with CloudzyClient(base_url="https://api.cloudzy.com/developers", token=token) as client:
        async for page in client.instances.pages(InstanceFilters(status="active")):
            ...
        try:
            await client.instances.power_off(instance_id)
        except CloudzyError as exc:
            toast(exc.message)

Modules: ``_transport`` (envelope, errors, retries, events), ``errors``, ``models`` (shared bits), and one
module per resource family (``instances``, ``catalog``, ``ssh_keys``, ``floating_ips``, ``media``,
``snapshots``, ``backups``) holding its models, request bodies and resource class; ``client`` ties them up.
"""

# First: keeps httpx from importing Rich (see the module).
from cloudzy_tui.api import _lazy_httpx_cli  # noqa: F401  # isort: skip
from cloudzy_tui.api._transport import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    USER_AGENT,
    Envelope,
    RequestEvent,
    backoff_delay,
    parse_retry_after,
    path_id,
)
from cloudzy_tui.api._walks import DEFAULT_PARTITIONS, WalkStats
from cloudzy_tui.api.backups import BackupProfile, BackupProfileRequest, Backups
from cloudzy_tui.api.budget import RequestBudget
from cloudzy_tui.api.catalog import (
    Application,
    Applications,
    OperatingSystem,
    OperatingSystems,
    Plan,
    PlanSpecification,
    PriceItem,
    Product,
    Products,
    Region,
    RegionConfig,
    Regions,
)
from cloudzy_tui.api.client import CloudzyClient
from cloudzy_tui.api.errors import (
    ApiError,
    AuthError,
    CloudzyError,
    FieldError,
    LowBalanceError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    ReadOnlyError,
    RedirectRefusedError,
    RequestTimeoutError,
    ServerError,
    ValidationError,
    field_errors_from_pydantic,
)
from cloudzy_tui.api.floating_ips import (
    FloatingIp,
    FloatingIpAllocateRequest,
    FloatingIpFilters,
    FloatingIps,
    FloatingIpUpdate,
)
from cloudzy_tui.api.instances import (
    AddTrafficRequest,
    ChangeOsRequest,
    CreateInstanceRequest,
    ExtraResource,
    ExtraResourceRequest,
    Instance,
    InstanceFilters,
    Instances,
    ResizeRequest,
    validate_hostname,
)
from cloudzy_tui.api.media import (
    Image,
    ImageDownloadRequest,
    Images,
    Iso,
    IsoDownloadRequest,
    Isos,
    validate_download_url,
)
from cloudzy_tui.api.models import (
    BACKUP_STATUSES,
    BILLING_CYCLES,
    INSTANCE_CLASSES,
    INSTANCE_FEATURES,
    INSTANCE_STATUSES,
    MEDIA_STATUSES,
    PLAN_TYPES,
    SCHEDULE_FREQUENCIES,
    SNAPSHOT_STATUSES,
    TERMINAL_MEDIA_STATUSES,
    TERMINAL_SNAPSHOT_STATUSES,
    TRANSITIONAL_INSTANCE_STATUSES,
    WEEKDAYS,
    ActionResult,
    CloudzyModel,
    Page,
    RequestModel,
    epoch_to_datetime,
    iso_to_datetime,
)
from cloudzy_tui.api.snapshots import (
    Snapshot,
    SnapshotFilters,
    SnapshotMetadata,
    Snapshots,
    TakeSnapshotRequest,
)
from cloudzy_tui.api.ssh_keys import SSH_KEY_TYPES, SshKey, SshKeyCreate, SshKeys, normalize_public_key

#: ``ValidationError`` under a name that cannot be confused with ``pydantic.ValidationError``
ApiValidationError = ValidationError

__all__ = [
    "BACKUP_STATUSES",
    "BILLING_CYCLES",
    "DEFAULT_BASE_URL",
    "DEFAULT_PARTITIONS",
    "DEFAULT_TIMEOUT",
    "INSTANCE_CLASSES",
    "INSTANCE_FEATURES",
    "INSTANCE_STATUSES",
    "MEDIA_STATUSES",
    "PLAN_TYPES",
    "SCHEDULE_FREQUENCIES",
    "SNAPSHOT_STATUSES",
    "SSH_KEY_TYPES",
    "TERMINAL_MEDIA_STATUSES",
    "TERMINAL_SNAPSHOT_STATUSES",
    "TRANSITIONAL_INSTANCE_STATUSES",
    "USER_AGENT",
    "WEEKDAYS",
    "ActionResult",
    "AddTrafficRequest",
    "ApiError",
    "ApiValidationError",
    "Application",
    "Applications",
    "AuthError",
    "BackupProfile",
    "BackupProfileRequest",
    "Backups",
    "ChangeOsRequest",
    "CloudzyClient",
    "CloudzyError",
    "CloudzyModel",
    "CreateInstanceRequest",
    "Envelope",
    "ExtraResource",
    "ExtraResourceRequest",
    "FieldError",
    "FloatingIp",
    "FloatingIpAllocateRequest",
    "FloatingIpFilters",
    "FloatingIpUpdate",
    "FloatingIps",
    "Image",
    "ImageDownloadRequest",
    "Images",
    "Instance",
    "InstanceFilters",
    "Instances",
    "Iso",
    "IsoDownloadRequest",
    "Isos",
    "LowBalanceError",
    "MalformedResponseError",
    "NetworkError",
    "NotFoundError",
    "OperatingSystem",
    "OperatingSystems",
    "OutcomeUnknownError",
    "Page",
    "Plan",
    "PlanSpecification",
    "PriceItem",
    "Product",
    "Products",
    "RateLimitedError",
    "ReadOnlyError",
    "RedirectRefusedError",
    "Region",
    "RegionConfig",
    "Regions",
    "RequestBudget",
    "RequestEvent",
    "RequestModel",
    "RequestTimeoutError",
    "ResizeRequest",
    "ServerError",
    "Snapshot",
    "SnapshotFilters",
    "SnapshotMetadata",
    "Snapshots",
    "SshKey",
    "SshKeyCreate",
    "SshKeys",
    "TakeSnapshotRequest",
    "ValidationError",
    "WalkStats",
    "backoff_delay",
    "epoch_to_datetime",
    "field_errors_from_pydantic",
    "iso_to_datetime",
    "normalize_public_key",
    "parse_retry_after",
    "path_id",
    "validate_download_url",
    "validate_hostname",
]
