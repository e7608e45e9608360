"""What the simulator received: the request log's records (``sim.requests``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class RequestRecord:
    """One request the simulator answered.

    ``path`` is relative to ``/developers`` (``"/v1/instances"``; a path outside ``/developers`` is kept
    whole), ``query`` the query string (last value wins), ``status`` the HTTP status sent (``0`` when the
    connection was reset by a fault), ``body`` the JSON body sent by the client (None if empty or not JSON).
    """

    method: str
    path: str
    query: dict[str, str]
    status: int
    body: Any = None
