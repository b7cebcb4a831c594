from __future__ import annotations

import importlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from socius.env import (
    DatabaseUrl,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    parse_database_url,
)

BASE_DIR = Path("/srv/socius")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("on", True), ("0", False), ("Off", False)],
)
def test_it_reads_booleans(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("SOCIUS_X", raw)

    assert env_bool("SOCIUS_X", default=not expected) is expected


def test_it_uses_the_default_for_an_unset_or_blank_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SOCIUS_X", raising=False)
    assert (env_bool("SOCIUS_X", default=True), env_int("SOCIUS_X", 7), env_list("SOCIUS_X")) == (
        True,
        7,
        [],
    )
    monkeypatch.setenv("SOCIUS_X", "  ")
    assert (env_bool("SOCIUS_X", default=False), env_int("SOCIUS_X", 7), env_list("SOCIUS_X")) == (
        False,
        7,
        [],
    )


def test_it_refuses_a_boolean_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIUS_X", "maybe")

    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool("SOCIUS_X", default=False)

    assert str(refused.value) == "SOCIUS_X='maybe' is not a boolean; use true or false."


def test_it_reads_integers_at_or_above_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIUS_X", " 60 ")

    assert env_int("SOCIUS_X", 1, minimum=60) == 60


def test_it_refuses_an_integer_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIUS_X", "ten")

    with pytest.raises(ImproperlyConfigured) as refused:
        env_int("SOCIUS_X", 10)

    assert str(refused.value) == "SOCIUS_X='ten' is not an integer."


def test_it_refuses_an_integer_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIUS_X", "59")

    with pytest.raises(ImproperlyConfigured) as refused:
        env_int("SOCIUS_X", 300, minimum=60)

    assert str(refused.value) == "SOCIUS_X=59 is below the minimum of 60."


def test_it_reads_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIUS_X", "a.example, b.example ,c.example")

    assert env_list("SOCIUS_X") == ["a.example", "b.example", "c.example"]


def test_it_refuses_a_list_with_an_empty_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIUS_X", "a.example,,b.example")

    with pytest.raises(ImproperlyConfigured) as refused:
        env_list("SOCIUS_X")

    assert str(refused.value) == (
        "SOCIUS_X='a.example,,b.example' has an empty item; separate values by commas."
    )


def test_it_reads_a_choice_and_refuses_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIUS_X", "redis")
    assert env_choice("SOCIUS_X", "memory", ("memory", "redis")) == "redis"

    monkeypatch.setenv("SOCIUS_X", "Redis")
    with pytest.raises(ImproperlyConfigured) as refused:
        env_choice("SOCIUS_X", "memory", ("memory", "redis"))

    assert str(refused.value) == "SOCIUS_X='Redis' is not one of: memory, redis."


def test_it_reads_a_secret_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("SOCIUS_X", "from-the-variable")
    monkeypatch.setenv("SOCIUS_X_FILE", str(secret_file))

    assert env_secret("SOCIUS_X") == "from-the-file"


def test_it_refuses_a_secret_file_it_cannot_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOCIUS_X_FILE", str(tmp_path / "missing"))

    with pytest.raises(ImproperlyConfigured, match=r"^SOCIUS_X_FILE='.*/missing' cannot be read"):
        env_secret("SOCIUS_X")


def test_it_reads_a_relative_sqlite_url_from_the_project_directory() -> None:
    assert parse_database_url("sqlite:///var/db.sqlite3", base_dir=BASE_DIR) == DatabaseUrl(
        engine="sqlite", name="/srv/socius/var/db.sqlite3"
    )


def test_it_reads_an_absolute_sqlite_url() -> None:
    assert parse_database_url("sqlite:////data/socius.db", base_dir=BASE_DIR) == DatabaseUrl(
        engine="sqlite", name="/data/socius.db"
    )


def test_it_refuses_a_sqlite_url_without_a_path() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL='sqlite://': write sqlite"):
        parse_database_url("sqlite://", base_dir=BASE_DIR)


def test_it_reads_every_part_of_a_postgres_url() -> None:
    url = "postgres://socius:p%40ss%2Fword@db.internal:6432/socius_prod?sslmode=require&x=1"

    assert parse_database_url(url, base_dir=BASE_DIR) == DatabaseUrl(
        engine="postgresql",
        name="socius_prod",
        user="socius",
        password="p@ss/word",
        host="db.internal",
        port="6432",
        options={"sslmode": "require", "x": "1"},
    )


def test_it_reads_a_minimal_postgresql_url() -> None:
    assert parse_database_url("postgresql://localhost/socius", base_dir=BASE_DIR) == DatabaseUrl(
        engine="postgresql", name="socius", host="localhost", options={}
    )


def test_it_refuses_a_mysql_url() -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_database_url("mysql://root:pw@localhost/socius", base_dir=BASE_DIR)

    assert str(refused.value) == (
        "DATABASE_URL scheme 'mysql' is not supported; use sqlite:// or postgres://."
    )


def test_it_refuses_a_postgres_url_without_a_database_and_hides_the_password() -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_database_url("postgres://socius:hunter2@db.internal:5432/", base_dir=BASE_DIR)

    assert str(refused.value) == (
        "DATABASE_URL='postgres://socius:***@db.internal:5432/' names no database."
    )


def test_it_refuses_a_postgres_url_with_an_invalid_port_and_hides_the_password() -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_database_url("postgres://socius:hunter2@db.internal:99999/x", base_dir=BASE_DIR)

    assert str(refused.value) == (
        "DATABASE_URL='postgres://socius:***@db.internal:99999/x' has an invalid port."
    )


def _production_environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SOCIUS_", "DJANGO_", "DATABASE_URL"))
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "socius.settings",
        "SOCIUS_ENV": "production",
        "SOCIUS_DATA_DIR": str(tmp_path),
        **variables,
    }


