"""The key footer: what it paints comes from the live bindings, fits the line whole, and costs nothing at rest."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cloudzy_tui.ui.modals.help import HelpScreen
from cloudzy_tui.ui.resources import ALL_SPECS
from cloudzy_tui.ui.widgets.key_footer import ALWAYS, FooterItem, KeyFooter, fit

from .helpers import loaded, screen_text, settle, wait_for
from .painted import painted_region


def footer_line(app: Any) -> str:
    """The painted bottom line of the screen (the footer), trailing blanks removed."""
    lines = screen_text(app).splitlines()
    return [line for line in lines if line.strip()][-1].rstrip()


def offered(app: Any) -> set[str]:
    """Every label the screen's live bindings offer, as a footer paints it: ``key description``."""
    found = set()
    for binding in (active.binding for active in app.screen.active_bindings.values()):
        if binding.show or binding.action == "command_palette":
            found.add(f"{app.get_key_display(binding)} {binding.description}".strip())
    return found


def painted_items(line: str) -> list[str]:
    # Items are painted " key description " side by side: two or more blanks separate them.
    return [part for part in re.split(r"\s{2,}", line.strip()) if part]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_screen_footer_fits_with_whole_items(make_app: Any, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot, "instances")
        for spec in ALL_SPECS:
            app.show_resource(spec.name)
            screen = await loaded(pilot, spec.name)
            await settle(pilot, rounds=1)
            line = footer_line(app)
            items = painted_items(line)
            labels = offered(app)
            assert len(line) <= size[0]
            # Never a cut label ('q Qui', 'D D'): every painted item is one the bindings offer, whole.
            assert items and all(item in labels for item in items), (spec.name, line)
            # Help and quit always fit; so does the screen's first action, when it has one.
            assert "? Help" in items and "q Quit" in items, (spec.name, line)
            if spec.actions and spec.actions[0].show:
                assert f"{spec.actions[0].key} {spec.actions[0].title}" in items, (spec.name, line)
            # What is dropped is dropped by rank: nothing shown ranks below something dropped.
            footer = screen.query_one(KeyFooter)
            shown = {f"{i.display} {i.description}" for i in footer.shown_items()}
            assert shown == set(items)
            dropped = [i for i in footer.items if f"{i.display} {i.description}" not in shown]
            if dropped:
                assert max(i.rank for i in footer.shown_items()) <= min(i.rank for i in dropped), (spec.name, line)


async def test_the_footer_follows_the_keymap(make_app: Any) -> None:
    app = make_app(keymap={"instances.power_off": "P"})
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, "instances")
        items = painted_items(footer_line(app))
        assert "P Power off" in items
        assert "p Power off" not in items


async def test_read_only_hides_mutations_from_the_footer(make_app: Any) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, "instances")
        items = painted_items(footer_line(app))
        assert "s SSH" in items and "? Help" in items
        for label in ("n New", "p Power off", "u Power on", "D Delete", "C Change OS", "z Resize"):
            assert label not in items


async def test_the_footer_follows_the_focus(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        assert "n New" in painted_items(footer_line(app))
        await pilot.press("slash")  # the filter box takes the letters: their keys are not offered meanwhile
        await wait_for(pilot, lambda: "n New" not in painted_items(footer_line(app)))
        assert "/ Filter" in painted_items(footer_line(app))
        await pilot.press("w", "e", "b", "enter")
        await wait_for(pilot, lambda: "n New" in painted_items(footer_line(app)))


async def test_clicking_a_footer_item_presses_its_key(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        footer = screen.query_one(KeyFooter)
        [painted] = painted_region(app, footer.region)
        await pilot.click(KeyFooter, offset=(painted.index("? Help"), 0))  # on the key, as painted
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))


async def test_the_footer_is_not_repainted_when_nothing_it_shows_changed(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await settle(pilot)
        footer = screen.query_one(KeyFooter)
        painted = 0
        original = footer.render

        def counting_render() -> Any:
            nonlocal painted
            painted += 1
            return original()

        footer.render = counting_render  # type: ignore[method-assign]
        await pilot.press("down", "down", "down", "up")
        await pilot.press("question_mark")  # a dialog opened and closed: the screen's bindings are the same
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await settle(pilot)
        assert painted == 0


def _item(label: str, rank: int, order: int, palette: bool = False) -> FooterItem:
    key, _, description = label.partition(" ")
    return FooterItem(key, key, description, True, rank, order, palette)


def test_fit_drops_whole_items_strictly_by_rank() -> None:
    items = (
        _item("/ Filter", 30, 0),
        _item("n New", 10, 1),
        _item("C Change-OS", 10, 2),
        _item("D Delete", 10, 3),
        _item(": Go-to", 20, 4),
        _item("? Help", ALWAYS, 5),
        _item("^p palette", 40, 6, palette=True),
    )
    widths = {i.description: i.width for i in items}
    assert widths["New"] == len(" n New ")
    everything = sum(widths.values())
    assert [i.description for i in fit(items, everything)] == [
        "Filter",
        "New",
        "Change-OS",
        "Delete",
        "Go-to",
        "Help",
        "palette",
    ]
    # Room for Help, New and Delete but not Change-OS: Delete (same rank) stays, lower ranks go.
    room = widths["Help"] + widths["New"] + widths["Delete"] + 2
    assert [i.description for i in fit(items, room)] == ["New", "Delete", "Help"]
    assert fit(items, 3) == []
