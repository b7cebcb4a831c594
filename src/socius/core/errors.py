"""Domain errors: raised by services and selectors, rendered once for pages and for JSON."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused the operation.

    ``code`` is stable and machine-readable (clients branch on it); ``message`` is for
    people and may be translated; ``details`` carries structured context.
    """

    code: ClassVar[str] = "domain_error"
    status_code: ClassVar[int] = 400
    default_message: ClassVar[Any] = _("The operation was refused.")

    def __init__(self, message: Any = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class Forbidden(DomainError):
    code = "forbidden"
    status_code = 403
    default_message = _("You are not allowed to do this.")


class Conflict(DomainError):
    code = "conflict"
    status_code = 409
    default_message = _("The operation conflicts with the current state.")


class InvalidInput(DomainError):
    code = "invalid_input"
    status_code = 422
    default_message = _("The input is not valid.")


class RateLimited(DomainError):
    code = "rate_limited"
    status_code = 429
    default_message = _("Too many attempts. Please wait and try again.")

    def __init__(
        self, message: Any = None, *, retry_after: int, details: dict[str, Any] | None = None
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, details={"retry_after": retry_after, **(details or {})})


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    default_message = _("The pagination cursor is not valid.")
