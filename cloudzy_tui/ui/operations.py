"""The console's face of the operations layer: ask what an operation's confirmation says, run it, show the outcome.

Every mutating key of the console ends in ``app.ops.execute(...)`` (``cloudzy_tui/ops/session.py``), which applies
the rails; this module only decides how to ask (a dialog, a form) and how to show what happened (a toast; a secret in
a dialog shown once). Lists on display are updated by the app's outcome listener, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from rich.text import Text

from cloudzy_tui.ops import Confirmation, Operation, Outcome, Refused
from cloudzy_tui.ui.modals.form import FormError, FormField
from cloudzy_tui.ui.modals.text_view import TextViewModal
from cloudzy_tui.ui.text import clean, safe_text

if TYPE_CHECKING:
    from cloudzy_tui.ui.resources.base import ActionCall
    from cloudzy_tui.ui.services import Console


def confirmation_text(confirmation: Confirmation) -> Text:
    """The operation's plain message as literal text: the question in bold, the consequences after it."""
    question, _, rest = confirmation.message.partition("\n")
    text = safe_text(question, style="bold", single_line=False, max_length=2000)
    if rest:
        text.append("\n")
        text.append_text(safe_text(rest, single_line=False, max_length=4000))
    return text


async def ask_confirmation(app: Console, confirmation: Confirmation) -> object:
    """Ask what ``confirmation`` says; the answer for ``execute(confirm=...)`` (``None`` when declined)."""
    if confirmation.level == "none":
        return None
    require = confirmation.require if confirmation.level == "type" else None
    confirmed = await app.confirm(
        confirmation.title,
        confirmation_text(confirmation),
        confirm_label=confirmation.verb,
        require=require,
        require_label=confirmation.require_label,
    )
    if not confirmed:
        return None
    return confirmation.require if confirmation.level == "type" else True


async def check(app: Console, op: Operation[Any], item: Any, params: BaseModel | None = None) -> bool:
    """The rails before asking anything (so nobody fills a form to be refused); a toast says why not."""
    refusal = await app.ops.refusal(op, item, params)
    if refusal is not None:
        app.toast(refusal.message, severity="warning", timeout=8)
        return False
    return True


async def run_op(
    call: ActionCall[Any],
    op: Operation[Any],
    params: BaseModel | Mapping[str, Any] | None = None,
) -> Outcome | None:
    """Ask (if the operation says so), run, show: the generic action runner."""
    app = call.app
    model = app.ops.parse_params(op, params)
    if not await check(app, op, call.item, model):
        return None
    confirmation = app.ops.confirmation(op, call.item, model)
    answer = await ask_confirmation(app, confirmation)
    if confirmation.level != "none" and answer is None:
        return None
    try:
        outcome = await app.ops.execute(op, call.item, model, confirm=answer)
    except Refused as refusal:
        app.toast(refusal.message, severity="warning", timeout=8)
        return None
    await show_outcome(app, op, outcome)
    return outcome


async def show_outcome(app: Console, op: Operation[Any], outcome: Outcome) -> None:
    """The toast with what happened; a secret (a new password) in a dialog, shown once."""
    if outcome.secret is not None:
        secret = outcome.secret
        outcome.secret = None
        app.toast(outcome.message, title=op.title)
        await app.ask(TextViewModal(f"{op.title} — shown once", secret, copy_label="Copy"))
        del secret
        return
    app.toast(outcome.message, title=op.title)


def typed_confirmation_field(confirmation: Confirmation) -> FormField | None:
    """For a form that is its own confirmation: the field where the name must be typed (``type`` level only)."""
    if confirmation.level != "type" or confirmation.require is None:
        return None
    return FormField(
        "confirm",
        f"Type the {confirmation.require_label} ({clean(confirmation.require, max_length=40)}) to confirm",
        required=True,
    )


async def execute_in_form(
    app: Console,
    op: Operation[Any],
    item: Any,
    params: BaseModel | Mapping[str, Any] | None,
    values: Mapping[str, Any],
) -> Outcome:
    """A form's submit: the form was the confirmation (its typed field, when there is one, is the answer).

    Errors stay in the form: a pydantic error or a 422 at its field, a refusal or any other error above the buttons.
    """
    model = app.ops.parse_params(op, params)
    confirmation = app.ops.confirmation(op, item, model)
    answer: object = True
    if confirmation.level == "type":
        answer = str(values.get("confirm") or "")
        if answer != confirmation.require:
            raise FormError({"confirm": f"type the {confirmation.require_label} exactly to confirm"})
    try:
        return await app.ops.execute(op, item, model, confirm=answer)
    except Refused as refusal:
        raise FormError(general=refusal.message) from None
