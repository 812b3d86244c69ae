"""The admin audit log and shared feedback, written to a real catalog (both engines)."""

from __future__ import annotations

import pytest

from assistant.index.catalog import open_catalog
from assistant.ui.admin import AdminCallbacks
from assistant.ui.feedback import FeedbackCallbacks
from tests.ui.test_admin import CREDS, _file
from tests.ui.test_feedback import _session


@pytest.fixture
def records(settings, catalog_mode):
    catalog_settings = catalog_mode(settings)
    catalog = open_catalog(catalog_settings, catalog_settings.paths.index_dir)
    yield catalog
    catalog.close()


def test_admin_actions_are_in_the_audit_log(services, settings, records, tmp_path):
    services.records = records
    settings.app.login_base_delay_s = 0  # no wait between the refused and the right login
    admin = AdminCallbacks(services, settings, CREDS)
    admin.login("intruder", "guess", "en")
    admin.login("chief", "correct horse battery", "en")
    admin.upload([str(_file(tmp_path / "in", "good.txt", b"A report on sanctions."))], True, "en")
    admin.upload([str(_file(tmp_path / "in2", "broken.pdf", b"%PDF-1.4 CORRUPT"))], True, "en")
    admin.delete("uploads/good.txt", True, "en")
    admin.delete("uploads/other.txt", False, "en")  # refused: not logged in, nothing happened
    trail = [(e.actor, e.action, e.target) for e in reversed(records.audit_log())]
    assert trail == [
        ("intruder", "login_refused", "unknown client"),
        ("chief", "login", "unknown client"),
        ("chief", "upload", "good.txt"),
        ("chief", "upload_failed", "broken.pdf"),
        ("chief", "delete", "uploads/good.txt"),
    ]
    assert records.audit_log()[1].detail == "PDF is damaged and cannot be read"


def test_shared_catalog_takes_the_votes_with_secrets_masked(settings, records):
    callbacks = FeedbackCallbacks(
        settings.paths.feedback_file, lambda: "fp", ["s3cret-passw0rd"], records.add_feedback
    )
    status, _ = callbacks.vote("down", "pw s3cret-passw0rd", _session(), "en")
    assert status.startswith("Thank")
    [entry] = records.feedback()
    assert entry["rating"] == "down" and entry["comment"] == "pw [redacted]"
    assert entry["question"] == "反恐委员会在哪一次会议上审议了联合报告？"
    assert not settings.paths.feedback_file.exists()
