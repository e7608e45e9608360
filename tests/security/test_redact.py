"""The one scrub (``api/redact.py``), form by form: as it is, any case, percent-encoded, split across lines or by
invisible characters, mixed, cut by the server at the end of its text; and the two places that apply it by
construction (``shorten`` before it cuts, every exception and field error on what it is built with)."""

from __future__ import annotations

import pytest

from cloudzy_tui.api.errors import FieldError, NotFoundError, shorten
from cloudzy_tui.api.redact import MIN_SECRET_LENGTH, REDACTED, SecretRegistry, register_secret

from .echo import FORMS, TOKEN, encoded, exposed, sentence

# ------------------------------------------------------------------------------------------------ the scrub itself


@pytest.mark.parametrize("form", FORMS)
def test_every_form_of_the_token_is_replaced(form: str) -> None:
    registry = SecretRegistry()
    registry.add(TOKEN)
    text = sentence(TOKEN, form)
    assert exposed(text)  # the check sees it
    cleaned = registry.scrub(text)
    assert not exposed(cleaned), cleaned[:300]
    assert REDACTED in cleaned
    assert cleaned.startswith("API-Token ***") or form == "long"


def test_a_token_inside_other_text_and_several_times() -> None:
    registry = SecretRegistry()
    registry.add(TOKEN)
    text = f"a{TOKEN}b {TOKEN.upper()} https://x.example/?t={encoded(TOKEN, 'percent')}&u=1"
    assert registry.scrub(text) == "a***b *** https://x.example/?t=***&u=1"


def test_ordinary_text_is_left_alone() -> None:
    registry = SecretRegistry()
    registry.add(TOKEN)
    text = "Echo SECRET token 4f7a9c2e1 is not the token; Echo-SECRET-token-4f7a9c2e1c is another"
    assert registry.scrub(text) == text


def test_short_secrets_are_not_registered_and_the_registry_never_shows_values() -> None:
    registry = SecretRegistry()
    registry.add("x" * (MIN_SECRET_LENGTH - 1))
    registry.add("")
    registry.add(None)
    assert len(registry) == 0
    registry.add(f"  {TOKEN}\n")  # as pasted: the value and the value stripped
    assert registry.scrub(f"[{TOKEN}]") == "[***]"
    assert TOKEN not in repr(registry)


def test_the_longer_of_two_overlapping_secrets_wins() -> None:
    registry = SecretRegistry()
    registry.add("abcdefgh")
    registry.add("abcdefgh-ijklmnop")
    assert registry.scrub("x abcdefgh-ijklmnop y") == "x *** y"


def test_json_data_is_scrubbed_in_every_string_and_key() -> None:
    registry = SecretRegistry()
    registry.add(TOKEN)
    data = {"a": [TOKEN, {"b": f"x{TOKEN}"}], TOKEN: 1, "n": 5}
    assert registry.scrub_data(data) == {"a": ["***", {"b": "x***"}], "***": 1, "n": 5}
    assert registry.appears_in(f'{{"x": "{encoded(TOKEN, "percent")}"}}'.encode())
    assert registry.appears_in(f"x{TOKEN}y".encode())
    assert registry.appears_in(encoded(TOKEN, "percent").lower().encode())
    assert not registry.appears_in(b'{"x": "nothing"}')


def test_passwords_are_scrubbed_from_text_but_not_hunted_in_data() -> None:
    registry = SecretRegistry()
    registry.add("Pa55word-from-change-pass", "password")
    assert registry.scrub("your Pa55word-from-change-pass here") == "your *** here"
    assert not registry.appears_in(b"Pa55word-from-change-pass")


def test_shorten_scrubs_before_it_cuts() -> None:
    register_secret(TOKEN)
    text = "x" * 185 + " API-Token " + TOKEN + " " + "y" * 1000
    cut = shorten(text, 200)
    assert len(cut) <= 200
    assert not exposed(cut), cut


def test_exceptions_and_field_errors_scrub_what_they_are_built_with() -> None:
    register_secret(TOKEN)
    text = sentence(TOKEN, "split")
    err = NotFoundError(text, detail=text, code=text, path=f"/v1/instances/{TOKEN}")
    for value in (str(err), repr(err), err.args, err.detail, err.code, err.path):
        assert not exposed(str(value))
    field = FieldError(loc=("body", TOKEN, 1), field=TOKEN, index=1, message=text, type=text)
    assert not exposed(repr(field)) and not exposed(str(field))


def test_a_token_cut_by_the_server_is_recognised_at_the_cut() -> None:
    registry = SecretRegistry()
    registry.add(TOKEN)
    half = (len(TOKEN) + 1) // 2
    assert registry.scrub(f"API-Token {TOKEN[:-1]}") == "API-Token ***"
    assert registry.scrub(f"API-Token {TOKEN[:half]}...") == "API-Token ***"
    assert registry.scrub(f"API-Token {encoded(TOKEN, 'percent')[:-1]}") == "API-Token ***"  # half an escape
    assert registry.scrub(f"{TOKEN[-half:]} is not allowed") == "*** is not allowed"
    # Less than half, or not at a cut: ordinary text.
    assert registry.scrub(f"API-Token {TOKEN[: half - 1]}") == f"API-Token {TOKEN[: half - 1]}"
    assert registry.scrub(f"x {TOKEN[:half]} y") == f"x {TOKEN[:half]} y"
