"""The operations layer: every operation defined once, its policy applied once, for every face. No Textual.

``Session.execute(operation, target, params, confirm=...)`` is the only way an operation runs; see
``ops/session.py`` for the rules it applies and ``ops/model.py`` for what an operation is.
"""

from cloudzy_tui.ops.model import Confirmation, InstanceRef, JobRef, Operation, Outcome, Refused
from cloudzy_tui.ops.policy import Policy
from cloudzy_tui.ops.registry import OPERATIONS, RESOURCES, operation, operations_on, resolve_resource, resource_named
from cloudzy_tui.ops.resources import AmbiguousError, Field, Filter, Resource
from cloudzy_tui.ops.session import Session

__all__ = [
    "OPERATIONS",
    "RESOURCES",
    "AmbiguousError",
    "Confirmation",
    "Field",
    "Filter",
    "InstanceRef",
    "JobRef",
    "Operation",
    "Outcome",
    "Policy",
    "Refused",
    "Resource",
    "Session",
    "operation",
    "operations_on",
    "resolve_resource",
    "resource_named",
]
