"""Handlers named by their entry types' names (`projections.handlers.ByName`): registered the first time
the function meets an entry it has no handler for, so a module of handlers loads without the
entry types, and answers as if they had been registered as it loaded."""

from __future__ import annotations

import threading
from datetime import date
from functools import singledispatch
from typing import Any

import pytest

from cqc_ledger.events.corrections import EntryRetracted
from cqc_ledger.events.provider import ProviderRenamed
from cqc_ledger.projections.handlers import ByName


def a_function() -> tuple[Any, ByName]:
    @singledispatch
    def said(entry: object) -> str:
        if handles.register():
            return said(entry)
        raise TypeError(f"no handler for {type(entry).__name__}")

    handles = ByName(said)

    @handles("ProviderRenamed")
    def _(entry: ProviderRenamed) -> str:
        return f"renamed {entry.name}"

    return said, handles


def test_a_handler_named_is_registered_when_first_needed_and_then_answers():
    # Given a function whose handler names its type
    said, handles = a_function()
    assert ProviderRenamed not in said.registry
    # When it meets an entry of that type, then it answers by the handler, now registered
    assert said(ProviderRenamed(provider_id="RWP", on=date(2020, 1, 1), name="A")) == "renamed A"
    assert said.registry[ProviderRenamed].__name__ == "_"
    assert handles.pending == []


def test_a_type_with_no_handler_is_still_refused_once_every_handler_is_registered():
    said, _ = a_function()
    with pytest.raises(TypeError, match="no handler for EntryRetracted"):
        said(EntryRetracted(provider_id="RWP", ref="RWP/1", reason="typo"))


def test_threads_meeting_their_first_entries_at_once_all_find_the_handler():
    said, _ = a_function()
    entry = ProviderRenamed(provider_id="RWP", on=date(2020, 1, 1), name="A")
    start, answers = threading.Barrier(8), []

    def ask() -> None:
        start.wait()
        answers.append(said(entry))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["renamed A"] * 8
