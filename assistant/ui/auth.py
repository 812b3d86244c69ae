"""Admin credentials: from the environment or a file, never defaulted, compared in constant time.

Chat users never log in; only the documents tab's upload and delete need the admin login, which
is checked on the server for every admin action, not only by hiding buttons.
"""

from __future__ import annotations

import hmac
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import AppSettings, Settings

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class AdminCredentials:
    user: str
    password: str = field(repr=False)


def _from_file(path: Path) -> AdminCredentials | None:
    """The first ``user:password`` line of ``path`` (``#`` starts a comment)."""
    try:
        mode = path.stat().st_mode
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        log.error("Cannot read the admin credentials file %s: %s", path, exc.strerror)
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        log.warning("The admin credentials file %s is readable by others; chmod 600 it.", path)
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        user, password = line.split(":", 1)
        if user.strip() and password:
            return AdminCredentials(user.strip(), password)
    log.error("The admin credentials file %s has no `user:password` line.", path)
    return None


def load_admin_credentials(
    app: AppSettings, environ: Mapping[str, str] | None = None
) -> AdminCredentials | None:
    """Credentials from the two environment variables, else from the file; None: admin is off."""
    env = os.environ if environ is None else environ
    user = env.get(app.admin_user_env, "").strip()
    password = env.get(app.admin_password_env, "")
    credentials: AdminCredentials | None = None
    if user and password:
        credentials = AdminCredentials(user, password)
    elif app.admin_credentials_file is not None:
        credentials = _from_file(Path(app.admin_credentials_file))
    if credentials and len(credentials.password) < MIN_PASSWORD_LENGTH:
        log.warning("The admin password is shorter than %d characters.", MIN_PASSWORD_LENGTH)
    return credentials


def check_login(credentials: AdminCredentials | None, user: str, password: str) -> bool:
    """True when both match; both are always compared so timing reveals neither."""
    if credentials is None:
        return False
    user_ok = hmac.compare_digest((user or "").strip().encode(), credentials.user.encode())
    password_ok = hmac.compare_digest((password or "").encode(), credentials.password.encode())
    return user_ok and password_ok


def secret_values(settings: Settings, environ: Mapping[str, str] | None = None) -> list[str]:
    """Values that must never be written to logs or the feedback file."""
    env = os.environ if environ is None else environ
    values = [env.get(settings.llm.openai_api_key_env, "")]
    credentials = load_admin_credentials(settings.app, env)
    if credentials is not None:
        values.append(credentials.password)
    if settings.chroma.auth_token is not None:
        values.append(settings.chroma.auth_token.get_secret_value())
    return [v for v in values if v]
