"""API keys at rest and at the door: hashed, named, rate-limited, failures throttled; and the
answer gate that turns callers away when too many wait."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.api.access import Access
from assistant.api.admission import AnswerGate, Overloaded
from assistant.api.errors import ApiError
from assistant.api.keys import ApiKeyError, KeyRing, add_key, digest, read_key_file
from assistant.api.rate_limit import RateLimiter
from assistant.config import ApiSettings
from assistant.ui.throttle import LoginThrottle


def test_a_new_key_is_stored_only_as_its_hash(tmp_path):
    path = tmp_path / "keys.txt"
    key = add_key(path, "alice")
    stored = path.read_text(encoding="utf-8")
    assert key not in stored and f"alice:{digest(key)}" in stored
    assert path.stat().st_mode & 0o077 == 0
    second = add_key(path, "bob")
    assert second != key
    ring = KeyRing.from_settings(ApiSettings(keys_file=path))
    assert ring.names == ["alice", "bob"]
    assert ring.identify(key) == "alice" and ring.identify(second) == "bob"
    assert ring.identify(key + "x") is None and ring.identify("") is None


def test_key_names_are_checked_and_unique(tmp_path):
    path = tmp_path / "keys.txt"
    add_key(path, "alice")
    with pytest.raises(ApiKeyError, match="already has a key named 'alice'"):
        add_key(path, "alice")
    with pytest.raises(ApiKeyError, match="letters, digits"):
        add_key(path, "al ice:x")


def test_a_malformed_key_line_is_skipped_and_logged(tmp_path, caplog):
    path = tmp_path / "keys.txt"
    path.write_text("# comment\nalice:" + "a" * 64 + "\nbob:plaintext-key\n", encoding="utf-8")
    assert [k.name for k in read_key_file(path)] == ["alice"]
    assert "line 3 is not `name:sha256`" in caplog.text
    assert "plaintext-key" not in caplog.text


def test_no_keys_file_and_no_keys_means_the_api_is_off(tmp_path):
    ring = KeyRing.from_settings(ApiSettings(keys_file=tmp_path / "missing.txt"))
    assert not ring.enabled


def _access(keys: dict[str, str], per_minute: int = 30, clock=time.monotonic) -> Access:
    from assistant.api.keys import ApiKey

    ring = KeyRing([ApiKey(name, digest(key)) for name, key in keys.items()])
    return Access(ring, LoginThrottle(1.0, 60.0, clock, what="API key"), RateLimiter(per_minute))


def test_access_checks_in_order_off_throttled_wrong_rate():
    with pytest.raises(ApiError) as caught:
        _access({}).check("Bearer anything", "1.2.3.4")
    assert caught.value.status == 403 and caught.value.code == "api_disabled"

    now = [0.0]
    access = _access({"alice": "k-alice"}, per_minute=1, clock=lambda: now[0])
    for header in (None, "", "Basic k-alice", "Bearer k-bob"):
        now[0] += 100
        with pytest.raises(ApiError) as caught:
            access.check(header, "1.2.3.4")
        assert caught.value.status == 401
    with pytest.raises(ApiError) as caught:  # locked out: not even the right key is looked at
        access.check("Bearer k-alice", "1.2.3.4")
    assert caught.value.status == 429 and caught.value.code == "too_many_failed_keys"
    assert access.check("Bearer k-alice", "5.6.7.8") == "alice"  # another client is not locked
    with pytest.raises(ApiError) as caught:
        access.check("Bearer k-alice", "5.6.7.8")
    assert caught.value.status == 429 and caught.value.code == "rate_limit_exceeded"
    assert access.check("Bearer k-alice", "5.6.7.8", counted=False) == "alice"


def test_the_rate_window_slides():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.admit("a") == 0 and limiter.admit("a") == 0
    assert limiter.admit("a") == pytest.approx(60.0)
    now[0] = 30.0
    assert limiter.admit("a") == pytest.approx(30.0)
    now[0] = 60.5
    assert limiter.admit("a") == 0 and limiter.admit("b") == 0


def test_the_gate_lets_some_wait_and_turns_the_rest_away():
    gate = AnswerGate(slots=1, max_waiting=1, max_wait_s=5)
    gate.acquire()
    waited = threading.Event()

    def waiter() -> None:
        gate.acquire()
        waited.set()
        gate.release()

    thread = threading.Thread(target=waiter)
    thread.start()
    while gate.waiting == 0:
        time.sleep(0.01)
    with pytest.raises(Overloaded):
        gate.acquire()  # one answering, one waiting: the line is full
    gate.release()
    assert waited.wait(5)
    thread.join()
    assert gate.active == 0 and gate.waiting == 0 and gate.most_active == 1


def test_a_wait_that_runs_out_is_overload():
    gate = AnswerGate(slots=1, max_waiting=3, max_wait_s=0.1)
    with gate.slot():
        started = time.monotonic()
        with pytest.raises(Overloaded, match="no answer slot"):
            gate.acquire()
        assert time.monotonic() - started < 2
    assert gate.waiting == 0


def test_the_api_key_command_adds_and_lists_keys(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import (
        app,
        commands,  # noqa: F401  (registers the commands)
    )
    from assistant.config import Settings

    keys_file = tmp_path / "api-keys.txt"

    def settings() -> Settings:
        configured = Settings()
        configured.api.keys_file = keys_file
        return configured

    monkeypatch.setattr("assistant.cli.api_key.get_settings", settings)
    runner = CliRunner()
    listed = runner.invoke(app, ["api-key", "list"])
    assert "the API is off" in listed.stdout
    added = runner.invoke(app, ["api-key", "add", "delegation-tools"])
    assert added.exit_code == 0, added.output
    key = added.stdout.strip()
    assert key.startswith("una-") and key not in keys_file.read_text(encoding="utf-8")
    assert "not shown again" in added.stderr
    assert runner.invoke(app, ["api-key", "list"]).stdout.split() == ["delegation-tools"]
    again = runner.invoke(app, ["api-key", "add", "delegation-tools"])
    assert again.exit_code == 2 and "already has a key" in again.stderr
    assert KeyRing.from_settings(settings().api).identify(key) == "delegation-tools"
