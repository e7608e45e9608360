"""``E`` on a resource screen: the rows shown (filtered and sorted, as on screen) written to a CSV or JSON file.

The screen owns the export (``ResourceScreen.action_export``); this module holds its two parts that need no screen:
the rows as text (:func:`export_rows`) and the form that asks where to write them (:func:`export_form`).
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from cloudzy_tui.config import exports_dir
from cloudzy_tui.logs import open_private, private_dir
from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal
from cloudzy_tui.ui.resources.base import ResourceSpec, View
from cloudzy_tui.ui.text import as_text, clean

T = TypeVar("T")


def export_rows(spec: ResourceSpec[T], items: Mapping[str, T], keys: Sequence[str], view: View, fmt: str) -> str:
    """The rows ``keys`` (in that order) as CSV (the columns) or JSON (the whole objects)."""
    if fmt == "json":
        to_json = spec.to_json
        return json.dumps([to_json(items[k]) for k in keys], indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.label for c in spec.columns])
    for key in keys:
        item = items[key]
        writer.writerow([as_text(c.cell(item, view)).plain for c in spec.columns])
    return buffer.getvalue()


def export_form(spec: ResourceSpec[Any], row_count: int, rows: Callable[[str], str], now: float) -> FormModal[str]:
    """The form that writes ``rows(format)`` to the file it asks for; dismissed with the path written."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    folder = exports_dir()
    default = str(folder / f"cloudzy-{spec.name}-{stamp}.csv")

    async def write(values: dict[str, Any]) -> str:
        fmt = values["format"]
        raw = str(values["path"] or "").strip() or default
        path = Path(raw).expanduser()
        if path.suffix.lower() not in (".csv", ".json"):
            path = path.with_suffix(f".{fmt}")
        shown = clean(str(path), max_length=200)
        try:
            if path.parent == folder:
                private_dir(folder)  # ours: created 0700 on first use
            elif not path.parent.is_dir():
                raise FormError({"path": f"{clean(str(path.parent), max_length=200)} is not a folder"})
            # 0600 from its first byte, and never over an existing file (nor through a planted symlink).
            with open_private(path, append=False, exclusive=True) as handle:
                handle.write(rows(fmt))
        except FileExistsError:
            raise FormError({"path": f"{shown} exists; choose another name"}) from None
        except OSError as exc:
            raise FormError({"path": f"cannot write {shown}: {exc.strerror or exc}"}) from None
        return str(path)

    return FormModal(
        f"Export {row_count} {spec.title.lower()} (as filtered and sorted)",
        [
            FormField(
                "format",
                "Format",
                kind="choice",
                required=True,
                value="csv",
                choices=[("CSV: the columns shown", "csv"), ("JSON: the whole objects", "json")],
            ),
            FormField("path", "File", value=default, placeholder=default),
        ],
        write,
        submit_label="Export",
    )
