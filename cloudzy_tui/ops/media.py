"""Custom ISOs and images: one builder for both resources (paged, status filter) and their download and delete."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api import MEDIA_STATUSES, Image, ImageDownloadRequest, Iso, IsoDownloadRequest
from cloudzy_tui.core.jobs import Expectation
from cloudzy_tui.ops.model import JobRef, Operation, Outcome
from cloudzy_tui.ops.resources import Field, Filter, Resource
from cloudzy_tui.text import clean
from cloudzy_tui.units import percent, timestamp

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context

Media = Iso | Image


def noun(kind: str) -> str:
    return "ISO" if kind == "iso" else "image"


def media_label(m: Media) -> str:
    return m.name or str(m.id)


def _client(session: Context, kind: str) -> Any:
    return session.client.isos if kind == "iso" else session.client.images


def media_resource(kind: str) -> Resource[Any]:
    is_iso = kind == "iso"

    async def pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[Any]]:
        status = filters.get("status") or None
        async for page in session.walk(
            lambda client: (client.isos if is_iso else client.images).pages(status=status, page_size=100)
        ):
            yield page

    async def fetch(session: Context, media_id: str) -> Any:
        return await _client(session, kind).get(media_id)

    fields: list[Field[Any]] = [
        Field("id", "ID", lambda m: m.id),
        Field("name", "NAME", lambda m: m.name),
        Field("status", "STATUS", lambda m: m.status),
        Field("progress", "PROGRESS", lambda m: percent(getattr(m, "progress", None))),
        Field("region", "REGION", lambda m: m.region_id),
        Field("created", "CREATED", lambda m: timestamp(m.created_at)),
    ]
    if not is_iso:
        fields.append(Field("format", "FORMAT", lambda m: m.format))
    fields.append(Field("url", "URL", lambda m: m.url))
    return Resource(
        name="isos" if is_iso else "images",
        title="Custom ISOs" if is_iso else "Custom images",
        singular="ISO" if is_iso else "Image",
        aliases=("iso",) if is_iso else ("image", "img"),
        key_of=lambda m: str(m.id),
        label=media_label,
        pages=pages,
        fetch=fetch,
        names_of=lambda m: [m.name] if m.name else [],
        fields=fields,
        filters=[Filter("status", "Status", kind="choice", choices=[(x, x) for x in MEDIA_STATUSES])],
        job_kind=kind,
    )


ISOS = media_resource("iso")
IMAGES = media_resource("image")


def _download(kind: str) -> Any:
    async def run(session: Context, target: None, params: IsoDownloadRequest | ImageDownloadRequest) -> Outcome:
        created = await _client(session, kind).download(params)
        resource = "isos" if kind == "iso" else "images"
        if created is None:
            return Outcome(
                message=f"{noun(kind).capitalize()} download of {clean(params.name, max_length=60)} requested; it "
                "appears when the list refreshes",
                data=params.to_wire(),
                reload=[resource],
            )
        return Outcome(
            message=f"Downloading {clean(media_label(created), max_length=60)} "
            f"({clean(created.status) or 'requested'})",
            data=created.model_dump(mode="json", by_alias=True),
            changed=[(resource, created)],
            jobs=[
                JobRef(
                    kind,
                    str(created.id),
                    f"{noun(kind)} {media_label(created)}",
                    "download",
                    Expectation.media_downloaded(),
                )
            ],
        )

    return run


def _already_deleted(m: Any) -> str | None:
    return "it is already deleted" if (m.status or "").upper() == "DELETED" else None


def _describe_delete(kind: str) -> Any:
    def text(m: Any, params: Any) -> str:
        stopped = " Its download is stopped." if (m.status or "").upper() == "DOWNLOADING" else ""
        return (
            f"Delete the {noun(kind)} {clean(media_label(m), max_length=60)}?{stopped}\n"
            "Instances can no longer be created from it. This cannot be undone."
        )

    return text


def _delete(kind: str) -> Any:
    async def run(session: Context, m: Any, params: None) -> Outcome:
        result = await _client(session, kind).delete(str(m.id))
        resource = "isos" if kind == "iso" else "images"
        return Outcome(
            message=f"{noun(kind).capitalize()} {clean(media_label(m), max_length=60)} deleted",
            data={"id": str(m.id), "detail": result.detail},
            removed=[(resource, str(m.id))],
        )

    return run


def _operations(kind: str) -> list[Operation[Any]]:
    resource = "isos" if kind == "iso" else "images"
    request = IsoDownloadRequest if kind == "iso" else ImageDownloadRequest
    return [
        Operation(
            f"{kind}-download",
            resource,
            f"Download {noun(kind)}",
            f"Download a custom {noun(kind)} from a URL",
            _download(kind),
            params=request,
            needs_target=False,
            starts_job=True,
        ),
        Operation(
            f"{kind}-delete",
            resource,
            f"Delete {noun(kind)}",
            f"Delete the {noun(kind)}",
            _delete(kind),
            danger="confirm",
            unavailable=_already_deleted,
            describe=_describe_delete(kind),
            destroys=True,
        ),
    ]


ISO_OPERATIONS = _operations("iso")
IMAGE_OPERATIONS = _operations("image")
ISO_DOWNLOAD, ISO_DELETE = ISO_OPERATIONS
IMAGE_DOWNLOAD, IMAGE_DELETE = IMAGE_OPERATIONS
