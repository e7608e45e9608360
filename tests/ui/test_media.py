"""Custom ISOs and images from the keyboard: download from a URL (followed to READY or FAILED, the row there at
once and updated as the job advances), URL checked before sending, delete with confirmation."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox, Input, Select

from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.form import FormModal

from .helpers import form_on_screen, loaded, screen_text, settle, toasts, wait_for, writes


async def _fill_download(
    pilot: Any, form: FormModal[Any], name: str, url: str, region: str, *, type_url: bool = False
) -> None:
    """Type the name (and the URL when asked: ~65 ms a key), choose the region."""
    await pilot.press(*name, "tab")
    if type_url:
        await pilot.press(*url)
    else:
        form.query_one("#field-url", Input).value = url
    form.query_one("#field-region", Select).value = region


async def _download_iso(pilot: Any, simulator: Any, name: str, url: str, *, type_url: bool = False) -> Any:
    await pilot.press("n")
    form = await form_on_screen(pilot)
    assert form.query_one("#field-use_virtio", Checkbox).value is True  # virtio on by default
    await _fill_download(pilot, form, name, url, "us-utah", type_url=type_url)
    await pilot.click("#submit")
    await wait_for(pilot, lambda: bool(writes(simulator, "/v1/iso")))
    await settle(pilot)
    return next(r for r in simulator.isos.values() if r["name"] == name)


async def test_iso_download_followed_to_ready(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app(initial_resource="isos")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "isos")
        record = await _download_iso(pilot, simulator, "alpine", "https://dl.example.com/a.iso", type_url=True)
        (post,) = writes(simulator, "/v1/iso")
        assert post.body == {
            "name": "alpine",
            "url": "https://dl.example.com/a.iso",
            "regionId": "us-utah",
            "useVirtio": True,
        }
        assert record["status"] == "DOWNLOADING"
        assert screen.model.items[record.id].status == "DOWNLOADING"  # the row is there at once
        job = next(j for j in app.jobs.jobs if j.target_id == record.id)
        assert job.kind == "iso"

        sim_clock.advance(2.5)  # half way: still downloading
        app.jobs.wake()
        await pilot.pause(0.1)
        assert job.running and job.status == "DOWNLOADING" and record["status"] == "DOWNLOADING"
        # The percent the server reports reaches the row (and the jobs view) with no keystroke.
        await wait_for(pilot, lambda: (screen.model.items[record.id].progress or 0) > 0)
        shown = f"DOWNLOADING {screen.model.items[record.id].progress}%"
        assert shown in screen_text(app)
        sim_clock.advance(2)
        await wait_for(pilot, lambda: job.finished)
        assert job.state == "succeeded" and record["status"] == "READY"
        await wait_for(pilot, lambda: screen.model.items[record.id].status == "READY")
        assert any("READY" in t for t in toasts(app))


async def test_iso_from_an_unreachable_url_fails(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app(initial_resource="isos")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "isos")
        record = await _download_iso(pilot, simulator, "nowhere", "https://mirror.invalid/x.iso")
        job = next(j for j in app.jobs.jobs if j.target_id == record.id)
        sim_clock.advance(3)
        await wait_for(pilot, lambda: job.finished)
        assert job.state == "failed" and record["status"] == "FAILED"
        await wait_for(pilot, lambda: screen.model.items[record.id].status == "FAILED")
        assert any("FAILED" in t for t in toasts(app))


async def test_a_bad_url_is_refused_before_sending(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="isos")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "isos")
        await pilot.press("n")
        form = await form_on_screen(pilot)
        await _fill_download(pilot, form, "odd", "ftp://files.example.com/x.iso", "us-utah")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "http" in str(form.query_one("#error-url").render()))
        assert not writes(simulator, "/v1/iso")
        assert form.query_one("#field-name", Input).value == "odd"  # kept


async def test_image_download_sends_format_and_decompression(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app(initial_resource="images")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "images")
        await pilot.press("n")
        form = await form_on_screen(pilot)
        await _fill_download(pilot, form, "debian-cloud", "https://img.example.com/debian.qcow2.xz", "nl-amsterdam")
        formats = [v for _, v in form.query_one("#field-format", Select)._options if v is not Select.NULL]
        assert {"qcow2", "raw", "vmdk", "vhd"} <= set(formats)
        form.query_one("#field-format", Select).value = "qcow2"
        assert form.query_one("#field-decompress", Select).value == "none"
        form.query_one("#field-decompress", Select).value = "xz"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(writes(simulator, "/v1/images")))
        await settle(pilot)
        (post,) = writes(simulator, "/v1/images")
        assert post.body == {
            "name": "debian-cloud",
            "url": "https://img.example.com/debian.qcow2.xz",
            "regionId": "nl-amsterdam",
            "format": "qcow2",
            "decompress": "xz",
        }
        record = next(r for r in simulator.images.values() if r["name"] == "debian-cloud")
        assert screen.model.items[record.id].status == "DOWNLOADING"
        job = next(j for j in app.jobs.jobs if j.target_id == record.id)
        assert job.kind == "image"
        sim_clock.advance(5)
        await wait_for(pilot, lambda: job.finished)
        await wait_for(pilot, lambda: screen.model.items[record.id].status == "READY")


async def test_image_with_a_typed_format_and_no_decompression(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="images")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "images")
        await pilot.press("n")
        form = await form_on_screen(pilot)
        await _fill_download(pilot, form, "qed", "https://img.example.com/x.qed", "us-utah")
        form.query_one("#field-format_other", Input).value = "qed"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(writes(simulator, "/v1/images")))
        (post,) = writes(simulator, "/v1/images")
        assert post.body["format"] == "qed" and "decompress" not in post.body


async def test_delete_an_iso_with_confirmation(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="isos")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "isos")
        record = next(r for r in simulator.isos.values() if r["name"] == "custom-rescue")
        assert screen.table.move_cursor_to_key(record.id)
        await pilot.pause()
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: record["status"] == "DELETED")
        await settle(pilot)
        assert record.id not in screen.model.items
        assert [(r.method, r.path) for r in writes(simulator, "/v1/iso")] == [("DELETE", f"/v1/iso/{record.id}")]


async def test_a_refused_delete_is_a_toast(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="isos")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "isos")
        record = next(r for r in simulator.isos.values() if r["name"] == "pfSense CE 2.7.2")  # attached: 409
        assert screen.table.move_cursor_to_key(record.id)
        await pilot.pause()
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: any("attached" in t for t in toasts(app)))
        await settle(pilot)
        assert record["status"] == "READY" and record.id in screen.model.items
