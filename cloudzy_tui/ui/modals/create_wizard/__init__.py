"""The create-instance wizard: region → class → plan → software → hostnames → SSH keys → network → billing → review.

- the order itself, its rules and its request: :mod:`cloudzy_tui.ops.create_draft` (no UI);
- ``labels.py``: what is shown (Rich text from the draft); ``steps.py``: one thin view per step;
- ``screen.py``: :class:`CreateWizard`, navigation, errors on their fields, sending and a lost answer;
- ``run.py``: :func:`run_create_wizard`, what the instances screen calls.
"""

from cloudzy_tui.ops.create_draft import STEP_IDS, STEPS, Draft
from cloudzy_tui.ops.create_offer import os_min_ram_mb, parse_hostnames, product_class
from cloudzy_tui.ui.modals.create_wizard.run import run_create_wizard
from cloudzy_tui.ui.modals.create_wizard.screen import CreateWizard

__all__ = [
    "STEPS",
    "STEP_IDS",
    "CreateWizard",
    "Draft",
    "os_min_ram_mb",
    "parse_hostnames",
    "product_class",
    "run_create_wizard",
]
