"""Programmable faults and the rate limiter (the request log and counters are in ``traffic``)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class FaultRule:
    """Answer the next ``times`` requests matching ``method`` and ``path_prefix`` with ``status``.

    - ``method``: ``"GET"``, ``"POST"``... or None for any method.
    - ``path_prefix``: matched against the path relative to ``/developers`` (``"/v1/instances"`` also
      matches ``/v1/instances/{id}/poweron``); a leading ``/developers`` is accepted and ignored.
    - ``status``: the HTTP status to answer; its body is ``body`` (raw bytes, sent as-is: HTML if it starts
      with ``<``, else JSON content type) or the standard FAILED envelope. None means "answer normally"
      (useful with ``delay_ms``).
    - ``retry_after``: adds a ``Retry-After`` header (seconds).
    - ``times``: how many matching requests; None = all of them until ``sim.faults.clear()``.
    - ``after``: apply the request first (state changes happen), then replace the reply -- a POST that
      took effect but whose answer was lost (e.g. ``status=504, after=True``).
    - ``reset``: drop the connection instead of answering (after a partial reply). In-process, the client
      sees ``httpx.RemoteProtocolError``; on a socket the connection closes mid-response.
      Combine with ``after=True`` for "applied, then the connection died".
    - ``delay_ms``: sleep this long before answering (timeouts on a real socket).
    """

    method: str | None = None
    path_prefix: str = "/"
    status: int | None = 503
    times: int | None = 1
    retry_after: float | None = None
    body: bytes | None = None
    reset: bool = False
    after: bool = False
    delay_ms: float = 0
    #: how many requests this rule has answered
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method not in ("*", method.upper()):
            return False
        return path.startswith(self.path_prefix)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


@dataclass
class FaultQueue:
    """``sim.faults``: programmable faults, checked in the order they were added."""

    rules: list[FaultRule] = field(default_factory=list)

    def add(
        self,
        method: str | None = None,
        path_prefix: str = "/",
        status: int | None = 503,
        times: int | None = 1,
        retry_after: float | None = None,
        body: bytes | None = None,
        reset: bool = False,
        after: bool = False,
        delay_ms: float = 0,
    ) -> FaultRule:
        prefix = path_prefix if path_prefix.startswith("/") else "/" + path_prefix
        if prefix.startswith("/developers"):
            prefix = prefix[len("/developers") :] or "/"
        rule = FaultRule(
            method=method.upper() if method else None,
            path_prefix=prefix,
            status=status,
            times=times,
            retry_after=retry_after,
            body=body,
            reset=reset,
            after=after,
            delay_ms=delay_ms,
        )
        self.rules.append(rule)
        return rule

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first rule matching this request, counted as used; exhausted rules are dropped."""
        for rule in self.rules:
            if rule.matches(method, path):
                rule.hits += 1
                if rule.exhausted:
                    self.rules.remove(rule)
                return rule
        return None

    def clear(self) -> None:
        self.rules.clear()

    def __len__(self) -> int:
        return len(self.rules)


class RateLimiter:
    """Admit at most ``limit`` requests in any sliding one-second window."""

    def __init__(self) -> None:
        self._admitted: deque[float] = deque()

    def allow(self, now: float, limit: int) -> bool:
        if limit <= 0:
            return True
        while self._admitted and self._admitted[0] <= now - 1.0:
            self._admitted.popleft()
        if len(self._admitted) >= limit:
            return False
        self._admitted.append(now)
        return True
