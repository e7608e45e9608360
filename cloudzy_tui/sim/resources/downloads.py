"""ISOs and images (``kind`` ``"iso"`` / ``"image"``): downloads from a URL that end READY after two steps, or
FAILED after one when the URL cannot be reached; ``progress`` 0..99 meanwhile. Delete marks DELETED (hidden from
lists unless ``status=DELETED``, still readable by id). ``createdAt`` is epoch seconds."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlsplit

from cloudzy_tui.sim.errors import Conflict, NotFound
from cloudzy_tui.sim.records import DownloadRecord
from cloudzy_tui.sim.store import Store

#: URLs that "cannot be downloaded": the host is ``localhost`` or ends in ``.invalid``, ``.test`` or
#: ``.localhost``, or the URL contains ``unreachable`` or ``fail`` (case-insensitive)
UNREACHABLE_SUFFIXES = (".invalid", ".test", ".localhost")
UNREACHABLE_WORDS = ("unreachable", "fail")

#: compression suffix of an image URL -> ``decompress``; disk-image suffix -> ``format``
_COMPRESSION_SUFFIX = {
    ".gz": "gzip",
    ".gzip": "gzip",
    ".bz2": "bzip2",
    ".xz": "xz",
    ".zst": "zstd",
    ".zstd": "zstd",
    ".zip": "zip",
}
_FORMAT_SUFFIX = {
    ".qcow2": "qcow2",
    ".raw": "raw",
    ".img": "raw",
    ".vmdk": "vmdk",
    ".vdi": "vdi",
    ".vhd": "vhd",
    ".vhdx": "vhdx",
}


def is_unreachable(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(UNREACHABLE_SUFFIXES):
        return True
    low = url.lower()
    return any(word in low for word in UNREACHABLE_WORDS)


def image_defaults(url: str) -> tuple[str, str]:
    """(format, decompress) of an image download that did not name them, read from the URL's file name
    (``a.raw.gz`` -> ``("raw", "gzip")``); ``qcow2`` and ``none`` when the name says nothing. The image object
    always carries both as strings (the notes list them without ``?``)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    decompress = "none"
    for suffix, method in _COMPRESSION_SUFFIX.items():
        if name.endswith(suffix):
            decompress, name = method, name[: -len(suffix)]
            break
    fmt = next((f for suffix, f in _FORMAT_SUFFIX.items() if name.endswith(suffix)), "qcow2")
    return fmt, decompress


def table(store: Store, kind: str) -> dict[str, DownloadRecord]:
    """The store's ISOs (``kind`` ``"iso"``) or images."""
    return store.isos if kind == "iso" else store.images


def render_download(store: Store, record: DownloadRecord, now: float | None = None) -> dict[str, Any]:
    """The wire object, with ``progress`` computed while DOWNLOADING."""
    data = dict(record.data)
    if data["status"] == "DOWNLOADING":
        now = store.now() if now is None else now
        span = max(record.finishes - record.started, 1e-9)
        data["progress"] = max(0, min(99, int(100 * (now - record.started) / span)))
    return data


def list_downloads(store: Store, kind: str, status: str | None) -> list[dict[str, Any]]:
    now = store.now()
    out = []
    for record in reversed(table(store, kind).values()):
        if status is None and record["status"] == "DELETED":
            continue
        if status is not None and record["status"] != status:
            continue
        out.append(render_download(store, record, now))
    return out


def get_download(store: Store, kind: str, item_id: str) -> DownloadRecord:
    record = table(store, kind).get(item_id)
    if record is None:
        raise NotFound(f"{'ISO' if kind == 'iso' else 'Image'} '{item_id}' not found")
    return record


def start_download(
    store: Store,
    kind: str,
    fields: dict[str, Any],
    *,
    now: float | None = None,
    status: str = "DOWNLOADING",
    rng: random.Random | None = None,
    created: float | None = None,
) -> DownloadRecord:
    """Store a new ISO/image; DOWNLOADING ones become READY after two steps (FAILED after one for an
    unreachable URL)."""
    now = store.now() if now is None else now
    data: dict[str, Any] = {
        "id": store.new_uuid(rng),
        "name": fields["name"],
        "url": fields["url"],
        "status": status,
        "regionId": fields["regionId"],
    }
    if kind == "iso":
        data["useVirtio"] = fields.get("useVirtio", True)
    else:
        fmt, decompress = image_defaults(fields["url"])
        data["format"] = fields.get("format") or fmt
        data["decompress"] = fields.get("decompress") or decompress
    data["createdAt"] = int(created if created is not None else now)
    data["progress"] = 100 if status == "READY" else 0
    record = DownloadRecord(data=data, started=now, finishes=now + 2 * store.step)
    table(store, kind)[record.id] = record
    if status == "DOWNLOADING":
        if is_unreachable(fields["url"]):
            record.finishes = now + store.step

            def failed(at: float) -> None:
                record.data["status"] = "FAILED"
                record.data["progress"] = 0

            store.scheduler.chain(record, now, store.step, [("FAILED", failed)])
        else:

            def ready(at: float) -> None:
                record.data["status"] = "READY"
                record.data["progress"] = 100

            store.scheduler.schedule(record, record.finishes, "READY", ready)
    return record


def download(store: Store, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A download the client asked for (the region must be active)."""
    store.usable_region(fields["regionId"])
    return render_download(store, start_download(store, kind, fields))


def delete_download(store: Store, kind: str, item_id: str) -> None:
    record = get_download(store, kind, item_id)
    if record["status"] == "DELETED":
        raise Conflict(f"{record['name']} is already deleted")
    if kind == "iso":
        users = [i for i in store.instances.values() if not i.deleted and i["isoId"] == item_id]
        if users:
            raise Conflict(f"ISO {record['name']} is attached to instance {users[0]['hostname']}")
    store.scheduler.cancel(record)
    record["status"] = "DELETED"
