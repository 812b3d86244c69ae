"""Admin: login from env/file only, server-side checks, safe uploads, per-file results."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import AppSettings
from assistant.ui.admin import AdminCallbacks
from assistant.ui.auth import AdminCredentials, check_login, load_admin_credentials
from assistant.ui.uploads import UploadRejected, sanitize_filename, store_upload

CREDS = AdminCredentials("chief", "correct horse battery")


def _file(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


# -- credentials ---------------------------------------------------------------------------


def test_no_credentials_means_admin_is_off(services, settings):
    assert load_admin_credentials(settings.app, environ={}) is None
    admin = AdminCallbacks(services, settings, None)
    assert not admin.enabled
    for user, password in [("admin", "admin"), ("", ""), ("chief", "correct horse battery")]:
        assert admin.login(user, password, "en")[0] is False


def test_credentials_from_environment():
    env = {"ASSISTANT_ADMIN_USER": "chief", "ASSISTANT_ADMIN_PASSWORD": "pw-123456"}
    creds = load_admin_credentials(AppSettings(), environ=env)
    assert creds == AdminCredentials("chief", "pw-123456")
    assert "pw-123456" not in repr(creds)
    assert load_admin_credentials(AppSettings(), environ={"ASSISTANT_ADMIN_USER": "x"}) is None


def test_credentials_from_file(tmp_path):
    path = tmp_path / "admin.txt"
    path.write_text("# admin login\n\nchief:pa:ss-with-colon\n", encoding="utf-8")
    path.chmod(0o600)
    creds = load_admin_credentials(AppSettings(admin_credentials_file=path), environ={})
    assert creds == AdminCredentials("chief", "pa:ss-with-colon")
    missing = AppSettings(admin_credentials_file=tmp_path / "nope.txt")
    assert load_admin_credentials(missing, environ={}) is None


def test_login_checks_both_user_and_password():
    assert check_login(CREDS, "chief", "correct horse battery")
    assert check_login(CREDS, " chief ", "correct horse battery")
    assert not check_login(CREDS, "chief", "correct horse")
    assert not check_login(CREDS, "boss", "correct horse battery")
    assert not check_login(None, "", "")


def test_login_and_logout_toggle_the_panel(services, settings):
    admin = AdminCallbacks(services, settings, CREDS)
    ok, status, password, panel, form = admin.login("chief", "correct horse battery", "zh")
    assert ok is True and status == "已以管理员身份登录。" and password == ""
    assert panel["visible"] is True and form["visible"] is False
    bad = admin.login("chief", "nope", "en")
    assert (
        bad[0] is False and bad[1] == "Wrong user name or password." and bad[3]["visible"] is False
    )
    out = admin.logout("en")
    assert out[0] is False and out[2]["visible"] is False and out[3]["visible"] is True


# -- permissions ---------------------------------------------------------------------------


def test_non_admin_cannot_upload_or_delete(services, settings, fake_index, tmp_path):
    admin = AdminCallbacks(services, settings, CREDS)
    good = _file(tmp_path / "in", "new.txt", b"A new report.")
    report = admin.upload([str(good)], False, "en")
    assert "administrator login" in report
    assert services.ingest.calls == []
    assert not (settings.paths.corpus_dir / "uploads").exists()
    report = admin.delete("en/CHN_73_2018.txt", False, "en")
    assert "administrator login" in report and fake_index.deleted == []


# -- uploads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\Windows\\evil.MD", "evil.md"),
        ("/abs/path/report.pdf", "report.pdf"),
        (".hidden.txt", "hidden.txt"),
        ("..", "upload"),
        ("报告 2018（草稿）.pdf", "报告_2018_草稿.pdf"),
        ("a<b>|c:d*?.txt", "a_b_c_d.txt"),
        ("x\x00y\u202e.txt", "xy.txt"),
        ("../.txt", "upload.txt"),
    ],
)
def test_upload_names_are_sanitised(name, expected):
    assert sanitize_filename(name) == expected


def test_traversal_names_are_stored_inside_the_uploads_folder(settings, tmp_path):
    source = _file(tmp_path / "in", "x.txt", b"text")
    stored = store_upload(source, "../../../outside.txt", settings.paths.corpus_dir, 1)
    uploads = (settings.paths.corpus_dir / "uploads").resolve()
    assert stored.path == uploads / "outside.txt" and stored.path.read_bytes() == b"text"
    assert not (tmp_path / "outside.txt").exists()


def test_wrong_type_and_too_big_are_rejected(settings, tmp_path):
    exe = _file(tmp_path / "in", "tool.exe", b"MZ")
    with pytest.raises(UploadRejected):
        store_upload(exe, "tool.exe", settings.paths.corpus_dir, 1)
    big = _file(tmp_path / "in", "big.txt", b"x" * (1024 * 1024 + 1))
    with pytest.raises(UploadRejected, match="too_big"):
        store_upload(big, "big.txt", settings.paths.corpus_dir, 1)


def test_corrupt_file_reports_an_error_and_the_good_file_is_ingested(
    services, settings, fake_index, tmp_path
):
    admin = AdminCallbacks(services, settings, CREDS)
    good = _file(tmp_path / "in", "good.txt", b"A good report about sanctions.")
    bad = _file(tmp_path / "in2", "broken.pdf", b"%PDF-1.4 CORRUPT")
    huge = _file(tmp_path / "in3", "huge.txt", b"x" * (1024 * 1024 + 10))
    exe = _file(tmp_path / "in4", "virus.exe", b"MZ")
    before = {d.doc_id for d in fake_index.docs}

    report = admin.upload([str(good), str(bad), str(huge), str(exe)], True, "en")

    assert "✓ <b>good.txt</b>: added" in report
    assert "✗ <b>broken.pdf</b>: PDF is damaged and cannot be read" in report
    assert "✗ <b>huge.txt</b>: larger than the 1 MB limit" in report
    assert "✗ <b>virus.exe</b>: unsupported file type" in report
    uploads = settings.paths.corpus_dir / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["good.txt"]
    after = {d.doc_id for d in fake_index.docs}
    assert after == before | {"uploads/good.txt"}
    assert services.ingest.calls == [
        [(uploads / "good.txt").resolve(), (uploads / "broken.pdf").resolve()]
    ]
    assert services.ingest.progress_seen, "ingestion reports progress"


def test_failed_update_restores_the_earlier_version(services, settings, tmp_path):
    admin = AdminCallbacks(services, settings, CREDS)
    first = _file(tmp_path / "v1", "report.txt", b"version one")
    assert "added" in admin.upload([str(first)], True, "en")
    second = _file(tmp_path / "v2", "report.txt", b"version two CORRUPT")
    report = admin.upload([str(second)], True, "en")
    assert "✗" in report
    stored = settings.paths.corpus_dir / "uploads" / "report.txt"
    assert stored.read_bytes() == b"version one"


def test_ingestion_crash_rolls_back_and_reports(services, settings, tmp_path):
    def crash(paths, progress=None):
        raise OSError("disk full")

    services.ingest = crash
    admin = AdminCallbacks(services, settings, CREDS)
    good = _file(tmp_path / "in", "good.txt", b"text")
    report = admin.upload([str(good)], True, "en")
    assert "failed: disk full" in report
    assert list((settings.paths.corpus_dir / "uploads").iterdir()) == []


def test_upload_without_files(services, settings):
    admin = AdminCallbacks(services, settings, CREDS)
    assert "Choose one or more files first." in admin.upload([], True, "en")


# -- deletion ------------------------------------------------------------------------------


def test_delete_an_uploaded_document_removes_its_file(services, settings, fake_index, tmp_path):
    admin = AdminCallbacks(services, settings, CREDS)
    admin.upload([str(_file(tmp_path / "in", "memo.md", b"# Memo"))], True, "en")
    report = admin.delete("uploads/memo.md", True, "en")
    assert "✓" in report and fake_index.deleted == ["uploads/memo.md"]
    assert not (settings.paths.corpus_dir / "uploads" / "memo.md").exists()


def test_delete_a_shipped_document_keeps_its_file_and_says_so(services, settings, fake_index):
    shipped = settings.paths.corpus_dir / "zh" / "000_b645ea8b0039a4ff.txt"
    shipped.write_text("原文", encoding="utf-8")
    admin = AdminCallbacks(services, settings, CREDS)
    report = admin.delete("zh/000_b645ea8b0039a4ff.txt", True, "en")
    assert "next full `assistant ingest`" in report and shipped.exists()
    assert fake_index.deleted == ["zh/000_b645ea8b0039a4ff.txt"]


def test_delete_with_a_traversal_doc_id_touches_no_file(services, settings, tmp_path):
    victim = _file(tmp_path, "victim.txt", b"keep me")
    admin = AdminCallbacks(services, settings, CREDS)
    admin.delete("uploads/../../victim.txt", True, "en")
    assert victim.exists()


def test_delete_requires_a_choice(services, settings):
    admin = AdminCallbacks(services, settings, CREDS)
    assert "Choose a document to delete." in admin.delete(None, True, "en")