def _run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


SETUP = ["-c", "import django, os; django.setup()"]


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path: Path) -> None:
    result = _run(SETUP, _production_environment(tmp_path))

    assert result.returncode == 1
    assert "ImproperlyConfigured: SOCIUS_SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_in_production_with_a_short_secret_key(tmp_path: Path) -> None:
    result = _run(SETUP, _production_environment(tmp_path, SOCIUS_SECRET_KEY="x" * 49))

    assert result.returncode == 1
    assert "ImproperlyConfigured: SOCIUS_SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_in_production_without_allowed_hosts(tmp_path: Path) -> None:
    environment = _production_environment(tmp_path, SOCIUS_SECRET_KEY=secrets.token_hex(30))

    result = _run(SETUP, environment)

    assert result.returncode == 1
    assert "ImproperlyConfigured: SOCIUS_ALLOWED_HOSTS must be set" in result.stderr


def test_it_passes_the_deployment_checks_in_production(tmp_path: Path) -> None:
    environment = _production_environment(
        tmp_path,
        SOCIUS_SECRET_KEY=secrets.token_urlsafe(45)[:60],
        SOCIUS_ALLOWED_HOSTS="socius.example.com",
    )

    result = _run(["-m", "socius.cli", "check", "--deploy", "--fail-level", "WARNING"], environment)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (1 silenced).\n"


def test_it_tunes_the_database_connection(db: None) -> None:
    options = settings.DATABASES["default"]["OPTIONS"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            busy_timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
            synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
        assert (journal_mode, busy_timeout, synchronous) == ("wal", 20_000, 1)  # 1 is NORMAL
        assert options["transaction_mode"] == "IMMEDIATE"
    else:
        assert connection.vendor == "postgresql"
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_encoding")
            assert cursor.fetchone()[0] == "UTF8"


def test_it_hashes_passwords_with_argon2_first() -> None:
    # The test suite swaps in a faster hasher, so read the settings module itself.
    module = importlib.import_module("socius.settings")

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_it_turns_debug_off_and_pins_cookies_to_the_host_in_production(tmp_path: Path) -> None:
    environment = _production_environment(
        tmp_path,
        SOCIUS_SECRET_KEY=secrets.token_hex(30),
        SOCIUS_ALLOWED_HOSTS="socius.example.com",
        SOCIUS_DEBUG="true",
    )
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_NAME, "
        "s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )

    result = _run(["-c", show], environment)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.split() == [
        "False",
        "__Host-sessionid",
        "True",
        "__Host-csrftoken",
        "True",
        "True",
        "31536000",
    ]


def test_it_pools_postgresql_connections_when_asked(tmp_path: Path) -> None:
    show = ["-c", "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"]
    base = {
        "SOCIUS_ENV": "development",
        "DATABASE_URL": "postgres://socius@db.example:5432/socius",
    }

    pooled = _run(show, _production_environment(tmp_path, **base, SOCIUS_DB_POOL_SIZE="4"))
    plain = _run(show, _production_environment(tmp_path, **base))

    assert "'pool': {'min_size': 1, 'max_size': 4}" in pooled.stdout, pooled.stderr
    assert "pool" not in plain.stdout, plain.stderr
