"""Errors a handler raises; the app turns them into the reference's error bodies."""

from __future__ import annotations

from typing import Any

ErrorItem = dict[str, Any]


class ApiError(Exception):
    """An error answered with the standard envelope:
    ``{"detail": msg, "code": "FAILED", "data": {"statusCode": status, "detail": msg}}``."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str = "FAILED",
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.data = data if data is not None else {"statusCode": status, "detail": detail}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, "data": self.data}


class BadRequest(ApiError):
    """400: the request is well formed but cannot be honoured (region inactive, out of stock...)."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


class NotFound(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(404, detail)


class Conflict(ApiError):
    """409: the object is in a state that does not allow the action."""

    def __init__(self, detail: str) -> None:
        super().__init__(409, detail)


class LowBalance(ApiError):
    """460 with the reference's exact body."""

    def __init__(self, required: float, available: float, active_instances: int, days: int = 30) -> None:
        super().__init__(
            460,
            "You don't have enough balance for the selected product.",
            code="BALANCE_IS_NOT_SUFFICIENT",
            data={
                "minimumRequiredBalance": round(required, 2),
                "customerBalance": f"{available:.2f}",
                "numberOfDaysBalanceValidatedAgainst": days,
                "activeInstanceCount": active_instances,
            },
        )


class ValidationFailed(Exception):
    """422 ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}`` (FastAPI/pydantic v1 style, no code)."""

    def __init__(self, errors: list[ErrorItem]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {"detail": self.errors}


def error_item(loc: list[str | int] | tuple[str | int, ...], msg: str, type_: str) -> ErrorItem:
    return {"loc": list(loc), "msg": msg, "type": type_}
