"""Showing a service's refusal at the form field it names (DOMAIN: keep the clerk's input)."""

from __future__ import annotations

from desktop.views.kit.worker import show_error
from desktop.views.year.year_view import show_at


class FieldErrorDialog:
    """Mixin for a dialog with `errors` (field → error label), `focus_of` (field → widget) and
    `ok_button`: a refusal naming one of its fields is shown under that field, which takes the
    focus; anything else goes to the usual message box. The typed input stays."""

    def show_error(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        name = getattr(exc, "field", None)
        if name in self.errors and getattr(exc, "message", None):
            show_at(self.errors[name], exc.message)
            self.focus_of[name].setFocus()
        else:
            show_error(self, exc)
