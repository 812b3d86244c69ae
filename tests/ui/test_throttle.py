"""Failed admin logins: growing waits per client, refused without a password check, logged."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from assistant.ui.admin import AdminCallbacks
from assistant.ui.auth import AdminCredentials
from assistant.ui.throttle import LoginThrottle

CREDS = AdminCredentials("chief", "correct horse battery")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_failure_doubles_the_wait_up_to_the_ceiling() -> None:
    clock = Clock()
    throttle = LoginThrottle(base_delay_s=1.0, max_delay_s=5.0, clock=clock)
    waits = []
    for _ in range(5):
        waits.append(throttle.failed("10.0.0.7"))
        clock.now += waits[-1]
    assert waits == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_the_wait_is_per_client_and_cleared_by_a_success() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    throttle.failed("a")
    throttle.failed("a")
    assert throttle.wait_s("a") == 2.0 and throttle.wait_s("b") == 0.0
    clock.now += 2.0
    throttle.succeeded("a")
    assert throttle.wait_s("a") == 0.0
    assert throttle.failed("a") == 1.0  # the count starts again


def _request(host: str) -> SimpleNamespace:
    return SimpleNamespace(client=SimpleNamespace(host=host))


def test_a_throttled_client_is_refused_even_with_the_right_password(
    services, settings, caplog
) -> None:
    admin = AdminCallbacks(services, settings, CREDS)
    clock = Clock()
    admin.throttle = LoginThrottle(base_delay_s=30.0, clock=clock)
    guesser, colleague = _request("203.0.113.9"), _request("198.51.100.4")

    with caplog.at_level(logging.WARNING, logger="assistant.ui.throttle"):
        assert admin.login("chief", "guess-1", "en", guesser)[0] is False
    assert "203.0.113.9" in caplog.text and "30s" in caplog.text

    refused = admin.login("chief", "correct horse battery", "en", guesser)
    assert refused[0] is False and "try again in 30 s" in refused[1]
    assert admin.login("chief", "correct horse battery", "en", colleague)[0] is True

    clock.now += 30.0
    assert admin.login("chief", "correct horse battery", "en", guesser)[0] is True
