"""`sync` reads CQC's answers before it uses them: an answer in a shape CQC does not give (a
changes feed's page count that is not a number of pages, ids that are not a list of ids, a
location's answer that is another location's or another provider's) is refused naming its
address and field, as `Error: ...` and exit status 1, never a traceback, and nothing of it is
recorded. The stand-in on 127.0.0.1 serves the malformed answers."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from cqc_api_server import KEY, Api, serving
from cqc_data import entries


@pytest.fixture
def api() -> Iterator[Api]:
    yield from serving()


def run_sync(cli, api: Api, *args: str):
    return cli("sync", "--api", api.url, "--key", KEY, "--rate", "100000", *args)


def synced(cli, api: Api, *args: str) -> dict:
    result = run_sync(cli, api, *args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def refused(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    return result.output


def reading_the_feed(cli, api: Api) -> None:
    """A ledger whose next sync reads the changes feed: a full sync is remembered."""
    synced(cli, api, "--provider", "RK9")
    synced(cli, api)
    api.log.clear()


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ({"changes": ["RK9"], "totalPages": "many"}, 'totalPages: expected a whole number from 0 to 1,000, found "many"'),
        ({"changes": ["RK9"], "totalPages": 1_000_000_000}, "totalPages: expected a whole number from 0 to 1,000, found 1000000000"),
        ({"changes": ["RK9"], "totalPages": -1}, "totalPages: expected a whole number from 0 to 1,000, found -1"),
        ({"changes": ["RK9"], "totalPages": 2.5}, "totalPages: expected a whole number from 0 to 1,000, found 2.5"),
        ({"changes": ["RK9"], "totalPages": True}, "totalPages: expected a whole number from 0 to 1,000, found true"),
        ({"changes": "RK9", "totalPages": 1}, 'changes: expected a list of ids, found "RK9"'),
        ({"changes": [901], "totalPages": 1}, "changes: expected a list of ids, found 901 in it"),
        ({"changes": ["RK9/1"], "totalPages": 1}, 'changes: "RK9/1" is not a CQC id'),
        (["RK9"], "expected a JSON object, found"),
    ],
)
def test_a_changes_feed_page_in_a_shape_cqc_does_not_give_is_refused_naming_its_address_and_field(cli, api, answer, why):
    reading_the_feed(cli, api)
    api.changes_page = lambda page: answer

    message = refused(run_sync(cli, api))

    assert message.startswith(f"Error: CQC's changes feed cannot be read: {api.url}/changes/provider: {why}")
    assert message.rstrip().endswith("; nothing was recorded (sync --full reads every provider without it)")
    assert len(api.requests_to("/changes")) == 1 and not api.requests_to("/providers")


def test_a_changes_feed_repeating_its_page_is_refused_and_one_counting_on_stops_at_its_first_empty_page(cli, api):
    reading_the_feed(cli, api)
    # a feed that does not page: every page is the first
    api.changes_page = lambda page: {"changes": ["RK9"], "totalPages": 1000}

    message = refused(run_sync(cli, api))

    assert f"{api.url}/changes/provider: changes: page 2 lists the ids of page 1: the feed is not paging" in message
    assert len(api.requests_to("/changes")) == 2
    # a feed whose count runs on past its ids: read to the first page listing none
    api.log.clear()
    api.changes_page = lambda page: {"changes": ["RK9"] if page == 1 else [], "totalPages": 1000}

    summary = synced(cli, api)

    assert (summary["full"], summary["unchanged"]) == (False, ["RK9"])
    assert len(api.requests_to("/changes/provider")) == 2 and len(api.requests_to("/changes/location")) == 2
    assert entries(cli, "RK9")


@pytest.mark.parametrize(
    ("path", "field", "said", "why"),
    [
        ("/providers/RK9", "providerId", "RH5", 'providerId: expected "RK9" (the provider asked for), found "RH5"'),
        ("/locations/RK901", "locationId", "RK999", 'locationId: expected "RK901" (the location asked for), found "RK999"'),
        ("/locations/RK901", "locationId", None, 'locationId: expected "RK901" (the location asked for), found null'),
        ("/locations/RK901", "providerId", "RH5", 'providerId: expected "RK9" (the provider that lists it), found "RH5"'),
    ],
)
def test_an_answer_about_another_provider_or_location_is_refused_and_nothing_of_its_provider_is_recorded(cli, api, path, field, said, why):
    synced(cli, api, "--provider", "RH5")
    rh5 = entries(cli, "RH5")
    kind, _, ident = path.strip("/").partition("/")
    getattr(api, kind)[ident][field] = said

    result = run_sync(cli, api, "--provider", "RK9", "--provider", "RH5")

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"Failed: RK9: refused: {api.url}{path}: {why}\n" in result.output
    assert "Error: 1 provider could not be synced: RK9" in result.output
    assert cli("entries", "RK9").exit_code == 1
    assert entries(cli, "RH5") == rh5  # nothing written into the provider the answer names


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("RK901", 'locationIds: expected a list of ids, found "RK901"'),
        ({"RK901": True}, "locationIds: expected a list of ids, found an object"),
        (["RK901", 901], "locationIds: expected a list of ids, found 901 in it"),
    ],
)
def test_location_ids_that_are_not_a_list_of_ids_are_refused_naming_the_field_and_nothing_is_asked(cli, api, given, why):
    api.providers["RK9"]["locationIds"] = given

    result = run_sync(cli, api, "--provider", "RK9", "--provider", "RH5")

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"Failed: RK9: refused: {api.url}/providers/RK9: {why}\n" in result.output
    assert not api.requests_to("/locations/RK")
    assert cli("entries", "RK9").exit_code == 1 and entries(cli, "RH5")
