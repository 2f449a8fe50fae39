"""`sync`: providers fetched from CQC's API (a stand-in on 127.0.0.1 serving real responses) and
recorded as `import cqc-api` would, one provider whole at a time; throttling and failures tried
again; later syncs ask the changes feed; every failure a sentence, never a traceback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from cqc_api_server import KEY, Api, serving
from cqc_data import entries, saved

from cqc_ledger.ledger.sync import client

RK9_LOCATIONS = 7


@pytest.fixture
def api(monkeypatch) -> Iterator[Api]:
    """The stand-in; failures tried again after 10 ms instead of a second (the backoff itself is
    tested in tests/unit/test_sync_client.py)."""
    monkeypatch.setattr(client, "BACKOFF", 0.01)
    yield from serving()


def run_sync(cli, api: Api, *args: str, key: str = KEY):
    return cli("sync", "--api", api.url, "--key", key, "--rate", "100000", *args)


def synced(cli, api: Api, *args: str) -> dict:
    result = run_sync(cli, api, *args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_a_provider_and_its_locations_are_recorded_as_import_cqc_api_would(cli, api, tmp_path):
    summary = synced(cli, api, "--provider", "RK9")

    recorded = entries(cli, "RK9")
    assert [e["type"] for e in recorded[: 1 + RK9_LOCATIONS]] == ["ProviderRegistered"] + ["LocationRegistered"] * RK9_LOCATIONS
    assert summary["providers"] == ["RK9"] and summary["locations"] == RK9_LOCATIONS
    assert summary["recorded"] == [e["ref"] for e in recorded]
    # the same responses imported by hand add nothing: sync recorded exactly what the import would
    files = [saved(tmp_path, "RK9.json", api.providers["RK9"])] + [
        saved(tmp_path, f"{lid}.json", api.locations[lid]) for lid in api.providers["RK9"]["locationIds"]
    ]
    again = cli("import", "cqc-api", *files, "--json")
    assert orjson.loads(again.stdout)["recorded"] == []


def test_each_request_carries_the_key_a_user_agent_naming_cqc_ledger_and_stays_within_the_rate(cli, api):
    synced(cli, api, "--provider", "RK9")

    headers = [r["headers"] for r in api.log]
    assert len(headers) == 1 + RK9_LOCATIONS
    assert all(h["Ocp-Apim-Subscription-Key"] == KEY and h["User-Agent"].startswith("cqc-ledger/") for h in headers)


def test_syncing_again_records_nothing_and_counts_the_provider_unchanged(cli, api):
    synced(cli, api, "--provider", "RK9")

    again = synced(cli, api, "--provider", "RK9")

    assert (again["recorded"], again["unchanged"], again["providers"]) == ([], ["RK9"], [])
    text = run_sync(cli, api, "--provider", "RK9").output
    assert text.startswith("Synced 1 of 1 provider (7 locations, 8 requests): recorded 0 entries, 1 unchanged.")


def test_the_imports_notes_are_given_as_import_cqc_api_gives_them(cli, api):
    summary = synced(cli, api, "--provider", "RA9")

    assert summary["notes"] == [
        f'"No action" is not a rating: 5 values in 1 response made no cell ({api.url}/locations/RA90J; '
        f"the first at {api.url}/locations/RA90J: currentRatings.overall.keyQuestionRatings[0].rating)"
    ]
    # a location CQC has renamed since is kept as recorded, and the summary says so
    api.locations["RA901"]["name"] = "Torbay General Hospital"
    text = run_sync(cli, api, "--provider", "RA9").output
    assert f"Note: {summary['notes'][0]}" in text
    assert 'CQC names RA901 "Torbay General Hospital", but the ledger has "Torbay Hospital"; kept as recorded' in text


def test_throttling_errors_and_dropped_connections_are_tried_again(cli, api):
    api.fail("/providers/RK9", "429", "200-429", "503", "drop")
    api.fail("/locations/RK901", "200-429")

    summary = synced(cli, api, "--provider", "RK9")

    assert summary["providers"] == ["RK9"]
    assert len(api.requests_to("/providers/RK9")) == 5
    assert len(api.requests_to("/locations/RK901")) == 2


def test_without_provider_every_provider_is_refreshed_then_only_those_the_changes_feed_lists(cli, api):
    synced(cli, api, "--provider", "RK9")
    synced(cli, api, "--provider", "RH5")
    first = synced(cli, api)  # nothing remembered yet: every provider in the ledger
    assert (first["full"], sorted(first["unchanged"])) == (True, ["RH5", "RK9"])
    api.log.clear()
    api.publish_report("RK901", "5e1d2c3b-2021-4a00-9000-000000000001", "2021-04-01", "Good")

    second = synced(cli, api)

    assert (second["full"], second["providers"], second["unchanged"]) == (False, ["RK9"], [])
    new = [e for e in entries(cli, "RK9") if e["ref"] in second["recorded"]]
    assert [(e["type"], e["report_id"], e["on"]) for e in new] == [
        ("ReportPublished", "5e1d2c3b-2021-4a00-9000-000000000001", "2021-04-01")
    ]
    asked = api.requests_to("/changes/location")[0]["query"]["startTimestamp"][0]
    since = datetime.strptime(asked, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(days=2) <= datetime.now(UTC) - since < timedelta(days=2, minutes=5)  # the overlap window
    assert not api.requests_to("/providers/RH5")


def test_a_changes_feed_that_answers_404_or_410_means_a_full_refresh(cli, api):
    synced(cli, api, "--provider", "RK9")
    synced(cli, api)
    api.changes_status = 410

    summary = synced(cli, api)

    assert (summary["full"], summary["unchanged"]) == (True, ["RK9"])


def test_full_refreshes_every_provider_whatever_the_feed_says(cli, api):
    synced(cli, api, "--provider", "RK9")
    synced(cli, api)
    api.log.clear()

    summary = synced(cli, api, "--full")

    assert summary["unchanged"] == ["RK9"] and not api.requests_to("/changes")


def refused(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    return result.output


def test_no_key_is_refused_saying_where_to_get_one(cli, api, monkeypatch):
    monkeypatch.delenv("CQC_API_KEY", raising=False)

    message = refused(cli("sync", "--api", api.url, "--provider", "RK9"))

    assert "no key for CQC's API: register (free) at https://api-portal.service.cqc.org.uk" in message
    assert api.log == []


def test_a_wrong_key_is_refused_and_nothing_is_recorded(cli, api):
    message = refused(run_sync(cli, api, "--provider", "RK9", key="not-my-key"))

    assert "CQC's API refused the subscription key (HTTP 401 Unauthorized" in message and "check --key or $CQC_API_KEY" in message
    assert cli("entries", "RK9").exit_code == 1


def test_an_unknown_provider_is_refused_and_the_others_are_recorded(cli, api):
    result = run_sync(cli, api, "--provider", "XYZ", "--provider", "RK9")

    assert result.exit_code == 1 and "Traceback" not in result.output
    message = result.output
    assert "Failed: XYZ: CQC's API does not know provider XYZ (HTTP 404 Not Found" in message
    assert "Error: 1 provider could not be synced: XYZ" in message
    assert entries(cli, "RK9")


def test_an_unreachable_api_is_refused_in_a_sentence(cli, api):
    result = cli("sync", "--api", "http://127.0.0.1:9/public/v1", "--key", KEY, "--provider", "RK9", "--rate", "100000")

    message = refused(result)
    assert "CQC's API could not be reached at http://127.0.0.1:9/public/v1/providers/RK9" in message
    assert "check the network, or --api / $CQC_API_URL; nothing was recorded" in message


def test_a_provider_whose_location_cannot_be_fetched_is_not_half_recorded_and_those_finished_stay(cli, api):
    api.fail("/locations/RK901", *["drop"] * 6)

    message = refused(run_sync(cli, api, "--provider", "RH5", "--provider", "RK9"))

    assert "could not be reached" in message and "the 1 provider finished before it stay recorded" in message
    assert entries(cli, "RH5")
    assert cli("entries", "RK9").exit_code == 1
    assert synced(cli, api, "--provider", "RK9")["providers"] == ["RK9"]  # the next sync carries on


@pytest.mark.parametrize(
    ("given", "hint"),
    [("rk9", ' (did you mean "RK9"?)'), ("../locations/RK950", ""), ("RK9?x=1", ""), ("", ""), (" RK9", ' (did you mean "RK9"?)')],
)
def test_a_provider_id_not_in_cqcs_form_is_refused_before_anything_is_asked_or_written(sqlite_cli, sqlite_db, api, given, hint):
    result = run_sync(sqlite_cli, api, "--provider", "RK9", "--provider", given)

    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"Invalid value for '--provider': {orjson.dumps(given).decode()} is not a CQC id: " in result.output
    assert result.output.rstrip().endswith(f'or CQC numbers (like "1-101641521"){hint}')
    assert api.log == [] and not os.path.exists(sqlite_db)


def test_a_sync_into_a_new_ledger_that_records_nothing_leaves_no_ledger_behind(sqlite_cli, sqlite_db, api):
    result = run_sync(sqlite_cli, api, "--provider", "XYZ")

    assert result.exit_code == 1 and "Error: 1 provider could not be synced: XYZ" in result.output
    assert not os.path.exists(sqlite_db)


def test_a_location_id_of_cqcs_answer_not_in_cqcs_form_is_never_asked_for_and_its_provider_is_refused(cli, api):
    api.providers["RK9"]["locationIds"].append("../providers/RH5")

    result = run_sync(cli, api, "--provider", "RK9", "--provider", "RH5")

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f'Failed: RK9: refused: {api.url}/providers/RK9: locationIds: "../providers/RH5" is not a CQC id' in result.output
    assert len(api.requests_to("/providers/RH5")) == 1 and not [r for r in api.log if ".." in r["path"]]  # RH5's own
    assert cli("entries", "RK9").exit_code == 1 and entries(cli, "RH5")


def test_a_location_its_provider_lists_twice_is_fetched_once_in_the_order_first_listed_and_recorded_as_if_listed_once(cli, api, tmp_path):
    listed = list(api.providers["RK9"]["locationIds"])
    api.providers["RK9"]["locationIds"] = [listed[2], *listed, listed[0], listed[2]]

    summary = synced(cli, api, "--provider", "RK9")

    asked = [r["path"].removeprefix("/locations/") for r in api.requests_to("/locations/")]
    assert asked == [listed[2], *(lid for lid in listed if lid != listed[2])]
    assert (summary["providers"], summary["failed"]) == (["RK9"], [])
    assert (summary["locations"], summary["requests"]) == (RK9_LOCATIONS, 1 + RK9_LOCATIONS)
    assert summary["recorded"] == [e["ref"] for e in entries(cli, "RK9")]
    # each location listed once adds nothing, nor do the responses imported by hand
    api.providers["RK9"]["locationIds"] = listed
    assert synced(cli, api, "--provider", "RK9")["unchanged"] == ["RK9"]
    files = [saved(tmp_path, "RK9.json", api.providers["RK9"])] + [saved(tmp_path, f"{lid}.json", api.locations[lid]) for lid in listed]
    assert orjson.loads(cli("import", "cqc-api", *files, "--json").stdout)["recorded"] == []


def test_a_location_the_changes_feed_lists_on_two_pages_is_fetched_once(cli, api):
    synced(cli, api, "--provider", "RK9")
    synced(cli, api)  # remembered: the next sync reads the feed
    api.log.clear()
    pages = {1: ["RK901", "RK906"], 2: ["RK906", "RK901"]}
    api.changes_page = lambda page: {"changes": pages.get(page, []), "totalPages": 2}

    summary = synced(cli, api)

    assert (summary["full"], summary["unchanged"], summary["locations"]) == (False, ["RK9"], RK9_LOCATIONS)
    assert len(api.requests_to("/providers/RK9")) == 1
    assert len(api.requests_to("/locations/")) == RK9_LOCATIONS == len({r["path"] for r in api.requests_to("/locations/")})
