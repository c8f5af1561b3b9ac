"""The op bridge: how a view asks a service for something, in the manner of Anki's QueryOp/CollectionOp.

    query(self, "rows", list_parks, town_id=3, done=self._loaded)
    write(self, park_service.delete, park_id, done=lambda _n: ...)

The service function gets the ledger first, then the plain arguments. The lane job is built here
from the function and its arguments only, so it never holds a widget (arguments that are Qt
objects are refused). The answer is handed back on the GUI thread only while `owner` lives, and
for a keyed query only if it is the owner's latest request of that key. A write announces the
tables it changed, once, from the write itself (the flush hook collects them): no view calls
`changed(...)` by hand. Errors go to `failed`, or to `show_error` under the owner.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import weakref
from typing import TYPE_CHECKING, Any, Callable

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from desktop.views.kit.worker import CancelToken, run_with_progress, show_error

if TYPE_CHECKING:
    from desktop.services.ledger import Ledger

_serial = itertools.count(1)
# owner → {key: serial of the latest request}; weak so a closed page leaves nothing behind
_latest: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _alive(owner: QObject | None) -> bool:
    return owner is None or shiboken6.isValid(owner)


def _plain(values) -> None:
    for v in values:
        if isinstance(v, QObject):
            raise TypeError(f"a lane job may not carry a Qt object ({type(v).__name__})")


def context_of(owner: QObject):
    """The AppContext of a page or dialog: its own `ctx`, or the nearest parent's."""
    node = owner
    while node is not None:
        ctx = getattr(node, "ctx", None)
        if ctx is not None:
            return ctx
        node = node.parent()
    raise LookupError(f"{type(owner).__name__} has no AppContext (ctx) above it")


def _deliver(owner: QObject | None, key: str | None, serial: int, callback: Callable | None) -> Callable:
    def deliver(value):
        if not _alive(owner):
            return
        if key is not None and _latest.get(owner, {}).get(key) != serial:
            return  # a newer request of the same key has been made: this answer is stale
        if callback is not None:
            callback(value)
    return deliver


def _failure(owner: QObject | None, key: str | None, serial: int, failed: Callable | None) -> Callable:
    def on_error(exc: BaseException):
        if failed is not None:
            _deliver(owner, key, serial, failed)(exc)
        elif _alive(owner):
            show_error(owner if isinstance(owner, QWidget) else None, exc)
    return on_error


def _register(owner: QObject, key: str | None) -> int:
    serial = next(_serial)
    if key is not None:
        _latest.setdefault(owner, {})[key] = serial
    return serial


def query(owner: QObject, key: str | None, fn: Callable, *args, done: Callable | None = None,
          failed: Callable | None = None, **kwargs) -> None:
    """Read through `fn(ledger, *args, **kwargs)` on the lane; `done(result)` on the GUI thread."""
    _plain(args)
    _plain(kwargs.values())
    ctx = context_of(owner)
    serial = _register(owner, key)
    job = functools.partial(fn, ctx.ledger, *args, **kwargs)
    ctx.worker.run(job, _deliver(owner, key, serial, done), _failure(owner, key, serial, failed))


def aside(owner: QObject, key: str | None, fn: Callable, *args, done: Callable | None = None,
          failed: Callable | None = None, **kwargs) -> None:
    """A long read through `fn(ledger, *args, token=…, **kwargs)` on a thread beside the lane (Worker.run_aside),
    answered like `query`; `fn` reads through a connection of its own and stops when the token is cancelled."""
    _plain(args)
    _plain(kwargs.values())
    ctx = context_of(owner)
    serial = _register(owner, key)
    job = functools.partial(_with_token, fn, ctx.ledger, args, kwargs)
    ctx.worker.run_aside(job, _deliver(owner, key, serial, done), _failure(owner, key, serial, failed))


def _with_token(fn: Callable, ledger: Ledger, args: tuple, kwargs: dict, token) -> Any:
    return fn(ledger, *args, token=token, **kwargs)


def write(owner: QObject, fn: Callable, *args, done: Callable | None = None,
          failed: Callable | None = None, **kwargs) -> None:
    """Change the ledger through `fn(ledger, *args, **kwargs)`; announce what changed, then `done(result)`.

    The announcement goes out even when the owner has closed meanwhile: other pages must still see it.
    """
    _plain(args)
    _plain(kwargs.values())
    ctx = context_of(owner)
    serial = _register(owner, None)
    ledger = dataclasses.replace(ctx.ledger, changes=set())
    job = functools.partial(_tracked, fn, ledger, args, kwargs)
    deliver = _deliver(owner, None, serial, done)

    def finished(answer):
        result, tables = answer
        ctx.announce(tables)
        deliver(result)

    def on_error(exc):
        ctx.announce(ledger.changes)  # a refused write changes nothing; a partial one never commits
        _failure(owner, None, serial, failed)(exc)

    ctx.worker.run(job, finished, on_error)


def _tracked(fn: Callable, ledger: Ledger, args: tuple, kwargs: dict) -> tuple[Any, frozenset[str]]:
    result = fn(ledger, *args, **kwargs)
    return result, frozenset(ledger.changes)


def long_write(owner: QWidget, title: str, fn: Callable, *args, done: Callable | None = None,
               failed: Callable | None = None, **kwargs) -> CancelToken:
    """Long work with progress and 取消: `fn(ledger, *args, progress=…, token=…, **kwargs)`."""
    _plain(args)
    _plain(kwargs.values())
    ctx = context_of(owner)
    ledger = dataclasses.replace(ctx.ledger, changes=set())
    serial = _register(owner, None)
    deliver = _deliver(owner, None, serial, done)

    def job(progress, token):
        return fn(ledger, *args, progress=progress, token=token, **kwargs)

    def finished(result):
        ctx.announce(ledger.changes)
        deliver(result)

    def on_error(exc):
        ctx.announce(ledger.changes)
        _failure(owner, None, serial, failed)(exc)

    return run_with_progress(owner, ctx.worker, title, job, finished, on_error)


def forget(owner: QObject, key: str) -> None:
    """Drop the pending answer of `key` (e.g. the page is being reset)."""
    _register(owner, key)
