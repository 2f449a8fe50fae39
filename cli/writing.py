"""What a writing command shares: writing an input whole (Ctrl-C told as what it left, before
the write committed or after), recording one entry the command built (`retract`, `correct`), and
saying what was recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from cqc_ledger.cli.emit import emit_json
from cqc_ledger.cli.opening import opened
from cqc_ledger.ledger.application import Follower, Ledger, Outcome, utc_now
from cqc_ledger.ledger.errors import InputError, Interrupted
from cqc_ledger.projections import output, views

T = TypeVar("T")
NOTHING_RECORDED = "nothing of this input was recorded"


class Told:
    """What a Ctrl-C is told as (`told_if_interrupted`): what stands of the input, until the
    write's transaction has committed (`recorded`); after it, that the input was recorded."""

    def __init__(self, what_stands: str):
        self.said = f"interrupted: {what_stands}"

    def recorded(self) -> None:
        """The input's transaction has committed: whatever Ctrl-C stops now, the input stays."""
        self.said = "interrupted after the input was recorded: all of it stands"


@contextmanager
def told_if_interrupted(what_stands: str) -> Iterator[Told]:
    """Ctrl-C inside the block told as `Error: interrupted: <what_stands>`, exit status 1, where
    click would say `Aborted!`: what was written is the block's to say (one transaction rolled
    back: nothing; `sync`: the providers finished before). Once the block's write has committed
    (`Told.recorded`, as `Recording.whole` marks it), a Ctrl-C in what follows (the views' catch-up,
    the statistics, the outcome shown) is told as coming after the input was recorded."""
    told = Told(what_stands)
    try:
        yield told
    except KeyboardInterrupt:
        raise Interrupted(told.said) from None


@contextmanager
def recording(ctx: click.Context, *, creating: bool = False) -> Iterator[Recording]:
    """The one way a command records an input (`record`, `import`, `restore`, `retract`,
    `correct`): the ledger at --db is opened as the block begins (refused, if a writing command
    cannot use it, before the command touches its input: no bar of it drawn, nothing of it read)
    and closed as it ends; inside the block, `Recording.whole` writes the input into the ledger
    as one transaction, and what the command shows of it follows; a Ctrl-C anywhere in the block
    is told as what it left (`told_if_interrupted`): nothing of the input before the write
    committed, all of it after. `creating`: a ledger is created at --db if there is none (and
    removed again if the command fails having recorded nothing into it)."""
    with told_if_interrupted(NOTHING_RECORDED) as told, opened(ctx, writing=True, creating=creating) as ledger:
        yield Recording(ledger, told)


class Recording:
    """A command's input being recorded (`recording`) into the ledger opened for it."""

    def __init__(self, ledger: Ledger, told: Told):
        self.ledger, self.told = ledger, told

    def whole(self, write: Callable[[Ledger, Follower], T]) -> T:
        """What `write` returns, given the ledger and the views' `follow`, as one transaction
        (`views.written`): the Ctrl-C told learns when it has committed (`write` returned), so
        that one after it is not told as having recorded nothing."""

        def whole(follow: Follower) -> T:
            done = write(self.ledger, follow)
            self.told.recorded()
            return done

        return views.written(self.ledger, whole)


def show(outcome: Outcome, as_json: bool, *, done: str = "Recorded") -> None:
    """What a write did: the refs recorded and the lines skipped."""
    if as_json:
        emit_json(output.record.record_json(outcome))
    else:
        click.echo(output.record.record_text(outcome.recorded, outcome.duplicates, done=done))
        for note in outcome.notes:
            click.echo(f"Note: {note}")


def record_one(ctx: click.Context, build: Callable[[], dict[str, Any]], as_json: bool) -> None:
    """Records one entry built by a command, exactly as `record` would record it: the entry
    `build` gives, built once the ledger is open (`correct` reads its replacement there: a ledger
    it cannot use is refused before the replacement is read) and before the write begins."""
    from cqc_ledger.ledger.parsing import LeftOut, no_cell_notes, parse_entry

    found: list[LeftOut] = []  # cells whose rating was a word for none

    with recording(ctx) as writing:
        obj = build()

        def entry_recorded(ledger: Ledger, follow: Follower) -> Outcome:
            entry = parse_entry({k: v for k, v in obj.items() if v is not None}, today=utc_now().date(), left_out=found)
            return ledger.record([(1, entry, None)], followers=[follow])

        try:
            outcome = writing.whole(entry_recorded)
        except InputError as refused:
            refused.line = None  # the command built this entry: there is no line to name
            raise
        outcome.notes.extend(no_cell_notes([(None, where, word) for where, word in found]))
        show(outcome, as_json)
