"""Typed errors with a Chinese message for the user; the view (or CLI) decides how to show them."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can act on. `message` is Chinese and shown as is."""

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """Bad input; `field` names the form field (code name) when there is one."""


class NotFound(UserError):
    pass


class Refused(UserError):
    """A rule refuses the action (illegal state, cap exceeded …)."""


class DatabaseError(UserError):
    """The database cannot be opened or used: too new, not ours, corrupt, locked."""
