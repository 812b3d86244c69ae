"""Who may call the API: a configured key, not too often, from a client not locked out.

The checks, in order: the API is on (some key is configured); the client is not inside the wait
its failed keys earned (``LoginThrottle``, as for admin logins: the wait doubles with each
failure, and an attempt inside it is refused without looking at the key); the key is one of
the configured ones; its holder is under the per-key rate. Failures are logged with the client
address and, for a known key, its holder's name, never the key.
"""

from __future__ import annotations

import logging

from assistant.api.errors import ApiError
from assistant.api.keys import KeyRing
from assistant.api.rate_limit import RateLimiter
from assistant.config import Settings
from assistant.ui.throttle import LoginThrottle

log = logging.getLogger(__name__)

API_OFF = (
    "The API is off: no API key is configured. An administrator creates one with "
    "`assistant api-key add NAME` and restarts the app."
)


class Access:
    def __init__(
        self,
        keys: KeyRing,
        throttle: LoginThrottle,
        limiter: RateLimiter,
    ) -> None:
        self.keys = keys
        self.throttle = throttle
        self.limiter = limiter

    @classmethod
    def from_settings(cls, settings: Settings) -> Access:
        app = settings.app
        throttle = LoginThrottle(app.login_base_delay_s, app.login_max_delay_s, what="API key")
        return cls(
            KeyRing.from_settings(settings.api),
            throttle,
            RateLimiter(settings.api.requests_per_minute),
        )

    def check(self, authorization: str | None, client: str, counted: bool = True) -> str:
        """The calling key's holder, or an ``ApiError`` (403, 429, 401) saying what to do.

        ``counted=False`` checks the key without counting the request against its rate: an
        MCP session makes several protocol requests for each tool call.
        """
        if not self.keys.enabled:
            raise ApiError(403, API_OFF, "api_disabled")
        wait = self.throttle.wait_s(client)
        if wait > 0:
            raise ApiError(
                429,
                f"Too many failed API keys from this client; try again in {wait:.0f} s.",
                "too_many_failed_keys",
                retry_after_s=wait,
            )
        name = self.keys.identify(_bearer(authorization))
        if name is None:
            self.throttle.failed(client)
            raise ApiError(
                401,
                "Incorrect or missing API key: send `Authorization: Bearer <key>` with a key "
                "from `assistant api-key add NAME`.",
                "invalid_api_key",
            )
        self.throttle.succeeded(client)
        wait = self.limiter.admit(name) if counted else 0.0
        if wait > 0:
            log.warning("API key %s is over its rate (%d a minute)", name, self.limiter.per_minute)
            raise ApiError(
                429,
                f"Rate limit of {self.limiter.per_minute} requests a minute reached for this "
                f"key; try again in {wait:.0f} s.",
                "rate_limit_exceeded",
                retry_after_s=wait,
            )
        return name


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None
