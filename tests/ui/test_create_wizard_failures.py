"""The create wizard when things go wrong: bad input, server refusals, a low balance, a lost answer, Create pressed
twice, Escape, hostile server strings. Nothing is lost, nothing is sent twice, nothing is rendered as markup."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Input, OptionList

from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.create_wizard import CreateWizard

from .helpers import loaded, wait_for
from .wizard_keys import (
    at_step,
    creates_of,
    error_of,
    open_wizard,
    posts_of,
    press_create,
    products_of,
    settle,
    step_of,
    text_of,
    type_keys,
    walk_to_review,
    wizard_of,
)

HOSTILE = "[bold]x[/] [@click=app.quit]q[/] \x1b]0;pwned\x07\x1b[31mred"


async def test_bad_hostname_stays_on_the_step_and_nothing_is_sent(make_app: Any, simulator: Any) -> None:
    app = make_app()
    before: dict[str, int] = {}

    async def hostnames(pilot: Any) -> None:
        before["posts"] = len(posts_of(simulator))
        await type_keys(pilot, "ok -b- ok")
        await pilot.press("enter")
        assert step_of(pilot) == "hostnames"
        error = error_of(pilot, "hostnames")
        assert "'-b-' is not a valid hostname" in error and "'ok' is given twice" in error
        assert len(posts_of(simulator)) == before["posts"]
        await pilot.press("ctrl+u")  # clear the field
        await type_keys(pilot, "ok ok2")

    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        await walk_to_review(pilot, product_index=1, ssh_keys=1, floating="2", hooks={"hostnames": hostnames})
        assert error_of(pilot, "hostnames") == ""
        assert len(posts_of(simulator)) == before["posts"]
        await press_create(pilot)
        body = creates_of(simulator)[-1].body
        assert body["hostnames"] == ["ok", "ok2"]
        assert body["productId"] == products_of(simulator, "us-utah")[1]["id"]
        assert body["sshKeyIds"] == [min(simulator.ssh_keys)] and body["floatingIPCount"] == 2


async def test_server_422_comes_back_on_the_hostnames_step(make_app: Any, simulator: Any) -> None:
    simulator.faults.add(
        method="POST",
        path_prefix="/v1/instances",
        status=422,
        body=b'{"detail":[{"loc":["body","hostnames",0],"msg":"taken","type":"value_error"}]}',
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        await walk_to_review(pilot, hostnames="wa wb", product_index=1, ssh_keys=1, floating="1", cycle="monthly")
        await press_create(pilot)
        assert pilot.app.screen is wizard
        assert step_of(pilot) == "hostnames"
        assert error_of(pilot, "hostnames") == "wa: taken"
        await wait_for(pilot, lambda: getattr(pilot.app.focused, "id", None) == "hostnames")
        assert wizard.query_one("#hostnames", Input).value == "wa wb"
        first = creates_of(simulator)[-1].body
        await pilot.press("ctrl+u", *"wc wb", "enter")
        await at_step(pilot, "ssh")
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
        await at_step(pilot, "review")
        await press_create(pilot)
        assert not isinstance(pilot.app.screen, CreateWizard)
        posts = creates_of(simulator)
        assert len(posts) == 2
        second = posts[-1].body
        assert second["hostnames"] == ["wc", "wb"]
        assert {k: v for k, v in second.items() if k != "hostnames"} == {
            k: v for k, v in first.items() if k != "hostnames"
        }


async def test_low_balance_shows_required_and_available_and_keeps_everything(make_app: Any, simulator: Any) -> None:
    simulator.balance = 5.0
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        await walk_to_review(pilot, hostnames="wa wb", product_index=2, ssh_keys=1)
        available = simulator.available_balance()
        await press_create(pilot)
        assert pilot.app.screen is wizard and step_of(pilot) == "review"
        required = products_of(simulator, "us-utah")[2]["priceItems"][0]["monthlyPrice"] * 2
        error = text_of(pilot, "#review-error")
        assert f"required ${required:,.2f}" in error
        assert f"available ${available:,.2f}" in error
        assert len(creates_of(simulator)) == 1
        assert wizard.query_one("#hostnames", Input).value == "wa wb"
        simulator.balance = 100_000.0
        await press_create(pilot)  # nothing re-entered
        assert not isinstance(pilot.app.screen, CreateWizard)
        posts = creates_of(simulator)
        assert len(posts) == 2 and posts[0].body == posts[1].body
        assert sum(1 for r in simulator.instances.values() if r["hostname"] in ("wa", "wb")) == 2


async def test_create_pressed_twice_sends_one_post(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        await walk_to_review(pilot, hostnames="o1")
        # The answer takes a second: long enough for a person to press again (and again).
        simulator.faults.add(method="POST", path_prefix="/v1/instances", status=None, delay_ms=1000)
        create = wizard.query_one("#wizard-create", Button)
        await pilot.press("enter")
        assert wizard.busy and create.disabled and str(create.label) == "Creating…"
        await pilot.press("enter", "ctrl+n")
        wizard.action_create()
        await pilot.click("#wizard-create")
        assert wizard.busy and pilot.app.screen is wizard  # still waiting for the one request
        await settle(pilot)
        assert not isinstance(pilot.app.screen, CreateWizard)
        assert len(creates_of(simulator)) == 1
        assert sum(1 for r in simulator.instances.values() if r["hostname"] == "o1") == 1


async def test_lost_answer_after_creation_is_not_resent(make_app: Any, simulator: Any) -> None:
    simulator.faults.add(method="POST", path_prefix="/v1/instances", status=504, after=True)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_wizard(pilot)
        await walk_to_review(pilot, hostnames="l1 l2")
        await press_create(pilot)
        await settle(pilot)
        assert not isinstance(pilot.app.screen, CreateWizard)
        assert len(creates_of(simulator)) == 1
        created = [r for r in simulator.instances.values() if r["hostname"] in ("l1", "l2")]
        assert len(created) == 2
        lookups = [r for r in simulator.requests if r.method == "GET" and r.query.get("hostName")]
        assert {r.query["hostName"] for r in lookups} == {"l1", "l2"}
        messages = [n.message for n in pilot.app.shown_toasts()]
        assert any("did not confirm" in m and "l1, l2" in m for m in messages)
        screen = await loaded(pilot, "instances")
        assert all(r["id"] in screen.model.items for r in created)
        assert {j.target_id for j in app.jobs.jobs} >= {r["id"] for r in created}


async def test_lost_answer_before_creation_says_so_and_allows_a_new_try(make_app: Any, simulator: Any) -> None:
    simulator.faults.add(method="POST", path_prefix="/v1/instances", status=504)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        await walk_to_review(pilot, hostnames="l3")
        await press_create(pilot)
        assert pilot.app.screen is wizard and step_of(pilot) == "review"
        assert "nothing was created" in text_of(pilot, "#review-error")
        assert len(creates_of(simulator)) == 1
        await press_create(pilot)
        assert not isinstance(pilot.app.screen, CreateWizard)
        assert len(creates_of(simulator)) == 2
        assert sum(1 for r in simulator.instances.values() if r["hostname"] == "l3") == 1


async def test_other_errors_show_on_the_review_and_keep_everything(make_app: Any, simulator: Any) -> None:
    simulator.faults.add(method="POST", path_prefix="/v1/instances", status=500)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        await walk_to_review(pilot, hostnames="e1", ssh_keys=1)
        await press_create(pilot)
        assert pilot.app.screen is wizard and step_of(pilot) == "review"
        assert text_of(pilot, "#review-error").strip()
        assert pilot.app.focused is wizard.query_one("#wizard-create")
        await press_create(pilot)
        assert not isinstance(pilot.app.screen, CreateWizard)
        posts = creates_of(simulator)
        assert len(posts) == 2 and posts[0].body == posts[1].body


async def test_escape_asks_only_when_something_was_entered(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        await pilot.press("escape")  # nothing entered: closes at once
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, CreateWizard))
        wizard = await open_wizard(pilot)
        await pilot.press("enter", "enter")
        await at_step(pilot, "plan")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.press("enter")  # Cancel is focused: back to the wizard, nothing lost
        await wait_for(pilot, lambda: pilot.app.screen is wizard)
        assert step_of(pilot) == "plan"
        await pilot.press("q")  # not the app's quit: the wizard's close, which asks too
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        assert pilot.app.is_running
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, (CreateWizard, ConfirmModal)))
        assert not creates_of(simulator)


async def test_hostile_server_strings_render_literally(make_app: Any, simulator: Any) -> None:
    simulator.regions["us-utah"]["name"] = HOSTILE
    simulator.applications["wordpress"]["name"] = "WP " + HOSTILE
    simulator.applications["wordpress"]["description"] = HOSTILE
    simulator.applications["wordpress"]["tag"] = "[red]tag"
    simulator.oses["ubuntu-24.04"]["name"] = "Ubuntu " + HOSTILE
    simulator.ssh_keys[min(simulator.ssh_keys)]["name"] = "key " + HOSTILE
    app = make_app()
    literal = "[bold]x[/] [@click=app.quit]q[/] ]0;pwned[31mred"
    seen: dict[str, str] = {}

    async def software(pilot: Any) -> None:
        seen["info"] = text_of(pilot, "#app-info")
        seen["os"] = str(wizard_of(pilot).query_one("#os-list", OptionList).highlighted_option.prompt)

    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await open_wizard(pilot)
        region = str(wizard.query_one("#region-list", OptionList).options[0].prompt)
        assert literal in region
        assert literal in text_of(pilot, "#region-info")
        await walk_to_review(pilot, hostnames="x1", app="wordpress", ssh_keys=1, hooks={"software": software})
        assert literal in seen["info"] and literal in seen["os"]
        summary = text_of(pilot, "#review-summary")
        assert literal in summary and "WP " + literal in summary and "key " + literal in summary
        assert "\x1b" not in pilot.app.export_screenshot()
        await press_create(pilot)
        assert pilot.app.is_running
        assert creates_of(simulator)[-1].body["appId"] == "wordpress"
