"""The create-instance wizard, driven by the keys a person presses, asserted on what the simulator then holds: the
walks that create (plans, applications, ISO, snapshot, the body sent, the 80x24 fit). What a failed or abandoned
create keeps and never sends twice is in test_create_wizard_failures.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.widgets import Button, Input, OptionList, SelectionList

from cloudzy_tui.api import OperatingSystem
from cloudzy_tui.ui.modals.create_wizard import STEP_IDS, CreateWizard, os_min_ram_mb

from .helpers import loaded, wait_for
from .wizard_keys import (
    at_step,
    creates_of,
    error_of,
    open_wizard,
    posts_of,
    press_create,
    products_of,
    step_of,
    text_of,
    walk_to_review,
    wizard_of,
)


async def test_happy_path_fixed_plan_two_hostnames(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_wizard(pilot)
        before = len(posts_of(simulator))
        await walk_to_review(
            pilot, hostnames="wa,wb", product_index=1, ssh_keys=2, ipv6=True, floating="1", cycle="monthly"
        )
        review = text_of(pilot, "#review-summary")
        assert "wa, wb" in review and "Utah" in review
        price = text_of(pilot, "#review-price")
        product = products_of(simulator, "us-utah")[1]
        monthly = next(i for i in product["priceItems"] if i["name"] == "monthly")["monthlyPrice"]
        assert f"${monthly * 2:,.2f}/mo" in price
        assert len(posts_of(simulator)) == before  # nothing sent before Create
        await press_create(pilot)
        assert not isinstance(pilot.app.screen, CreateWizard)

        posts = creates_of(simulator)
        assert len(posts) == 1
        body = posts[-1].body
        keys = sorted(simulator.ssh_keys)[:2]
        assert body["hostnames"] == ["wa", "wb"]
        assert body["region"] == "us-utah"
        assert body["productId"] == product["id"]
        assert body["osId"] == "ubuntu-24.04"
        assert body["sshKeyIds"] == keys
        assert body["floatingIPCount"] == 1
        assert body["assignIpv4"] is True and body["assignIpv6"] is True
        assert body["billingCycle"] == "monthly"
        assert body["class"] == "default"
        assert "appId" not in body

        created = [r for r in simulator.instances.values() if r["hostname"] in ("wa", "wb")]
        assert len(created) == 2
        for record in created:
            assert record["region"] == "us-utah" and record["productId"] == product["id"]
            assert record["osId"] == "ubuntu-24.04" and record.ssh_key_ids == keys
            assert record["mainIpv6"]

        screen = await loaded(pilot, "instances")
        for record in created:
            assert record["id"] in screen.model.items
        # The toast says what was ordered: the hostnames, the region, the plan and the OS.
        label = f"{product['plan']['specification']['cpu']} vCPU"
        assert any(
            n.message.startswith("Creating instances wa, wb in Utah, ")
            and label in n.message
            and n.message.endswith("Ubuntu 24.04 LTS")
            for n in pilot.app.shown_toasts()
        ), [n.message for n in pilot.app.shown_toasts()]
        jobs = [j for j in app.jobs.jobs if j.target_id in {r["id"] for r in created}]
        assert len(jobs) == 2
        sim_clock.advance(5)
        await wait_for(pilot, lambda: all(j.state == "succeeded" for j in jobs))
        assert all(r["status"] == "active" for r in created)
        await wait_for(pilot, lambda: all(screen.model.items[r["id"]].status == "active" for r in created))


async def test_application_sends_app_id_and_offers_only_its_os(make_app: Any, simulator: Any) -> None:
    app = make_app()
    seen: dict[str, Any] = {}

    async def software(pilot: Any) -> None:
        wizard = wizard_of(pilot)
        widget = wizard.query_one("#os-list", OptionList)
        seen["os"] = [wizard.form.values["os-list"][o.id] for o in widget.options]
        seen["info"] = text_of(pilot, "#app-info")
        seen["app"] = str(wizard.query_one("#app-list", OptionList).highlighted_option.prompt)

    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        await walk_to_review(pilot, hostnames="m1", product_index=2, app="metatrader5", hooks={"software": software})
        assert seen["os"] == simulator.applications["metatrader5"]["osList"]
        assert "MetaTrader 5 terminal" in seen["info"] and "Runs on: Windows Server 2022" in seen["info"]
        assert "trading" in seen["app"] and "$5.00/mo" in seen["app"]
        price = text_of(pilot, "#review-price")
        plan = products_of(simulator, "us-utah")[2]["priceItems"][0]["monthlyPrice"]
        assert f"${plan + 5.0:,.2f}/mo" in price and "application" in price
        assert "MetaTrader 5" in text_of(pilot, "#review-summary")
        await press_create(pilot)
        body = creates_of(simulator)[-1].body
        assert body["appId"] == "metatrader5"
        assert body["osId"] == "windows-server-2022"
        record = next(r for r in simulator.instances.values() if r["hostname"] == "m1")
        assert record["appId"] == "metatrader5" and record["osId"] == "windows-server-2022"


async def test_experimental_application_is_flagged(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        prompts = [str(o.prompt) for o in wizard.query_one("#app-list", OptionList).options]
        ollama = next(p for p in prompts if "Ollama" in p)
        assert "experimental" in ollama and "ai" in ollama
        assert not any("experimental" in p for p in prompts if "WordPress" in p)


async def test_custom_plan_in_a_region_that_offers_it(make_app: Any, simulator: Any) -> None:
    app = make_app()

    async def plan(pilot: Any) -> None:
        wizard = wizard_of(pilot)
        checkbox = wizard.query_one("#plan-custom")
        assert checkbox.display
        await wait_for(pilot, lambda: wizard.draft.product_id is not None)
        await pilot.press("shift+tab", "space")  # tick "custom resources"
        assert wizard.draft.custom
        assert not wizard.query_one("#plan-fixed").display and wizard.query_one("#plan-custom-fields").display
        await pilot.press("tab", "2", "enter")  # vCPU; RAM and disk missing
        assert step_of(pilot) == "plan"
        assert "required" in error_of(pilot, "ram") and "required" in error_of(pilot, "disk")
        assert pilot.app.focused.id == "custom-ram"
        await pilot.press(*"999", "tab", *"40", "enter")
        assert step_of(pilot) == "plan"
        assert "at most 128" in error_of(pilot, "ram")
        assert pilot.app.focused.id == "custom-ram"
        await pilot.press("4", "enter")  # the field's text was selected on focus: "4" replaces it
        assert wizard.draft.ram == "4"

    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        await walk_to_review(pilot, hostnames="c1", hooks={"plan": plan})
        assert "custom: 2 vCPU · 4 GB RAM · 40 GB disk" in text_of(pilot, "#review-summary")
        await press_create(pilot)
        body = creates_of(simulator)[-1].body
        assert "productId" not in body
        assert body["extraResource"] == {"cpu": 2, "ramInGB": 4, "diskInGB": 40}
        record = next(r for r in simulator.instances.values() if r["hostname"] == "c1")
        assert record["vcpuCount"] == 2 and record["ram"] == 4096 and record["disk"] == 40


async def test_no_custom_plan_and_no_ipv6_where_the_region_has_none(make_app: Any, simulator: Any) -> None:
    simulator.regions["nl-amsterdam"]["config"]["supportMonitoring"] = False
    app = make_app()
    seen: dict[str, Any] = {}

    async def plan(pilot: Any) -> None:
        wizard = wizard_of(pilot)
        seen["custom"] = wizard.query_one("#plan-custom").display
        seen["note"] = text_of(pilot, "#plan-note")
        await wait_for(pilot, lambda: wizard.draft.product_id is not None)
        await pilot.press("enter")

    async def network(pilot: Any) -> None:
        wizard = wizard_of(pilot)
        seen["ipv6"] = wizard.query_one("#ipv6").display
        seen["ipv6-note"] = text_of(pilot, "#ipv6-note")
        seen["ddos"] = wizard.query_one("#ddos").display
        wizard.query_one("#floating-ips", Input).focus()
        await pilot.press("4", "enter")  # Amsterdam allows 3 floating IPs
        assert step_of(pilot) == "network" and error_of(pilot, "floating_ips") == "at most 3 in this region"
        await pilot.press("backspace", "2")

    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        await walk_to_review(pilot, region="nl-amsterdam", hostnames="a1", hooks={"plan": plan, "network": network})
        assert seen["custom"] is False and "fixed plans only" in seen["note"]
        assert seen["ipv6"] is False and "IPv6 is not offered in Amsterdam" in seen["ipv6-note"]
        assert seen["ddos"] is False
        features = wizard_of(pilot).query_one("#features", SelectionList)
        assert "monitoring" not in [features.get_option_at_index(i).value for i in range(features.option_count)]
        await press_create(pilot)
        body = creates_of(simulator)[-1].body
        assert body["region"] == "nl-amsterdam"
        assert "assignIpv6" not in body and "isDdosProtected" not in body
        assert body["floatingIPCount"] == 2
        record = next(r for r in simulator.instances.values() if r["hostname"] == "a1")
        assert record["mainIpv6"] is None


async def test_out_of_stock_region_is_flagged_and_cannot_be_chosen(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        widget = wizard.query_one("#region-list", OptionList)
        values = wizard.form.values["region-list"]
        by_region = {values[o.id]: o for o in widget.options}
        assert set(by_region) == {"us-utah", "nl-amsterdam", "de-frankfurt", "us-newyork", "sg-singapore"}
        assert by_region["sg-singapore"].disabled and "out of stock" in str(by_region["sg-singapore"].prompt)
        assert "premium" in str(by_region["us-newyork"].prompt)
        await pilot.press("end")
        assert wizard.draft.region_id == "us-newyork"  # the last region that can be chosen
        await pilot.press("enter")
        await at_step(pilot, "class")
        classes = list(wizard.form.values["class-list"].values())
        assert classes == ["default", "cpu-optimized"]  # New York has no GPUs


async def test_back_and_next_keep_every_value(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        await walk_to_review(
            pilot, region="us-newyork", hostnames="k1 k2", product_index=1, ssh_keys=2, floating="3", cycle="quarterly"
        )
        summary = text_of(pilot, "#review-summary")
        draft = repr(wizard.draft)
        for _ in range(8):
            await pilot.press("alt+b")
        await at_step(pilot, "region")
        assert repr(wizard.draft) == draft
        assert wizard.query_one("#region-list", OptionList).highlighted_option is not None
        for step in STEP_IDS[1:]:
            await pilot.press("ctrl+n")
            await at_step(pilot, step)
            if step == "hostnames":
                assert wizard.query_one("#hostnames", Input).value == "k1 k2"
            if step == "network":
                assert wizard.query_one("#floating-ips", Input).value == "3"
            if step == "ssh":
                assert len(wizard.query_one("#ssh-keys", SelectionList).selected) == 2
        assert repr(wizard.draft) == draft
        assert text_of(pilot, "#review-summary") == summary
        await press_create(pilot)
        body = creates_of(simulator)[-1].body
        assert body["region"] == "us-newyork" and body["floatingIPCount"] == 3
        assert body["productId"] == products_of(simulator, "us-newyork")[1]["id"]
        assert body["billingCycle"] == "quarterly" and len(body["sshKeyIds"]) == 2


async def test_works_at_80x24(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_wizard(pilot)
        dialog = wizard.query_one("#wizard")
        assert dialog.region.width <= 80 and dialog.region.height <= 24
        await walk_to_review(pilot, hostnames="sq1", ssh_keys=1)
        create = wizard.query_one("#wizard-create", Button)
        assert create.region.bottom <= 24 and create.region.right <= 80 and create.region.width > 0
        await press_create(pilot)
        assert not isinstance(pilot.app.screen, CreateWizard)
        assert any(r["hostname"] == "sq1" for r in simulator.instances.values())


@pytest.mark.parametrize(
    ("min_ram", "mb"),
    [
        (512, 512.0),
        ("1024", 1024.0),
        (2, 2048.0),
        ("1.5", 1536.0),  # bare numbers: below 64 are GB
        ("1 GB", 1024.0),
        ("512MB", 512.0),
        ("2GiB", 2048.0),
        ("0.5 g", 512.0),
        ("1 TB", 1048576.0),
        (None, None),
        (0, None),
        ("lots", None),
        ("", None),
        ("1 GB or more", None),
        ("-1 GB", None),
    ],
)
def test_an_os_minimum_ram_is_read_with_its_unit(min_ram: Any, mb: float | None) -> None:
    system = OperatingSystem.model_validate({"id": "x", "minRam": min_ram})
    assert os_min_ram_mb(system) == mb


# ------------------------------------------------------------------------------------------------ ISO and snapshot


def _utah_iso(simulator: Any) -> dict[str, Any]:
    return next(i for i in simulator.isos.values() if i["status"] == "READY" and i["regionId"] == "us-utah")


async def test_start_from_a_custom_iso_ready_in_the_region(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_wizard(pilot)
        iso = _utah_iso(simulator)
        elsewhere = [i for i in simulator.isos.values() if i["regionId"] != "us-utah" or i["status"] != "READY"]
        await walk_to_review(pilot, hostnames="from-iso", source=f"iso:{iso['id']}")
        review = text_of(pilot, "#review-summary")
        assert f"custom ISO {iso['name']}" in review
        await press_create(pilot)
        (post,) = creates_of(simulator)
        assert post.body["isoId"] == iso["id"]
        assert "osId" not in post.body and "appId" not in post.body and "fromSnapshot" not in post.body
        record = next(r for r in simulator.instances.values() if r["hostname"] == "from-iso")
        assert record["isoId"] == iso["id"]
        assert elsewhere  # the seed has ISOs that are not offered (other region, not READY)


async def test_the_software_step_offers_only_ready_isos_of_the_region(make_app: Any, simulator: Any) -> None:
    from .helpers import screen_text

    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await open_wizard(pilot)
        await pilot.press("enter")
        await at_step(pilot, "class")
        await pilot.press("enter")
        await at_step(pilot, "plan")
        await wait_for(pilot, lambda: wizard_of(pilot).draft.product_id is not None)
        await pilot.press("enter")
        await at_step(pilot, "software")
        text = screen_text(pilot.app)
        assert _utah_iso(simulator)["name"] in text
        for iso in simulator.isos.values():
            if iso["regionId"] != "us-utah" or iso["status"] != "READY":
                assert iso["name"] not in text, iso["name"]


async def test_start_from_a_snapshot_whose_disk_fits_the_plan(make_app: Any, simulator: Any) -> None:
    from .helpers import screen_text

    app = make_app()
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await open_wizard(pilot)
        snapshot = next(s for s in simulator.snapshots.values() if s["name"] == "web-01-before-upgrade")
        need = snapshot["metadata"]["disk"]
        products = [p for p in products_of(simulator, "us-utah") if p["isActive"]]
        small = next(i for i, p in enumerate(products) if p["plan"]["specification"]["storage"] < need)
        big = next(i for i, p in enumerate(products) if p["plan"]["specification"]["storage"] >= need)
        assert small == 0, "the first plan is the small one (the walk picks by index)"

        # With the small plan the snapshot is listed, disabled, with the reason; Enter cannot choose it.
        await pilot.press("enter")
        await at_step(pilot, "class")
        await pilot.press("enter")
        await at_step(pilot, "plan")
        await wait_for(pilot, lambda: wizard_of(pilot).draft.product_id is not None)
        await pilot.press("enter")
        await at_step(pilot, "software")
        text = screen_text(pilot.app)
        assert snapshot["name"] in text
        assert re.search(rf"{snapshot['name']}\s+{need} GB\s.*too big: plan disk \d+ GB", text), text
        wizard = wizard_of(pilot)
        values = wizard.form.values["source-list"]
        widget = wizard.query_one("#source-list", OptionList)
        option = next(o for o in widget.options if values[o.id] == f"snapshot:{snapshot['id']}")
        assert option.disabled
        await pilot.press("alt+b")
        await at_step(pilot, "plan")
        await pilot.press("alt+b")
        await at_step(pilot, "class")
        await pilot.press("alt+b")
        await at_step(pilot, "region")

        await walk_to_review(pilot, hostnames="from-snap", product_index=big, source=f"snapshot:{snapshot['id']}")
        assert f"snapshot {snapshot['name']}" in text_of(pilot, "#review-summary")
        await press_create(pilot)
        (post,) = creates_of(simulator)
        assert post.body["fromSnapshot"] == snapshot["id"]
        assert "osId" not in post.body and "isoId" not in post.body
        assert any(r["hostname"] == "from-snap" for r in simulator.instances.values())


# ------------------------------------------------------------------------------------------------ the body sent


async def _custom_plan(pilot: Any) -> None:
    wizard = wizard_of(pilot)
    await wait_for(pilot, lambda: wizard.draft.product_id is not None)
    await pilot.press("shift+tab", "space", "tab", "3", "tab", "6", "tab", *"50", "tab", "2", "enter")


WALKS: dict[str, dict[str, Any]] = {
    "fixed-app-keys-ipv6-floating-monthly": {
        "hostnames": "b1 b2, b3",
        "product_index": 1,
        "app": "wordpress",
        "ssh_keys": 2,
        "ipv6": True,
        "floating": "2",
        "cycle": "monthly",
    },
    "custom-plan-hourly": {"hostnames": "c9", "hooks": {"plan": _custom_plan}},
    "iso-quarterly": {"hostnames": "i9", "source": "iso", "cycle": "quarterly"},
}
#: what each walk must have put in the body (so that the comparison is about these choices)
SENT: dict[str, dict[str, Any]] = {
    "fixed-app-keys-ipv6-floating-monthly": {
        "hostnames": ["b1", "b2", "b3"],
        "appId": "wordpress",
        "assignIpv6": True,
        "floatingIPCount": 2,
        "billingCycle": "monthly",
    },
    "custom-plan-hourly": {
        "extraResource": {"cpu": 3, "ramInGB": 6, "diskInGB": 50, "bandwidthInTB": 2},
        "billingCycle": "hourly",
    },
    "iso-quarterly": {"billingCycle": "quarterly"},
}


@pytest.mark.parametrize("walk", list(WALKS))
async def test_the_body_sent_is_the_one_the_hand_built_wizard_sent(make_app: Any, simulator: Any, walk: str) -> None:
    """What the simulator receives equals the body the wizard built by hand before it had a model, for the draft the
    keys produced (``tests/wizard_reference.py`` keeps that builder verbatim)."""
    from wizard_reference import old_request_body

    from cloudzy_tui.api import CreateInstanceRequest

    kwargs = dict(WALKS[walk])
    if kwargs.get("source") == "iso":
        kwargs["source"] = f"iso:{_utah_iso(simulator)['id']}"
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        await walk_to_review(pilot, **kwargs)
        expected = CreateInstanceRequest.model_validate(old_request_body(wizard.draft, wizard.choices)).to_wire()
        await press_create(pilot)
        assert not isinstance(pilot.app.screen, CreateWizard)
    body = creates_of(simulator)[-1].body
    assert body == expected
    assert {k: body.get(k) for k in SENT[walk]} == SENT[walk]
    if walk.startswith("fixed"):
        assert len(body["sshKeyIds"]) == 2 and "extraResource" not in body
    if walk.startswith("iso"):
        assert body["isoId"] == _utah_iso(simulator)["id"] and "osId" not in body


# ------------------------------------------------------------------------------------------------ one region presenter


def _painted_rows(app: Any) -> str:
    """The screenshot's text, one line per terminal row, each span at its column (the spaces between spans kept)."""
    import html

    rows: dict[float, list[tuple[float, float, str]]] = {}
    svg = app.export_screenshot()
    for m in re.finditer(r'<text[^>]*?x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>(.*?)</text>', svg):
        text = html.unescape(m.group(4)).replace("\xa0", " ")
        rows.setdefault(float(m.group(2)), []).append((float(m.group(1)), float(m.group(3)), text))
    lines = []
    for _, spans in sorted(rows.items()):
        line = ""
        for x, width, text in sorted(spans):
            line = line.ljust(round(x / (width / len(text)))) + text
        lines.append(line)
    return "\n".join(lines)


async def test_region_states_read_the_same_in_the_regions_table_and_the_wizard(make_app: Any, simulator: Any) -> None:
    """One presenter: a premium region that is out of stock says so in the same words, in the same order, on the
    regions screen and in the wizard's region list (both painted)."""
    screen_text = _painted_rows

    simulator.regions["us-newyork"]["isOutOfStock"] = True
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        assert re.search(r"New York\s+NY\s+out of stock  premium", screen_text(pilot.app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, CreateWizard))
        pilot.app.show_resource("regions")
        await loaded(pilot, "regions")
        assert re.search(r"New York\s+us-newyork\s+NY\s+out of stock  premium", screen_text(pilot.app))
        assert re.search(r"Singapore\s+sg-singapore\s+SG\s+out of stock\s", screen_text(pilot.app))


def test_one_view_per_step_in_the_model_order() -> None:
    from cloudzy_tui.ops.create_draft import FIELDS
    from cloudzy_tui.ui.modals.create_wizard.steps import STEP_VIEWS

    assert tuple(view.STEP for view in STEP_VIEWS) == STEP_IDS
    assert {f.step for f in FIELDS} <= set(STEP_IDS)
