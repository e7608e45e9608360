"""Custom ISOs and images: one spec builder for both (list with status filter, detail), download from a URL
(``n``; a job follows it to READY or FAILED) and delete (``D``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import MEDIA_STATUSES, Image, ImageDownloadRequest, Iso, IsoDownloadRequest
from cloudzy_tui.core.jobs import Expectation
from cloudzy_tui.ui.format import percent, timestamp, yes_no
from cloudzy_tui.ui.resources.base import Action, ActionCall, Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.resources.common import pages_of, status_text, when
from cloudzy_tui.ui.resources.snapshots import region_choices
from cloudzy_tui.ui.text import clean, safe_text

if TYPE_CHECKING:
    from cloudzy_tui.ui.app import CloudzyApp


def media_detail(m: Iso | Image, view: View) -> list[Section]:
    rows: list[tuple[str, Any]] = [
        ("name", m.name),
        ("id", m.id),
        ("status", status_text(m.status)),
        ("progress", percent(getattr(m, "progress", None)) or None),
        ("region", view.catalog.region_name(m.region_id)),
        ("URL", m.url),
        ("created", timestamp(m.created_at) or None),
    ]
    if isinstance(m, Iso):
        rows.append(("virtio", yes_no(m.use_virtio)))
    else:
        rows.append(("format", m.format))
        rows.append(("decompress", m.decompress))
    return [Section("ISO" if isinstance(m, Iso) else "Image", rows=rows)]


def _loader(kind: str) -> Any:
    async def load(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[Any]]:
        resource = app.client.isos if kind == "iso" else app.client.images
        async for page in pages_of(resource.pages(status=filters.get("status") or None, page_size=100)):
            yield page

    return load


def _fetcher(kind: str) -> Any:
    async def fetch(app: CloudzyApp, item: Any) -> Any:
        resource = app.client.isos if kind == "iso" else app.client.images
        return await resource.get(item.id)

    return fetch


# ------------------------------------------------------------------------------------------------------ actions

#: disk image formats offered (anything else a server takes can be typed in "Other format")
IMAGE_FORMATS: tuple[str, ...] = ("qcow2", "raw", "vmdk", "vhd", "vhdx", "vdi")
#: how the download is compressed ("none": the field is left out of the request)
DECOMPRESS: tuple[str, ...] = ("none", "gzip", "bz2", "xz", "zip", "tar", "tar.gz", "tar.xz", "zstd")


def _status_label(m: Any) -> str:
    return clean(m.status) or "requested"


def _noun(kind: str) -> str:
    return "ISO" if kind == "iso" else "image"


def _download(kind: str) -> Any:
    async def run(call: ActionCall[Any]) -> None:
        from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal

        app = call.app
        regions = await region_choices(app)
        if not regions:
            app.toast("No active region to download into.", severity="warning")
            return
        fields = [
            FormField("name", "Name", required=True, placeholder="ubuntu-24.04-server"),
            FormField("url", "URL (http or https)", required=True, placeholder="https://example.com/file.iso"),
            FormField("region", "Region", kind="choice", required=True, choices=regions, aliases=("regionId",)),
        ]
        if kind == "iso":
            fields.append(FormField("use_virtio", "Use virtio drivers (uncheck for OSes without them)", kind="bool",
                                    value=True, aliases=("useVirtio",)))
        else:
            fields += [
                FormField("format", "Format", kind="choice", choices=[(f, f) for f in IMAGE_FORMATS],
                          placeholder="Choose… (or type one below)"),
                FormField("format_other", "Other format", placeholder="only if not in the list"),
                FormField("decompress", "Decompression", kind="choice", value="none",
                          choices=[(d, d) for d in DECOMPRESS]),
            ]

        sent = False

        async def submit(values: dict[str, Any]) -> Any:
            nonlocal sent
            if kind == "iso":
                iso = IsoDownloadRequest(name=values["name"], url=values["url"], region_id=values["region"],
                                         use_virtio=bool(values["use_virtio"]))
                created_iso = await app.client.isos.download(iso)
                sent = True
                return created_iso
            fmt = values["format_other"] or values["format"]
            if values["format_other"] and values["format"]:
                raise FormError({"format_other": "choose a format or type one, not both"})
            decompress = values["decompress"]
            image = ImageDownloadRequest(name=values["name"], url=values["url"], region_id=values["region"],
                                         format=fmt or None,
                                         decompress=None if decompress in (None, "none") else decompress)
            created_image = await app.client.images.download(image)
            sent = True
            return created_image

        created = await app.ask(
            FormModal(f"Download a custom {_noun(kind)}", fields, submit, submit_label="Download")
        )
        if not sent:
            return
        if created is None:
            app.toast(f"{_noun(kind).capitalize()} download requested; it appears when the list refreshes.")
            call.screen.reload()
            return
        app.toast(f"Downloading {clean(created.name or created.id)} ({_status_label(created)}).")
        call.screen.upsert_items([created])
        app.track(kind, str(created.id), f"{_noun(kind)} {created.name or created.id}", "download",
                  Expectation.media_downloaded())

    return run


def _delete(kind: str) -> Any:
    async def run(call: ActionCall[Any]) -> None:
        m = call.target
        noun = _noun(kind)
        message = Text(f"Delete the {noun} ")
        message.append_text(safe_text(m.name or m.id, style="bold"))
        region = call.app.catalog.region_name(m.region_id)
        if region:
            message.append(" in ")
            message.append_text(safe_text(region))
        message.append("?")
        if (m.status or "").upper() == "DOWNLOADING":
            message.append(" Its download is stopped.")
        message.append("\nInstances can no longer be created from it. This cannot be undone.")
        if not await call.app.confirm(f"Delete {noun}", message, confirm_label="Delete"):
            return
        resource = call.app.client.isos if kind == "iso" else call.app.client.images
        result = await resource.delete(str(m.id))
        call.app.toast(result.detail or f"{noun.capitalize()} {m.name or m.id} deleted")
        if call.screen.server_filters.get("status") == "DELETED":
            await call.screen.refresh_one(m)
        else:
            call.screen.remove_item(str(m.id))

    return run


def _deleted(m: Any) -> str | None:
    return "it is already deleted" if (m.status or "").upper() == "DELETED" else None


def media_actions(kind: str) -> list[Action[Any]]:
    noun = _noun(kind)
    return [
        Action("download", "n", "Download", _download(kind), f"Download a custom {noun} from a URL",
               needs_item=False),
        Action("delete", "D", "Delete", _delete(kind), f"Delete the {noun}", unavailable=_deleted),
    ]


def media_status(m: Iso | Image) -> Text:
    """The status, and while a download is under way the percent the server reports (``DOWNLOADING 42%``)."""
    text = status_text(m.status)
    done = str(m.status or "").strip().upper() in {"READY", "FAILED", "DELETED"}
    shown = percent(getattr(m, "progress", None))
    if shown and not done:
        text.append(f" {shown}", style="dim")
    return text


def media_spec(kind: str) -> ResourceSpec[Any]:
    is_iso = kind == "iso"
    columns: list[Column[Any]] = [
        Column("name", "Name", lambda m, v: m.name, max_width=30),
        # wide enough from the start for "DOWNLOADING 99%" (widths are judged once, not per update)
        Column("status", "Status", lambda m, v: media_status(m), min_width=15, max_width=16),
        Column("region", "Region", lambda m, v: v.catalog.region_name(m.region_id), max_width=14),
        Column("created", "Created", lambda m, v: when(m.created_at), sort=lambda m: m.created_at, max_width=20),
    ]
    if not is_iso:
        columns.append(Column("format", "Format", lambda m, v: m.format, max_width=8))
    columns.append(Column("url", "URL", lambda m, v: m.url, max_width=60, flex=True))
    return ResourceSpec(
        name="isos" if is_iso else "images",
        title="Custom ISOs" if is_iso else "Custom images",
        singular="ISO" if is_iso else "Image",
        aliases=("iso", "isos") if is_iso else ("image", "img"),
        key_of=lambda m: str(m.id),
        label_of=lambda m: m.name or str(m.id),
        columns=columns,
        load=_loader(kind),
        fetch_one=_fetcher(kind),
        detail=media_detail,
        actions=media_actions(kind),
        copy_value=lambda m: str(m.id),
        row_style=lambda m: "dim strike" if (m.status or "").upper() == "DELETED" else "",
        filters=[FilterField("status", "Status", kind="choice", choices=[(x, x) for x in MEDIA_STATUSES])],
        empty_hint=f"No custom {'ISOs' if is_iso else 'images'} yet: press n to download one from a URL.",
        refresh_interval=30.0,
        job_kind=kind,
    )


ISOS = media_spec("iso")
IMAGES = media_spec("image")
