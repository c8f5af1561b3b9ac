"""Modules the window's first screen needs, imported ahead: the login dialog has the lane import them while the
clerk types the password (views/accounts/session.py). Imported when the window opened, they held 总览's first
screen back by ~30 ms of the lane's time (its summary's services: progress, deadlines, calendar, bulletins, log).
"""

from __future__ import annotations


def first_screen_services() -> None:
    """What 总览's lane job (views/dashboard/dashboard_view._summary) and the window's start (app.make_window)
    import; tests/test_preload.py checks that after these, reading the summary imports no further service."""
    from desktop.services.dashboard import dashboard_service  # noqa: F401
    from desktop.services.quota import quota_service  # noqa: F401  (the deadline counts import it when asked)
    from desktop.services.year import year_service  # noqa: F401
