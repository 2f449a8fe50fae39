"""Reading CQC's answers: each field `sync` uses is checked before it is used, and one that does
not hold what CQC gives there is refused (`InvalidField`) naming the answer's address and the
field: `https://.../changes/provider: totalPages: expected a whole number from 0 to 1000,
found "many"`. Nothing of an answer is iterated, counted or asked for before it is checked.
"""

from __future__ import annotations

from typing import Any

from cqc_ledger.ledger.errors import InvalidField
from cqc_ledger.ledger.parsing import shown
from cqc_ledger.ledger.records import id_refusal, is_id


def refused(url: str, name: str, why: str) -> InvalidField:
    """The refusal of field `name` of the answer from `url`."""
    return InvalidField(f"{url}: {name}: {why}", field=name)


def an_object(url: str, body: Any) -> dict[str, Any]:
    """The answer, a JSON object."""
    if not isinstance(body, dict):
        raise InvalidField(f"{url}: expected a JSON object, found {shown(body)}")
    return body


def the_id(url: str, body: Any, name: str, expected: str, whose: str) -> None:
    """Field `name` holds `expected`, the id of `whose` ("the location asked for")."""
    found = an_object(url, body).get(name)
    if found != expected:
        raise refused(url, name, f'expected "{expected}" ({whose}), found {shown(found)}')


def ids(url: str, body: Any, name: str) -> list[str]:
    """Field `name`, a list of CQC ids (absent or null: none)."""
    found = an_object(url, body).get(name)
    if found is None:
        return []
    if not isinstance(found, list):
        raise refused(url, name, f"expected a list of ids, found {shown(found)}")
    for item in found:
        if not isinstance(item, str):
            raise refused(url, name, f"expected a list of ids, found {shown(item)} in it")
        if not is_id(item):  # never pasted into an address
            raise refused(url, name, id_refusal(item))
    return found


def whole_number(url: str, body: Any, name: str, at_most: int) -> int | None:
    """Field `name`, a whole number from 0 to `at_most` (absent or null: None)."""
    found = an_object(url, body).get(name)
    if found is None:
        return None
    if isinstance(found, bool) or not isinstance(found, int) or not 0 <= found <= at_most:
        raise refused(url, name, f"expected a whole number from 0 to {at_most:,}, found {shown(found)}")
    return found
