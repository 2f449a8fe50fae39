"""The types of the commands' arguments and options: a day, a time, one word of a closed list, a
provider (by id or name), an id in CQC's form; and the checks of values several commands make."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from cqc_ledger.cli.opening import opened
from cqc_ledger.events.vocabulary import QUESTION_WORDS, QUESTIONS, matcher, normalise, suggestion
from cqc_ledger.ledger.application import utc_now
from cqc_ledger.ledger.records import after_now, id_refusal, is_id, parse_time
from cqc_ledger.projections import answers


class Day(click.ParamType):
    """A day, as YYYY-MM-DD."""

    name = "DAY"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f'"{value}" is not a day like 2018-01-01', param, ctx)


class Moment(click.ParamType):
    """A time, as ISO 8601 (a bare day means its end), taken as UTC without a zone; not after
    now (`records.after_now`), which nothing recorded yet can answer."""

    name = "TIME"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = parse_time(value)
        except ValueError:
            self.fail(f'"{value}" is not a time like 2019-03-01 or 2019-03-01T12:00:00Z', param, ctx)
        refusal = after_now(value, moment, utc_now())
        if refusal:
            self.fail(refusal, param, ctx)
        return moment


class Loose(click.ParamType):
    """One word of a closed list, matched as the README promises: without regard to case, `-`,
    `_` or spaces (`requires-improvement` is "Requires improvement"); the value is the list's own word."""

    def __init__(self, words: tuple[str, ...], name: str = "WORD"):
        self.words = words
        self.table = matcher(words)
        self.name = name

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        found = self.table.get(normalise(str(value)))
        if found is None:
            self.fail(f'"{value}" is not one of: {", ".join(self.words)}{suggestion(str(value), self.words)}', param, ctx)
        return found


class ProviderName(click.ParamType):
    """A provider id, or a name (current or former, of the provider or of one of its locations)
    that stands for exactly one provider; an ambiguous name is refused, listing the candidates."""

    name = "PROVIDER"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        with opened(ctx) as ledger:
            return answers.provider_id(ledger, value)


PROVIDER = ProviderName()


class CqcId(click.ParamType):
    """A provider id in CQC's form (an ODS code or a CQC number), refused before it is used (in
    an address of CQC's API, say); a lower-case id with the id it may mean."""

    name = "ID"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        if not is_id(str(value)):
            self.fail(id_refusal(str(value)), param, ctx)
        return str(value)


def question(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A key question, overall or combined, in any case (a callback of --question)."""
    found = QUESTION_WORDS.get(normalise(value))
    if found is None:
        raise click.BadParameter(f'"{value}" is not a question: use one of {", ".join(QUESTIONS)}')
    return found


def period(start: date, end: date) -> None:
    """--from and --to in order (a usage error otherwise)."""
    if start > end:
        raise click.BadParameter(f"{start} is after --to {end}", param_hint="--from")
