"""Custom ISOs and images: one spec builder for both (list with status filter, detail), download from a URL
(``n``; a job follows it to READY or FAILED) and delete (``D``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import Image, Iso
from cloudzy_tui.ops import Outcome
from cloudzy_tui.ops import media as media_ops
from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal
from cloudzy_tui.ui.operations import check, execute_in_form, show_outcome
from cloudzy_tui.ui.resources.base import Action, ActionCall, Column, ResourceSpec, Section, View, op_action
from cloudzy_tui.ui.resources.common import status_text, when
from cloudzy_tui.ui.resources.snapshots import region_choices
from cloudzy_tui.units import percent, timestamp, yes_no

if TYPE_CHECKING:
    pass


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


# ------------------------------------------------------------------------------------------------------ actions

#: disk image formats offered (anything else a server takes can be typed in "Other format")
IMAGE_FORMATS: tuple[str, ...] = ("qcow2", "raw", "vmdk", "vhd", "vhdx", "vdi")
#: how the download is compressed ("none": the field is left out of the request)
DECOMPRESS: tuple[str, ...] = ("none", "gzip", "bz2", "xz", "zip", "tar", "tar.gz", "tar.xz", "zstd")


def _noun(kind: str) -> str:
    return "ISO" if kind == "iso" else "image"


def _download(kind: str) -> Any:
    async def run(call: ActionCall[Any]) -> None:
        app = call.app
        op = media_ops.ISO_DOWNLOAD if kind == "iso" else media_ops.IMAGE_DOWNLOAD
        if not await check(app, op, None):
            return
        regions = await region_choices(app)
        if not regions:
            app.toast("No active region to download into.", severity="warning")
            return
        example = "https://example.com/file.iso" if kind == "iso" else "https://example.com/disk.qcow2"
        fields = [
            FormField("name", "Name", required=True, placeholder="ubuntu-24.04-server"),
            FormField("url", "URL (http or https)", required=True, placeholder=example),
            FormField(
                "region", "Region", kind="choice", required=True, choices=regions, aliases=("regionId", "region_id")
            ),
        ]
        if kind == "iso":
            fields.append(
                FormField(
                    "use_virtio",
                    "Use virtio drivers (uncheck for OSes without them)",
                    kind="bool",
                    value=True,
                    aliases=("useVirtio",),
                )
            )
        else:
            fields += [
                FormField(
                    "format",
                    "Format",
                    kind="choice",
                    choices=[(f, f) for f in IMAGE_FORMATS],
                    placeholder="Choose… (or type one below)",
                ),
                FormField("format_other", "Other format", placeholder="only if not in the list"),
                FormField(
                    "decompress", "Decompression", kind="choice", value="none", choices=[(d, d) for d in DECOMPRESS]
                ),
            ]

        async def submit(values: dict[str, Any]) -> Outcome:
            params: dict[str, Any] = {"name": values["name"], "url": values["url"], "region_id": values["region"]}
            if kind == "iso":
                params["use_virtio"] = bool(values["use_virtio"])
            else:
                if values["format_other"] and values["format"]:
                    raise FormError({"format_other": "choose a format or type one, not both"})
                decompress = values["decompress"]
                params["format"] = values["format_other"] or values["format"] or None
                params["decompress"] = None if decompress in (None, "none") else decompress
            return await execute_in_form(app, op, None, params, values)

        outcome = await app.ask(FormModal(f"Download a custom {_noun(kind)}", fields, submit, submit_label="Download"))
        if outcome is not None:
            await show_outcome(app, op, outcome)

    return run


def media_actions(kind: str) -> list[Action[Any]]:
    download, delete = media_ops.ISO_OPERATIONS if kind == "iso" else media_ops.IMAGE_OPERATIONS
    return [
        op_action(download, "n", id="download", title="Download", run=_download(kind)),
        op_action(delete, "D", id="delete", title="Delete"),
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
        Column("name", "Name", lambda m, v: m.name, max_width=30, priority=0, cut=True),
        # wide enough from the start for "DOWNLOADING 99%" (widths are judged once, not per update)
        Column("status", "Status", lambda m, v: media_status(m), min_width=15, max_width=16, priority=10),
        Column(
            "region", "Region", lambda m, v: v.catalog.region_name(m.region_id), max_width=14, priority=30, cut=True
        ),
        Column(
            "created",
            "Created",
            lambda m, v: when(m.created_at),
            sort=lambda m: m.created_at,
            max_width=20,
            priority=40,
        ),
    ]
    if not is_iso:
        columns.append(Column("format", "Format", lambda m, v: m.format, max_width=8, priority=50))
    columns.append(Column("url", "URL", lambda m, v: m.url, max_width=60, flex=True, priority=60, cut=True))
    return ResourceSpec(
        resource=media_ops.ISOS if is_iso else media_ops.IMAGES,
        columns=columns,
        detail=media_detail,
        actions=media_actions(kind),
        copy_value=lambda m: str(m.id),
        row_style=lambda m: "dim strike" if (m.status or "").upper() == "DELETED" else "",
        empty_hint=f"No custom {'ISOs' if is_iso else 'images'} yet: press n to download one from a URL.",
        default_sort="created",
        default_sort_reverse=True,
        refresh_interval=30.0,
    )


ISOS = media_spec("iso")
IMAGES = media_spec("image")
