"""Deployment settings: defaults, overridden by HORSESHOE_* environment variables.

Community rules (SLA hours, thresholds...) are not here: they live in the database
(see forum.services.community_settings) so admins can change them without a restart.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

ENV_PREFIX = "HORSESHOE_"


@dataclass
class Settings:
    """Everything a deployment may configure; each field maps to HORSESHOE_<NAME>."""

    data_dir: str = "instance"
    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:5000"
    mail_server: str = ""  # empty: nothing is sent, the worker prints each email to its log (forum.mail.sending)
    mail_port: int = 25
    mail_sender: str = "Horseshoe <no-reply@horseshoe.local>"
    # Mail in (forum.mail): replies go to <local>+<signed key>@<domain> of this address, delivery reports to
    # bounces+<key>@ the same domain. Empty: reply@ the sender's domain. Point the domain's MX (or a
    # catch-all route) at `flask mail listen`, `flask mail receive` or the inbound API (README: Mail in).
    mail_reply_address: str = ""
    # The shared secret a mail provider signs POST /api/v1/integrations/mail/inbound with (the helpdesk
    # webhook's scheme). Empty: that endpoint refuses every request (401).
    mail_inbound_secret: str = ""
    # Which Authentication-Results headers to believe: those whose authserv-id is this (your receiving mail
    # server's name). Empty: only the topmost one of mail through the built-in listener (which writes its own);
    # none of mail through the pipe or the provider webhook (forum.mail.parsing).
    mail_authserv_id: str = ""
    redis_url: str = ""
    # What every key Horseshoe keeps in Redis starts with (rate-limit counters, the page cache): communities
    # that share one Redis each set their own, or member 5 of one would spend member 5 of the other's budget.
    redis_prefix: str = "horseshoe:"
    # "whoosh" (an index on this host's disk) or "postgres" (full-text search in the database, for several hosts).
    search_backend: str = "whoosh"
    # Signed-out visitors' home, category and thread pages are cached this long (0 turns the cache off).
    anonymous_cache_s: int = 60
    # Proxies (load balancers) in front of the app whose X-Forwarded-For/-Proto to believe; 0 = none.
    trusted_proxies: int = 0
    max_body_bytes: int = 64 * 1024
    password_reset_max_age_s: int = 3600
    # Failed sign-ins per account (by email, known or not) before further tries wait for the window to end.
    sign_in_failures_per_account: int = 10
    sign_in_failure_window_s: int = 15 * 60
    testing: bool = False
    # Sign in with an OpenID Connect provider: on when issuer, client id and secret are all set.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "your company account"  # the button reads "Sign in with <oidc_name>"
    # Where uploaded files live: "filesystem" (the data directory's uploads/) or "s3" (an S3-compatible store).
    upload_storage: str = "filesystem"
    s3_endpoint_url: str = ""  # empty: AWS itself; else e.g. https://minio.example.org
    s3_bucket: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = "us-east-1"
    s3_url_expiry_s: int = 300  # how long a redirect to a signed object URL stays valid
    # A MaxMind-format GeoIP file (e.g. GeoLite2-City.mmdb; needs the "geoip" extra): the sessions page then
    # shows where a browser signed in from as a place. Empty: it shows the address's network (/24).
    geoip_db: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from defaults, then HORSESHOE_* environment variables."""
        environ = dict(os.environ if environ is None else environ)
        values: dict = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is None or f.name == "extra":
                continue
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("bool", bool):
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            else:
                values[f.name] = raw
        return cls(**values)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def resolved_database_url(self) -> str:
        """The configured database, or an SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_path / 'horseshoe.sqlite3'}"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def uses_https(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in the data directory.

        A secret in code would be shared by every installation; a fresh secret on every
        start would sign everyone out on each restart.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_path / "secret_key"
        self.data_path.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()
