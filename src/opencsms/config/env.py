"""The environment, validated once at start-up: every setting comes from an `OPENCSMS_*` variable.

`settings.py` is built from `Settings()`; nothing else reads `os.environ` for configuration.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-opencsms-secret-key-change-me-in-production"  # noqa: S105 - refused in production
DEFAULT_DATABASE_URL = "sqlite:///var/opencsms.sqlite3"
MIN_SECRET_LENGTH = 32

# SQLite is shared by the web process and the task worker: WAL lets readers run beside the one writer,
# BEGIN IMMEDIATE takes the write lock when a transaction starts (no lock upgrade deadlock), and the busy
# timeout makes a second writer wait instead of failing with "database is locked".
SQLITE_OPTIONS: dict[str, Any] = {
    "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=5000",
    "transaction_mode": "IMMEDIATE",
}


class Settings(BaseSettings):
    """What an operator may set. `OPENCSMS_ENV=production` turns on the checks that protect a real site."""

    model_config = SettingsConfigDict(env_prefix="OPENCSMS_", case_sensitive=False, extra="ignore")

    env: Literal["dev", "test", "production"] = "dev"
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    database_url: str = DEFAULT_DATABASE_URL
    allowed_hosts: Annotated[list[str], NoDecode] = ["localhost", "127.0.0.1"]
    csrf_trusted_origins: Annotated[list[str], NoDecode] = []
    behind_tls_proxy: bool = False
    debug: bool | None = None
    # Notifications of vulnerability monitoring (vulns.services.notifications): in the app always; by email
    # to each recipient's address and as a JSON POST to one webhook when set.
    notify_email: bool = False
    notify_webhook_url: str = ""
    notify_webhook_secret: SecretStr = SecretStr("")
    base_url: str = ""  # e.g. https://csms.example.com: links in emails and webhooks
    # Outgoing mail (SMTP); without a host, mail is written to the log (console backend).
    email_host: str = ""
    email_port: int = 25
    email_user: str = ""
    email_password: SecretStr = SecretStr("")
    email_use_tls: bool = False
    email_from: str = "opencsms@localhost"
    # TARAs whose working state each process keeps for fast edits and reads (tara.working):
    # about 110 MB each at 20,000 threat scenarios; 0 keeps none (every edit reads the whole TARA).
    kept_tara_states: int = Field(4, ge=0)
    # What the server reads and fetches for users (core.outbound): advisory source folders only under these
    # absolute directories (none by default: no folder sources); feed URLs and webhooks only to public
    # addresses unless the host is named here; every fetch limited in bytes and seconds.
    source_directories: Annotated[list[str], NoDecode] = []
    outbound_allow_hosts: Annotated[list[str], NoDecode] = []
    outbound_max_bytes: int = Field(256 * 1024 * 1024, ge=1)
    outbound_timeout: float = Field(300.0, gt=0)
    # Background jobs (core.leases): a running job's heartbeat every `job_heartbeat_seconds`; one silent for
    # `job_stale_seconds` lost its worker and is retried once or failed by the sweep, which the worker runs
    # at start and every `job_sweep_seconds`. A TARA file larger than `tara_sync_import_max_bytes` sent to
    # the synchronous import API is queued for the worker (202 and the job's URL).
    job_heartbeat_seconds: float = Field(30.0, gt=0)
    job_stale_seconds: float = Field(600.0, gt=0)
    job_sweep_seconds: float = Field(60.0, gt=0)
    # The worker starts what is due on the apps' schedules (core.schedule) every `job_tick_seconds`.
    job_tick_seconds: float = Field(30.0, gt=0)
    tara_sync_import_max_bytes: int = Field(2 * 1024 * 1024, ge=0)
    # Where uploads over 2.5 MB are kept while a request is read (empty: the system's temporary folder).
    upload_temp_dir: str = ""
    # The audit trail's HMAC key (core.audit_key): the key itself, or a file holding it; neither set, a key
    # generated in var/audit.key (dev and test; production refuses to write audit records without one).
    audit_key: SecretStr = SecretStr("")
    audit_key_file: str = ""
    # Signed checkpoints of the audit chain (core.checkpoints): delivered every `audit_checkpoint_every`
    # ("30m", "1h", "1d"; empty: never on a schedule) to each target of `audit_checkpoint_to`, separated by
    # commas: a folder (absolute, or from the working directory), `mailto:` addresses, an http(s) webhook
    # (POSTed the checkpoint, signed with `audit_checkpoint_secret` in X-OpenCSMS-Signature when set).
    audit_checkpoint_every: str = "1h"
    audit_checkpoint_to: Annotated[list[str], NoDecode] = []
    audit_checkpoint_secret: SecretStr = SecretStr("")
    # A signed-in session ends after this long without a request (renewed by activity).
    session_idle_minutes: int = Field(8 * 60, ge=5, le=30 * 24 * 60)
    # Superusers and administrators (of any organisation, business unit or project) must set up a second
    # factor (an authenticator app) at their next sign-in, and cannot turn it off (core.second_factor).
    require_totp: bool = False
    # The server's log on standard error (core.logs): text lines, or one JSON object a line for a collector.
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Single sign-on through OpenID Connect (core.oidc), off while the issuer is unset: the provider's
    # discovery document is read from `<issuer>/.well-known/openid-configuration`; the client secret is the
    # value or a file holding it. Unknown people are refused unless `oidc_create_users` (then created with
    # no membership). `oidc_only` removes the password form; superusers keep it (a way in while the provider
    # is down) unless `oidc_superuser_password` is false.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_client_secret_file: str = ""
    oidc_create_users: bool = False
    oidc_button_label: str = Field("single sign-on", min_length=1, max_length=60)
    oidc_only: bool = False
    oidc_superuser_password: bool = True

    @field_validator(
        "allowed_hosts", "csrf_trusted_origins", "source_directories", "outbound_allow_hosts", mode="before"
    )
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @field_validator("audit_checkpoint_every")
    @classmethod
    def _a_period(cls, value: str) -> str:
        if value.strip() and checkpoint_seconds(value) < MIN_CHECKPOINT_SECONDS:
            raise ValueError(f"{value!r} is shorter than a minute")
        return value.strip()

    @field_validator("audit_checkpoint_to", mode="before")
    @classmethod
    def _checkpoint_targets(cls, value: object) -> object:
        return checkpoint_targets(value) if isinstance(value, str) else value

    @field_validator("csrf_trusted_origins")
    @classmethod
    def _origins_have_a_scheme(cls, value: list[str]) -> list[str]:
        for origin in value:
            if urlsplit(origin).scheme not in {"http", "https"}:
                raise ValueError(f"OPENCSMS_CSRF_TRUSTED_ORIGINS: {origin!r} needs a scheme (https://...)")
        return value

    @field_validator("source_directories")
    @classmethod
    def _absolute_directories(cls, value: list[str]) -> list[str]:
        for directory in value:
            if not Path(directory).is_absolute():
                raise ValueError(f"OPENCSMS_SOURCE_DIRECTORIES: {directory!r} must be an absolute path")
        return value

    @field_validator("notify_webhook_url", "base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in {"http", "https"}:
            raise ValueError(f"{value!r} must be an http(s) URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        if scheme not in {"sqlite", "postgres", "postgresql"}:
            raise ValueError(
                f"OPENCSMS_DATABASE_URL must start with sqlite:// or postgresql://, not {scheme!r}"
            )
        return value

    @model_validator(mode="after")
    def _heartbeats_come_before_staleness(self) -> Settings:
        if self.job_stale_seconds < 2 * self.job_heartbeat_seconds:
            raise ValueError(
                "OPENCSMS_JOB_STALE_SECONDS must be at least twice OPENCSMS_JOB_HEARTBEAT_SECONDS"
            )
        return self

    @model_validator(mode="after")
    def _single_sign_on_is_complete(self) -> Settings:
        if not self.oidc_issuer:
            if self.oidc_only:
                raise ValueError("OPENCSMS_OIDC_ONLY needs OPENCSMS_OIDC_ISSUER (single sign-on is off)")
            return self
        issuer = urlsplit(self.oidc_issuer)
        schemes = {"https"} if self.env == "production" else {"https", "http"}
        if issuer.scheme not in schemes or not issuer.hostname or issuer.query or issuer.fragment:
            raise ValueError(
                f"OPENCSMS_OIDC_ISSUER={self.oidc_issuer[:80]!r}: must be an https:// URL without query or "
                "fragment (http:// only outside production)"
            )
        if not self.oidc_client_id:
            raise ValueError("OPENCSMS_OIDC_ISSUER needs OPENCSMS_OIDC_CLIENT_ID")
        self.oidc_client_secret = _oidc_secret(self.oidc_client_secret, self.oidc_client_secret_file)
        return self

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.debug is None:
            self.debug = self.env == "dev"
        if self.debug and self.env != "dev":
            raise ValueError("OPENCSMS_DEBUG is allowed only with OPENCSMS_ENV=dev")
        if self.env == "production":
            secret = self.secret_key.get_secret_value()
            if secret == DEV_SECRET_KEY:
                raise ValueError(
                    "OPENCSMS_SECRET_KEY is the development default: set a secret for production"
                )
            if len(secret) < MIN_SECRET_LENGTH:
                raise ValueError(f"OPENCSMS_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters")
        audit_key = self.audit_key.get_secret_value()
        if audit_key and len(audit_key) < MIN_SECRET_LENGTH:
            raise ValueError(f"OPENCSMS_AUDIT_KEY must have at least {MIN_SECRET_LENGTH} characters")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def _oidc_secret(secret: SecretStr, file: str) -> SecretStr:
    """The OpenID client secret: the value, or the first line of the file (exactly one of them is set)."""
    if secret.get_secret_value() and file:
        raise ValueError("set OPENCSMS_OIDC_CLIENT_SECRET or OPENCSMS_OIDC_CLIENT_SECRET_FILE, not both")
    if file:
        try:
            secret = SecretStr(Path(file).read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"OPENCSMS_OIDC_CLIENT_SECRET_FILE: cannot read {file!r} ({exc})") from None
    if not secret.get_secret_value():
        raise ValueError(
            "OPENCSMS_OIDC_ISSUER needs OPENCSMS_OIDC_CLIENT_SECRET or OPENCSMS_OIDC_CLIENT_SECRET_FILE"
        )
    return secret


def checkpoint_seconds(text: str) -> int:
    """Seconds of a period written `<number><s|m|h|d>` ("90m", "1h"); ValueError naming the form."""
    found = _PERIOD.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a period: a number and s, m, h or d (e.g. 30m, 1h, 1d)")
    return int(found[1]) * _UNIT_SECONDS[found[2]]


def checkpoint_targets(text: str) -> list[str]:
    """The targets of OPENCSMS_AUDIT_CHECKPOINT_TO: `mailto:ADDRESS` (one each; a bare address after a
    `mailto:` one continues its list), `http(s)://...` and folders; ValueError naming a bad one."""
    targets: list[str] = []
    mailing = False
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        scheme = urlsplit(item).scheme.lower() if ":" in item else ""
        if scheme == "mailto" or (mailing and "@" in item and not scheme and "/" not in item):
            address = item.split(":", 1)[1] if scheme else item
            if address.count("@") != 1 or address.startswith("@") or address.endswith("@"):
                raise ValueError(f"{item!r} is not a mail address (mailto:name@example.com)")
            targets.append(f"mailto:{address}")
            mailing = True
            continue
        mailing = False
        if scheme in {"http", "https"}:
            if not urlsplit(item).hostname:
                raise ValueError(f"{item!r} names no host")
            targets.append(scheme + item[len(scheme) :])
        elif len(scheme) > 1:  # a URL of another kind (one letter: a Windows drive)
            raise ValueError(f"{item!r}: a target is a folder, mailto: addresses or an http(s) URL")
        else:
            targets.append(item)
    return targets


_PERIOD = re.compile(r"(\d{1,9})\s*([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_CHECKPOINT_SECONDS = 60


class ConfigurationError(ImproperlyConfigured):
    """The environment holds a bad value: one line naming each variable and what is wrong with it (Django's
    `ImproperlyConfigured`, which the CLI prints as that one line)."""


def load_settings() -> Settings:
    """`Settings()`, or `ConfigurationError` naming each bad variable (a secret's value is not shown)."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigurationError("; ".join(_problem(error) for error in exc.errors())) from None


def _problem(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:  # a check across settings: its message names the variables
        return message
    name = str(error["loc"][0])
    variable = f"OPENCSMS_{name.upper()}"
    if variable in message:
        return message
    shown = "" if "secret" in name or "password" in name else f"={str(error['input'])[:80]!r}"
    return f"{variable}{shown}: {message}"


def database_settings(url: str, *, workdir: Path) -> dict[str, Any]:
    """Django's `DATABASES["default"]` for a `sqlite:///relative/or//absolute/path` or `postgresql://` URL.

    A relative SQLite path is taken from `workdir`, and its folder is created if missing.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return _sqlite(unquote(parts.path), workdir)
    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
    }


def _sqlite(path: str, workdir: Path) -> dict[str, Any]:
    # the URL path of sqlite:///var/x.sqlite3 is "/var/x.sqlite3" (relative to workdir);
    # the one of sqlite:////abs/x.sqlite3 is "//abs/x.sqlite3" (absolute)
    name = path[1:] if path.startswith("/") else path
    if name != ":memory:":
        file = Path(name) if name.startswith("/") else workdir / name
        file.parent.mkdir(parents=True, exist_ok=True)
        name = str(file)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "OPTIONS": dict(SQLITE_OPTIONS)}
