"""Admin callbacks: log in and out, upload and ingest files, delete a document.

Every action checks the session's admin flag on the server: hiding the panel is a convenience,
not the protection. Uploads go through :mod:`assistant.ui.uploads` (sanitised names, size limit,
``<corpus>/uploads`` only); a file that fails to ingest is rolled back and reported while the
others are kept.

Logins (and refused ones), uploads and deletions are written to the catalog's audit log, with
the host that did them, so that a team with several app hosts has one trail.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.ui.auth import AdminCredentials, check_login
from assistant.ui.escape import esc
from assistant.ui.labels import t
from assistant.ui.services import ProgressFn, UIServices
from assistant.ui.throttle import LoginThrottle
from assistant.ui.uploads import StoredUpload, UploadRejected, store_upload, uploads_dir

log = logging.getLogger(__name__)

_OUTCOMES = (
    ("added", "upload_ok"),
    ("updated", "upload_updated"),
    ("unchanged", "upload_unchanged"),
)


def _line(ok: bool, name: str, message: str) -> str:
    mark = "✓" if ok else "✗"
    css = "upload-ok" if ok else "upload-failed"
    return f'<li class="{css}">{mark} <b>{esc(name)}</b>: {esc(message)}</li>'


def _report_html(lines: list[str]) -> str:
    return f'<ul class="upload-report">{"".join(lines)}</ul>'


def _entry_names(entry: Any) -> set[str]:
    """Strings an IngestReport entry may name a file by (path, doc_id, file name)."""
    if isinstance(entry, tuple):
        entry = entry[0]
    names = {str(entry)}
    for attr in ("doc_id", "path", "source"):
        value = getattr(entry, attr, None)
        if value is not None:
            names.add(str(value))
    names |= {Path(n).name for n in list(names)}
    return names


def _matches(entry: Any, stored: StoredUpload) -> bool:
    names = _entry_names(entry)
    return str(stored.path) in names or stored.path.name in names


def _failure(report: Any, stored: StoredUpload) -> str | None:
    for entry in getattr(report, "failed", []) or []:
        if _matches(entry, stored):
            return str(entry[1]) if isinstance(entry, tuple) and len(entry) > 1 else str(entry)
    return None


def _client_of(request: gr.Request | None) -> str:
    """The client's address as the app sees it (the throttle's key)."""
    host = getattr(getattr(request, "client", None), "host", None)
    return str(host) if host else "unknown client"


class AdminCallbacks:
    def __init__(
        self, services: UIServices, settings: Settings, credentials: AdminCredentials | None
    ) -> None:
        self.services = services
        self.settings = settings
        self.credentials = credentials
        self.throttle = LoginThrottle(
            settings.app.login_base_delay_s, settings.app.login_max_delay_s
        )

    @property
    def enabled(self) -> bool:
        return self.credentials is not None

    def _audit(self, action: str, target: str, detail: str = "", actor: str | None = None) -> None:
        """Record an admin action; a catalog that cannot take it is logged, not shown."""
        records = self.services.records
        if records is None:
            return
        who = actor if actor is not None else (self.credentials.user if self.credentials else "")
        try:
            records.audit(who[:100], action, target[:500], detail[:1000])
        except Exception:  # the action itself happened; losing its audit line must not undo it
            log.exception("Cannot write the audit log entry %s %s", action, target)

    def login(
        self, user: str, password: str, ui_lang: str, request: gr.Request | None = None
    ) -> tuple[bool, str, str, Any, Any]:
        """(is_admin, status, cleared password, admin panel update, login form update)."""
        client = _client_of(request)
        wait = self.throttle.wait_s(client)
        if wait > 0:
            status = t("login_wait", ui_lang).format(seconds=max(1, round(wait)))
            return False, status, "", gr.update(visible=False), gr.update()
        if not check_login(self.credentials, user, password):
            self.throttle.failed(client)
            self._audit("login_refused", client, actor=user or "")
            return False, t("login_failed", ui_lang), "", gr.update(visible=False), gr.update()
        self.throttle.succeeded(client)
        log.info("Admin logged in from %s", client)
        self._audit("login", client)
        return True, t("login_ok", ui_lang), "", gr.update(visible=True), gr.update(visible=False)

    def logout(self, ui_lang: str) -> tuple[bool, str, Any, Any]:
        return False, t("logged_out", ui_lang), gr.update(visible=False), gr.update(visible=True)

    def upload(
        self,
        files: Sequence[Any] | None,
        is_admin: bool,
        ui_lang: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio injects it by default value)
    ) -> str:
        """Store and ingest the files; one line per file saying what happened."""
        if not is_admin:
            log.warning("Upload refused: not logged in as admin")
            return _report_html([_line(False, "—", t("not_admin", ui_lang))])
        if not files:
            return _report_html([_line(False, "—", t("no_files", ui_lang))])
        lines: list[str] = []
        stored: list[StoredUpload] = []
        for item in files:
            source = Path(getattr(item, "name", None) or str(item))
            try:
                stored.append(
                    store_upload(
                        source,
                        source.name,
                        self.settings.paths.corpus_dir,
                        self.settings.app.max_upload_mb,
                    )
                )
            except UploadRejected as exc:
                reason = "upload_too_big" if str(exc) == "too_big" else "upload_bad_type"
                limit = self.settings.app.max_upload_mb
                lines.append(_line(False, source.name, t(reason, ui_lang, limit=limit)))
            except OSError as exc:
                lines.append(_line(False, source.name, exc.strerror or str(exc)))
        if stored:
            lines += self._ingest(stored, ui_lang, progress)
        return _report_html(lines)

    def _ingest(self, stored: list[StoredUpload], ui_lang: str, progress: gr.Progress) -> list[str]:
        def report_progress(fraction: float, message: str) -> None:
            progress(fraction, desc=message)

        callback: ProgressFn = report_progress
        progress(0.0, desc=t("ingesting", ui_lang))
        try:
            report = self.services.ingest([s.path for s in stored], progress=callback)
        except Exception as exc:
            log.exception("Ingestion of %d uploaded file(s) failed", len(stored))
            for item in stored:
                item.roll_back()
            return [
                _line(False, s.path.name, f"{t('upload_failed', ui_lang)}: {exc}") for s in stored
            ]
        lines = []
        for item in stored:
            error = _failure(report, item)
            if error is not None:
                item.roll_back()
                lines.append(_line(False, item.path.name, error))
                self._audit("upload_failed", item.path.name, error)
                continue
            outcome = next(
                (
                    key
                    for field, key in _OUTCOMES
                    if any(_matches(e, item) for e in getattr(report, field, []) or [])
                ),
                "upload_ok",
            )
            lines.append(_line(True, item.path.name, t(outcome, ui_lang)))
            self._audit("upload", item.path.name, outcome.removeprefix("upload_"))
        return lines

    def delete(self, doc_id: str | None, is_admin: bool, ui_lang: str) -> str:
        """Remove a document from the index; an uploaded file is removed from disk too."""
        if not is_admin:
            log.warning("Delete refused: not logged in as admin")
            return _report_html([_line(False, "—", t("not_admin", ui_lang))])
        if not doc_id:
            return _report_html([_line(False, "—", t("delete_none", ui_lang))])
        try:
            self.services.documents.delete_document(doc_id)
        except Exception as exc:
            log.exception("Deleting %s failed", doc_id)
            return _report_html([_line(False, doc_id, str(exc))])
        message = t("deleted", ui_lang)
        upload = self._uploaded_file(doc_id)
        if upload is not None:
            upload.unlink(missing_ok=True)
        else:
            message = f"{message}. {t('delete_shipped_note', ui_lang)}"
        log.info("Admin deleted %s", doc_id)
        self._audit("delete", doc_id)
        return _report_html([_line(True, doc_id, message)])

    def _uploaded_file(self, doc_id: str) -> Path | None:
        """The file behind ``doc_id`` when it is an upload (and only then)."""
        folder = uploads_dir(self.settings.paths.corpus_dir).resolve()
        candidate = (Path(self.settings.paths.corpus_dir) / doc_id).resolve()
        if candidate.parent == folder and candidate.is_file():
            return candidate
        return None
