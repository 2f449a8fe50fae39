"""Handlers of a `functools.singledispatch` fold named by their entry types' names (`ByName`), so
that a module of handlers loads without the entry types."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

Handler = TypeVar("Handler", bound=Callable[..., Any])


class ByName:
    """The handlers of a `functools.singledispatch` function, each for the entry types named,
    registered with it the first time the function meets an entry it has no handler for
    (`register`): naming a type rather than importing it, a module of handlers loads without the
    entry types, and a command that handles no entry (`trusts`, answered from the views) starts
    without making them (`events.ENTRY_TYPES`)."""

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher
        self.pending: list[tuple[str, Callable[..., Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, *names: str) -> Callable[[Handler], Handler]:
        """The decorator of a handler of the entry types named."""

        def kept(handler: Handler) -> Handler:
            self.pending.extend((name, handler) for name in names)
            return handler

        return kept

    def register(self) -> bool:
        """Registers every handler not yet registered; whether there was any (then the function
        may now have a handler it had not). A thread that finds none left finds them all registered."""
        if not self.pending:
            return False
        from cqc_ledger.events import ENTRY_TYPES

        with self._lock:
            for name, handler in self.pending:
                self.dispatcher.register(ENTRY_TYPES[name], handler)
            self.pending.clear()
        return True
