"""The API client against the stand-in server: it waits as CQC asks (Retry-After), else backs
off doubling, treats HTTP 200 with a throttling body as 429, keeps within its rate, and gives up
with the status after its tries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cqc_api_server import KEY, Api, serving

from cqc_ledger.ledger.sync.client import ApiError, Client


@pytest.fixture
def api() -> Iterator[Api]:
    yield from serving()


class Clock:
    """Time that passes only when slept: the waits the client chose, in order."""

    def __init__(self) -> None:
        self.now, self.slept = 0.0, []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def client_of(api: Api, clock: Clock, **more) -> Client:
    return Client(api.url, KEY, sleep=clock.sleep, clock=clock, **more)


def test_failures_without_retry_after_back_off_doubling(api):
    clock = Clock()
    api.fail("/providers/RK9", "503-no-retry-after", "503-no-retry-after", "drop")

    with client_of(api, clock, rate=0) as client:
        body = client.get("providers/RK9")

    assert body["providerId"] == "RK9"
    assert clock.slept == [1.0, 2.0, 4.0]


def test_retry_after_is_honoured_and_a_throttling_body_is_a_429(api):
    clock = Clock()
    api.fail("/providers/RK9", "429", "200-429")

    with client_of(api, clock, rate=0) as client:
        client.get("providers/RK9")

    assert clock.slept == [0.0, 0.0]
    assert len(api.requests_to("/providers/RK9")) == 3


def test_a_throttling_body_asking_for_a_wait_in_the_past_waits_for_none(api):
    clock = Clock()
    api.fail("/providers/RK9", "200-429 in -5", "200-429 in -inf")

    with client_of(api, clock, rate=0) as client:
        client.get("providers/RK9")

    assert clock.slept == [0.0, 0.0]  # time.sleep refuses a negative wait with a ValueError


def test_requests_start_no_faster_than_the_rate(api):
    clock = Clock()

    with client_of(api, clock, rate=600) as client:
        for _ in range(4):
            client.get("providers/RK9")

    assert clock.slept == [0.1, 0.1, 0.1]


def test_after_its_tries_it_gives_up_with_the_status(api):
    clock = Clock()
    api.fail("/providers/RK9", *["429"] * 3)

    with client_of(api, clock, rate=0, tries=3) as client, pytest.raises(ApiError) as failed:
        client.get("providers/RK9")

    assert failed.value.status == 429 and len(api.requests_to("/providers/RK9")) == 3


def test_a_refused_key_is_not_tried_again(api):
    with Client(api.url, "wrong", rate=0) as client, pytest.raises(ApiError) as failed:
        client.get("providers/RK9")

    assert failed.value.status == 401 and len(api.log) == 1
