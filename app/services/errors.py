"""Typed domain errors. The web layer maps each to an HTTP status and shows its message."""
from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFoundError(DomainError):
    """Also raised for objects outside the caller's scope, so that they look absent."""
    status = 404


class ForbiddenError(DomainError):
    status = 403


class ValidationError(DomainError):
    status = 422


class ConflictError(DomainError):
    status = 409


class AuthenticationError(DomainError):
    status = 401


class AccountLockedError(AuthenticationError):
    status = 423


class BadRequestError(DomainError):
    """A malformed request parameter (e.g. a page number that is not a number)."""
    status = 400
