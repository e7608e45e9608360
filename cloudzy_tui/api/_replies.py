"""Reading the API's replies: JSON (with absurd integers tamed), what a body that is not JSON looks like, the
envelope's detail, a 422's field errors and a 460's balances, and the texts of events.

Split from :mod:`cloudzy_tui.api._transport` (which decides what a reply *means*: retries, errors, events); these
are the pure functions it reads replies with. Every text taken from a reply is scrubbed of the token
(:func:`cloudzy_tui.api.errors.shorten`) before it is cut or stored.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from typing import Any

import httpx

from cloudzy_tui.api.errors import CloudzyError, FieldError, LowBalanceError, field_error_from_loc, shorten

#: what :func:`parse_json` returns for a body that is not JSON
NOT_JSON = object()


#: a JSON integer with more digits than this is no count, size, price or time: it is read as a float (infinity
#: once beyond a float's range), which every consumer treats as "not a number", instead of an ``int`` whose
#: conversion to ``float`` for display raises ``OverflowError``
MAX_INT_DIGITS = 300


def parse_int(text: str) -> int | float:
    if len(text) > MAX_INT_DIGITS:
        return float(text)
    return int(text)


def parse_json(content: bytes) -> Any:
    if not content.strip():
        return NOT_JSON
    try:
        return jsonlib.loads(content, parse_int=parse_int)
    except (ValueError, RecursionError):
        return NOT_JSON


def json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def describe_body(response: httpx.Response) -> str:
    content = response.content
    if not content.strip():
        return "an empty body"
    ctype = response.headers.get("Content-Type", "").lower()
    head = content[:512].decode("utf-8", "replace").lstrip()
    lowered = head.lower()
    if "html" in ctype or lowered.startswith(("<!doctype html", "<html", "<head", "<body")):
        return "an HTML page"
    if "json" in ctype or head[:1] in ("{", "["):
        return f"JSON that could not be parsed ({len(content)} bytes, truncated?)"
    return f"a non-JSON body ({shorten(head, 60)!r})"


def detail_text(env: Mapping[str, Any]) -> str | None:
    """The most specific human text of an envelope: ``data.detail`` if it is a string, else ``detail``."""
    data = env.get("data")
    if isinstance(data, dict) and isinstance(data.get("detail"), str) and data["detail"].strip():
        return shorten(data["detail"])
    detail = env.get("detail")
    if isinstance(detail, str) and detail.strip():
        return shorten(detail)
    if isinstance(detail, int | float) and not isinstance(detail, bool):
        return str(detail)
    return None


def field_errors(env: Mapping[str, Any]) -> list[FieldError]:
    """Field errors of a 422: ``detail`` (FastAPI format), or ``data`` when a server wraps them there."""
    candidates = [env.get("detail"), env.get("data")]
    data = env.get("data")
    if isinstance(data, dict):
        candidates += [data.get("detail"), data.get("errors")]
    for items in candidates:
        if not isinstance(items, list):
            continue
        out: list[FieldError] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            loc = item.get("loc")
            loc_items: list[Any] = list(loc) if isinstance(loc, list | tuple) else ([loc] if loc else [])
            loc_items = [x if isinstance(x, int) and not isinstance(x, bool) else shorten(x, 80) for x in loc_items]
            message = shorten(item.get("msg") or item.get("message") or "invalid value", 200)
            type_ = item.get("type")
            out.append(field_error_from_loc(loc_items, message, shorten(type_, 60) if type_ else None))
        if out:
            return out
    return []


def to_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def to_int(value: Any) -> int | None:
    number = to_float(value)
    return int(number) if number is not None else None


def low_balance(env: Mapping[str, Any], detail: str | None, where: dict[str, Any]) -> LowBalanceError:
    data = env.get("data") if isinstance(env.get("data"), dict) else {}
    assert isinstance(data, dict)
    required = to_float(data.get("minimumRequiredBalance"))
    balance = to_float(data.get("customerBalance"))
    if required is not None and balance is not None:
        message = f"Balance too low: {required:.2f} required, {balance:.2f} available"
    elif required is not None:
        message = f"Balance too low: {required:.2f} required"
    else:
        top = env.get("detail")
        said = shorten(top) if isinstance(top, str) and top.strip() else "add funds and retry"
        message = f"Balance too low: {said}"
    return LowBalanceError(
        message,
        minimum_required_balance=required,
        customer_balance=balance,
        days=to_int(data.get("numberOfDaysBalanceValidatedAgainst")),
        active_instance_count=to_int(data.get("activeInstanceCount")),
        **where,
    )


def maybe_done(method: str) -> str:
    """For a change answered 2xx with an unreadable body: it probably happened."""
    if method == "GET":
        return ""
    return " The change was probably made: check before trying again."


def event_error(error: CloudzyError) -> str:
    return f"{type(error).__name__}: {error.message}"
