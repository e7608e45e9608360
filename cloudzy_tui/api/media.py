"""Custom ISOs and images: models, download requests, ``client.isos`` and ``client.images``."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Generic, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from cloudzy_tui.api._base import (
    Resource,
    action_result,
    collect,
    parse_one,
    parse_optional,
)
from cloudzy_tui.api._transport import path_id
from cloudzy_tui.api._walks import parallel_numbered_pages
from cloudzy_tui.api.models import (
    TERMINAL_MEDIA_STATUSES,
    ActionResult,
    CloudzyModel,
    Page,
    RequestModel,
    epoch_to_datetime,
)

__all__ = [
    "Image",
    "ImageDownloadRequest",
    "Images",
    "Iso",
    "IsoDownloadRequest",
    "Isos",
    "validate_download_url",
]


class _Media(CloudzyModel):
    id: str
    name: str | None = None
    url: str | None = None
    #: DOWNLOADING, READY, FAILED, DELETED (open)
    status: str | None = None
    region_id: str | None = None
    #: epoch seconds or milliseconds
    created_at: int | float | None = None
    #: download progress when the server reports it (percent)
    progress: int | float | None = None

    @property
    def created_at_dt(self) -> datetime | None:
        return epoch_to_datetime(self.created_at)

    @property
    def is_settled(self) -> bool:
        """True once the status no longer changes by itself (READY, FAILED, DELETED)."""
        return (self.status or "").upper() in TERMINAL_MEDIA_STATUSES

    @property
    def label(self) -> str:
        return self.name or self.id


class Iso(_Media):
    """A custom ISO."""

    use_virtio: bool | None = None


class Image(_Media):
    """A custom disk image."""

    format: str | None = None
    decompress: str | None = None


def validate_download_url(value: str) -> str:
    """An ``http``/``https`` URL naming a host, without spaces."""
    text = value.strip()
    if not text:
        raise ValueError("give the URL to download from")
    if len(text) > 2048:
        raise ValueError("the URL is longer than 2048 characters")
    if any(ch.isspace() for ch in text):
        raise ValueError("the URL must not contain spaces")
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise ValueError("this is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("the URL must start with http:// or https://")
    if not host:
        raise ValueError("the URL must name a host (https://host/path)")
    return text


DownloadUrl = Annotated[str, AfterValidator(validate_download_url)]


class IsoDownloadRequest(RequestModel):
    """``POST /v1/iso``: fetch an ISO from ``url`` into ``region_id``."""

    name: str = Field(min_length=1, max_length=255)
    url: DownloadUrl
    region_id: str = Field(min_length=1)
    use_virtio: bool | None = None


class ImageDownloadRequest(RequestModel):
    """``POST /v1/images``: fetch a disk image from ``url`` into ``region_id``; ``format`` (e.g. ``qcow2``)
    and ``decompress`` (e.g. ``gzip``) are passed through as given."""

    name: str = Field(min_length=1, max_length=255)
    url: DownloadUrl
    region_id: str = Field(min_length=1)
    format: str | None = None
    decompress: str | None = None


MediaT = TypeVar("MediaT", Iso, Image)
RequestT = TypeVar("RequestT", IsoDownloadRequest, ImageDownloadRequest)


class _MediaResource(Resource, Generic[MediaT, RequestT]):
    """What ISOs and images share: the paged list, get, delete and the download (one body for both)."""

    _path: str
    _key: str
    _what: str
    _model: type[MediaT]
    _request: type[RequestT]

    async def pages(self, status: str | None = None, *, page_size: int = 100) -> AsyncIterator[Page[MediaT]]:
        async for page in parallel_numbered_pages(
            self._t,
            self._path,
            {"status": status},
            self._model,
            key=self._key,
            what=self._what,
            page_size=max(1, min(100, int(page_size))),
        ):
            yield page

    async def list_all(self, status: str | None = None) -> builtins.list[MediaT]:
        return await collect(self.pages(status))

    async def get(self, media_id: str) -> MediaT:
        path = f"{self._path}/{path_id(media_id)}"
        env = await self._t.request("GET", path)
        return parse_one(self._model, env.data, what=f"an {self._what}", path=path)

    async def delete(self, media_id: str) -> ActionResult:
        return action_result(await self._t.request("DELETE", f"{self._path}/{path_id(media_id)}"))

    async def download(self, req: RequestT) -> MediaT | None:
        """Start the download; the new ISO or image (status ``DOWNLOADING``) if the API returns it."""
        if not isinstance(req, self._request):
            raise TypeError(f"expected an {self._request.__name__}, got {type(req).__name__}")
        env = await self._t.request("POST", self._path, json=req.to_wire())
        return parse_optional(self._model, env.data, what=self._what)


class Isos(_MediaResource[Iso, IsoDownloadRequest]):
    """``client.isos``: ``GET/POST /v1/iso``, ``GET/DELETE /v1/iso/{id}``."""

    _path = "/v1/iso"
    _key = "isos"
    _what = "ISO"
    _model = Iso
    _request = IsoDownloadRequest


class Images(_MediaResource[Image, ImageDownloadRequest]):
    """``client.images``: ``GET/POST /v1/images``, ``GET/DELETE /v1/images/{id}``."""

    _path = "/v1/images"
    _key = "images"
    _what = "image"
    _model = Image
    _request = ImageDownloadRequest
