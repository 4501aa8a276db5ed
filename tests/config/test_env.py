"""The environment settings: production refuses unsafe values; database URLs become Django settings."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from opencsms.config.env import (
    DEV_SECRET_KEY,
    SQLITE_OPTIONS,
    ConfigurationError,
    Settings,
    checkpoint_seconds,
    database_settings,
    load_settings,
)

GOOD_SECRET = "a-long-random-production-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("OPENCSMS_"):
            monkeypatch.delenv(name)


def test_development_defaults() -> None:
    settings = Settings()
    assert (settings.env, settings.debug, settings.secret_key.get_secret_value()) == (
        "dev",
        True,
        DEV_SECRET_KEY,
    )
    assert settings.database_url == "sqlite:///var/opencsms.sqlite3"


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENCSMS_ENV", "production")
    with pytest.raises(ValidationError, match="development default"):
        Settings()


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(env="production", secret_key="short")  # type: ignore[arg-type]


@pytest.mark.parametrize("env", ["test", "production"])
def test_debug_is_for_development_only(env: str) -> None:
    with pytest.raises(ValidationError, match="only with OPENCSMS_ENV=dev"):
        Settings(env=env, secret_key=GOOD_SECRET, debug=True)  # type: ignore[arg-type]


def test_production_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENCSMS_ENV", "production")
    monkeypatch.setenv("OPENCSMS_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("OPENCSMS_ALLOWED_HOSTS", "csms.example.com, api.example.com")
    settings = Settings()
    assert (settings.is_production, settings.debug) == (True, False)
    assert settings.allowed_hosts == ["csms.example.com", "api.example.com"]


def test_the_kept_tara_states_are_a_count(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().kept_tara_states == 4
    monkeypatch.setenv("OPENCSMS_KEPT_TARA_STATES", "0")
    assert Settings().kept_tara_states == 0
    monkeypatch.setenv("OPENCSMS_KEPT_TARA_STATES", "-1")
    with pytest.raises(ValidationError, match="kept_tara_states"):
        Settings()


def test_an_unknown_database_scheme_is_refused() -> None:
    with pytest.raises(ValidationError, match="sqlite:// or postgresql://"):
        Settings(database_url="mysql://root@localhost/x")


def test_the_default_sqlite_file_lives_in_var_of_the_working_directory(tmp_path: Path) -> None:
    config = database_settings("sqlite:///var/opencsms.sqlite3", workdir=tmp_path)
    assert config == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "var" / "opencsms.sqlite3"),
        "OPTIONS": SQLITE_OPTIONS,
    }
    assert (tmp_path / "var").is_dir()


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout() -> None:
    assert "journal_mode=WAL" in SQLITE_OPTIONS["init_command"]
    assert "busy_timeout=" in SQLITE_OPTIONS["init_command"]
    assert SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"


def test_absolute_and_in_memory_sqlite(tmp_path: Path) -> None:
    absolute = database_settings(f"sqlite:///{tmp_path}/db/x.sqlite3", workdir=Path("/nowhere"))
    assert absolute["NAME"] == f"{tmp_path}/db/x.sqlite3"
    assert database_settings("sqlite:///:memory:", workdir=tmp_path)["NAME"] == ":memory:"


def test_postgresql_url() -> None:
    config = database_settings("postgresql://app:p%40ss@db.local:5433/csms?sslmode=require", workdir=Path())
    assert config == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "csms",
        "USER": "app",
        "PASSWORD": "p@ss",
        "HOST": "db.local",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require"},
    }


def _manage(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCSMS_", "DJANGO_"))}
    command = [sys.executable, "-m", "opencsms.cli.main", "server", "manage", *args]
    return subprocess.run(
        command, cwd=tmp_path, env={**clean, **env}, capture_output=True, text=True, check=False, timeout=120
    )


def test_production_settings_pass_djangos_deployment_checks(tmp_path: Path) -> None:
    env = {
        "OPENCSMS_ENV": "production",
        "OPENCSMS_SECRET_KEY": secrets.token_urlsafe(50),
        "OPENCSMS_AUDIT_KEY": secrets.token_urlsafe(40),
    }
    result = _manage(tmp_path, env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_an_audit_key(tmp_path: Path) -> None:
    env = {"OPENCSMS_ENV": "production", "OPENCSMS_SECRET_KEY": secrets.token_urlsafe(50)}
    result = _manage(tmp_path, env, "check")
    assert result.returncode != 0
    assert "opencsms.E001" in result.stderr
    assert "set OPENCSMS_AUDIT_KEY or OPENCSMS_AUDIT_KEY_FILE" in result.stderr
    assert not (tmp_path / "var" / "audit.key").exists()  # never invented in production


def test_production_refuses_to_start_with_the_development_secret(tmp_path: Path) -> None:
    result = _manage(tmp_path, {"OPENCSMS_ENV": "production"}, "check")
    assert result.returncode != 0
    assert "OPENCSMS_SECRET_KEY is the development default" in result.stderr


def test_production_behind_a_tls_proxy_passes_the_deployment_checks(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "audit.key"
    key_file.parent.mkdir()
    key_file.write_text(secrets.token_hex(32))
    env = {
        "OPENCSMS_ENV": "production",
        "OPENCSMS_SECRET_KEY": secrets.token_urlsafe(50),
        "OPENCSMS_AUDIT_KEY_FILE": str(key_file),
        "OPENCSMS_BEHIND_TLS_PROXY": "true",
        "OPENCSMS_ALLOWED_HOSTS": "csms.example.com",
        "OPENCSMS_CSRF_TRUSTED_ORIGINS": "https://csms.example.com",
    }
    result = _manage(tmp_path, env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    shown = _manage(tmp_path, env, "diffsettings", "--all")
    assert "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')" in shown.stdout
    assert "CSRF_TRUSTED_ORIGINS = ['https://csms.example.com']" in shown.stdout


def test_the_forwarded_protocol_is_trusted_only_when_the_operator_says_so(tmp_path: Path) -> None:
    env = {"OPENCSMS_ENV": "production", "OPENCSMS_SECRET_KEY": secrets.token_urlsafe(50)}
    shown = _manage(tmp_path, env, "diffsettings", "--all")
    assert "SECURE_PROXY_SSL_HEADER = None" in shown.stdout


def test_trusted_origins_need_a_scheme() -> None:
    with pytest.raises(ValidationError, match="needs a scheme"):
        Settings(csrf_trusted_origins="csms.example.com")  # type: ignore[arg-type]


def test_production_collects_hashed_compressed_static_files_with_htmx_from_npm(tmp_path: Path) -> None:
    env = {"OPENCSMS_ENV": "production", "OPENCSMS_SECRET_KEY": secrets.token_urlsafe(50)}
    result = _manage(tmp_path, env, "collectstatic", "--noinput", "--verbosity", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    static = tmp_path / "var" / "static"
    manifest = json.loads((static / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/htmx/htmx.min.js", "core/opencsms.css", "core/opencsms.js", "core/favicon.svg"):
        assert (static / manifest[name]).is_file(), name
        assert (static / f"{manifest[name]}.gz").is_file(), name
    assert not (static / "vendor" / "htmx" / "package.json").exists()  # only the dist files


def test_the_outbound_policy_is_closed_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    default = Settings()
    assert (default.source_directories, default.outbound_allow_hosts) == ([], [])
    monkeypatch.setenv("OPENCSMS_SOURCE_DIRECTORIES", "/srv/osv, /data/csaf")
    monkeypatch.setenv("OPENCSMS_OUTBOUND_ALLOW_HOSTS", "mirror.internal,10.0.0.5")
    monkeypatch.setenv("OPENCSMS_OUTBOUND_TIMEOUT", "60")
    settings = Settings()
    assert settings.source_directories == ["/srv/osv", "/data/csaf"]
    assert settings.outbound_allow_hosts == ["mirror.internal", "10.0.0.5"]
    assert settings.outbound_timeout == 60
    monkeypatch.setenv("OPENCSMS_SOURCE_DIRECTORIES", "relative/osv")
    with pytest.raises(ValidationError, match="must be an absolute path"):
        Settings()


def test_audit_checkpoint_targets_and_period(monkeypatch: pytest.MonkeyPatch) -> None:
    default = Settings()
    assert (default.audit_checkpoint_every, default.audit_checkpoint_to) == ("1h", [])
    monkeypatch.setenv(
        "OPENCSMS_AUDIT_CHECKPOINT_TO",
        "/srv/checkpoints, mailto:audit@example.com,offsite@example.org, HTTPS://hooks.example.com/cp?t=1",
    )
    monkeypatch.setenv("OPENCSMS_AUDIT_CHECKPOINT_EVERY", "30m")
    settings = Settings()
    assert settings.audit_checkpoint_to == [
        "/srv/checkpoints",
        "mailto:audit@example.com",
        "mailto:offsite@example.org",  # a bare address after a mailto: one continues its list
        "https://hooks.example.com/cp?t=1",
    ]
    assert checkpoint_seconds(settings.audit_checkpoint_every) == 1800
    assert (checkpoint_seconds("1h"), checkpoint_seconds("2d"), checkpoint_seconds("90 s")) == (
        3600,
        172800,
        90,
    )
    monkeypatch.setenv("OPENCSMS_AUDIT_CHECKPOINT_EVERY", "")
    assert Settings().audit_checkpoint_every == ""  # off: delivered on demand only


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("OPENCSMS_AUDIT_CHECKPOINT_EVERY", "hourly", "'hourly' is not a period: a number and s, m, h or d"),
        ("OPENCSMS_AUDIT_CHECKPOINT_EVERY", "10s", "'10s' is shorter than a minute"),
        (
            "OPENCSMS_AUDIT_CHECKPOINT_TO",
            "ftp://files.example.com/cp",
            "a target is a folder, mailto: addresses",
        ),
        ("OPENCSMS_AUDIT_CHECKPOINT_TO", "mailto:nobody", "'mailto:nobody' is not a mail address"),
        ("OPENCSMS_AUDIT_CHECKPOINT_TO", "https:///path-only", "names no host"),
    ],
)
def test_a_bad_checkpoint_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    assert str(refused.value).startswith(f"{variable}=")
    assert problem in str(refused.value)


@pytest.mark.parametrize(
    ("variable", "value", "shown"),
    [
        (
            "OPENCSMS_EMAIL_PORT",
            "twenty-five",
            "OPENCSMS_EMAIL_PORT='twenty-five': Input should be a valid integer",
        ),
        ("OPENCSMS_LOG_FORMAT", "xml", "OPENCSMS_LOG_FORMAT='xml': Input should be 'text' or 'json'"),
        ("OPENCSMS_DATABASE_URL", "mysql://db/x", "OPENCSMS_DATABASE_URL must start with sqlite://"),
        ("OPENCSMS_OIDC_ONLY", "true", "OPENCSMS_OIDC_ONLY needs OPENCSMS_OIDC_ISSUER"),
    ],
)
def test_a_bad_variable_stops_the_start_with_one_line_naming_it(
    tmp_path: Path, variable: str, value: str, shown: str
) -> None:
    result = _manage(tmp_path, {variable: value}, "check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("opencsms: configuration error: ")
    assert shown in line


def test_a_secret_is_named_but_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENCSMS_ENV", "production")
    monkeypatch.setenv("OPENCSMS_SECRET_KEY", "short-and-secret")
    with pytest.raises(ConfigurationError, match="OPENCSMS_SECRET_KEY must have at least 32") as refused:
        load_settings()
    assert "short-and-secret" not in str(refused.value)
