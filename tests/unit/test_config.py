"""Configuration from SIMASN_* variables: the embedded defaults, a clear error naming every malformed
variable, and the secret key generated once under the instance directory."""
from __future__ import annotations

import stat

import pytest

from app import create_app
from app.config import ConfigError, load_settings

SECRET = "k" * 40


def env_for(instance, **variables) -> dict:
    """An environment with only the instance directory and the given SIMASN_* variables."""
    env = {"SIMASN_INSTANCE_PATH": str(instance)}
    env.update({f"SIMASN_{name.upper()}": value for name, value in variables.items()})
    return env


def config_error(instance, **variables) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(env=env_for(instance, **variables))
    return str(caught.value)


def test_embedded_defaults(tmp_path):
    """Without variables, do database, broker, results and documents all live under the instance dir?"""
    instance = tmp_path.resolve()
    settings = load_settings(env=env_for(tmp_path, secret_key=SECRET))
    assert settings.instance_path == instance
    assert settings.database_url == f"sqlite:///{instance / 'simasn.sqlite'}"
    assert settings.broker_url == f"sqla+sqlite:///{instance / 'broker.sqlite'}"
    assert settings.result_backend == f"db+sqlite:///{instance / 'celery-results.sqlite'}"
    assert settings.document_store == instance / "dokumen"
    assert (settings.demo_mode, settings.smtp_host, settings.smtp_port) == (False, None, 25)


def test_redis_broker_is_also_the_result_backend(tmp_path):
    """With a Redis broker and no result backend, are results kept in the same Redis?"""
    settings = load_settings(env=env_for(tmp_path, secret_key=SECRET, broker_url="redis://cache:6379/2"))
    assert settings.result_backend == "redis://cache:6379/2"
    assert settings.as_flask_config()["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"


def test_postgresql_url_gets_the_psycopg_driver(tmp_path):
    """Is postgresql:// normalised to postgresql+psycopg, keeping password and options?"""
    url = "postgresql://simasn:rahasia@db:5432/simasn?options=-csearch_path%3Dsimasn"
    settings = load_settings(env=env_for(tmp_path, secret_key=SECRET, database_url=url))
    assert settings.database_url == "postgresql+psycopg://simasn:rahasia@db:5432/simasn?options=-csearch_path%3Dsimasn"


def test_explicit_driver_is_kept(tmp_path):
    """Is a URL that already names its driver left as it is?"""
    url = "postgresql+psycopg://db/simasn"
    assert load_settings(env=env_for(tmp_path, secret_key=SECRET, database_url=url)).database_url == url


@pytest.mark.parametrize("url", ["mysql://root@db/simasn", "postgres://db/simasn"], ids=["mysql", "heroku-style"])
def test_unsupported_database(tmp_path, url):
    """Is a database other than SQLite or PostgreSQL refused, naming SIMASN_DATABASE_URL?"""
    assert config_error(tmp_path, secret_key=SECRET, database_url=url) == (
        "SIMASN_DATABASE_URL: hanya sqlite dan postgresql yang didukung.")


@pytest.mark.parametrize("url", ["bukan sebuah url", "postgresql://simasn:rahasia@db:port/simasn"],
                         ids=["garbage", "bad-port"])
def test_garbage_database_url(tmp_path, url):
    """Is an unparseable URL (or a port that is no number) refused naming the variable, hiding the password?"""
    message = config_error(tmp_path, secret_key=SECRET, database_url=url)
    assert message.startswith("SIMASN_DATABASE_URL: ") and "bukan URL basis data yang sah" in message
    assert "rahasia" not in message


def test_unsupported_broker(tmp_path):
    """Is an ftp:// broker refused, naming SIMASN_BROKER_URL and the scheme?"""
    message = config_error(tmp_path, secret_key=SECRET, broker_url="ftp://files.example/queue")
    assert message.startswith("SIMASN_BROKER_URL: skema 'ftp' tidak didukung")


def test_short_secret_key(tmp_path):
    """Is a secret key under 32 characters refused?"""
    assert config_error(tmp_path, secret_key="terlalu-pendek") == "SIMASN_SECRET_KEY: minimal 32 karakter."


def test_smtp_port_not_a_number(tmp_path):
    """Is SIMASN_SMTP_PORT=abc refused as not an integer?"""
    assert config_error(tmp_path, secret_key=SECRET, smtp_port="abc") == "SIMASN_SMTP_PORT: 'abc' bukan bilangan bulat."


def test_smtp_port_zero(tmp_path):
    """Is SIMASN_SMTP_PORT=0 refused as below the minimum?"""
    assert config_error(tmp_path, secret_key=SECRET, smtp_port="0") == "SIMASN_SMTP_PORT: nilai minimal 1, diberikan 0."


def test_demo_mode_not_a_boolean(tmp_path):
    """Is SIMASN_DEMO_MODE=maybe refused, saying what is accepted?"""
    assert config_error(tmp_path, secret_key=SECRET, demo_mode="maybe") == (
        "SIMASN_DEMO_MODE: nilai 'maybe' tidak dikenali; gunakan true atau false.")


@pytest.mark.parametrize("raw, expected", [("ya", True), ("TRUE", True), ("1", True), ("tidak", False), ("", False)])
def test_demo_mode_words(tmp_path, raw, expected):
    """Are Indonesian and English yes/no words both understood?"""
    assert load_settings(env=env_for(tmp_path, secret_key=SECRET, demo_mode=raw)).demo_mode is expected


def test_secret_key_generated_once(tmp_path):
    """Without SIMASN_SECRET_KEY, is a key generated into instance/secret_key (0600) and reused next time?"""
    first = load_settings(env=env_for(tmp_path)).secret_key
    key_file = tmp_path / "secret_key"
    assert len(first) >= 32 and key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings(env=env_for(tmp_path)).secret_key == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_secret_key_created_with_the_instance_dir(tmp_path):
    """Is a missing instance directory created for the key?"""
    instance = tmp_path / "belum" / "ada"
    assert len(load_settings(env=env_for(instance)).secret_key) >= 32
    assert (instance / "secret_key").is_file()


def test_empty_secret_key_file(tmp_path):
    """Is an empty key file refused, naming the variable and the file, instead of signing with ''?"""
    (tmp_path / "secret_key").write_text("")
    message = config_error(tmp_path)
    assert message.startswith("SIMASN_SECRET_KEY: ") and str(tmp_path.resolve() / "secret_key") in message


def test_given_secret_key_writes_no_file(tmp_path):
    """With SIMASN_SECRET_KEY set, is that key used and nothing written?"""
    assert load_settings(env=env_for(tmp_path, secret_key=SECRET)).secret_key == SECRET
    assert not (tmp_path / "secret_key").exists()


def test_create_app_refuses_a_broken_variable(tmp_path, monkeypatch):
    """Does the app factory stop at start-up with the message naming the broken variable?"""
    monkeypatch.setenv("SIMASN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SIMASN_SECRET_KEY", SECRET)
    monkeypatch.setenv("SIMASN_SMTP_PORT", "abc")
    with pytest.raises(ConfigError, match="^SIMASN_SMTP_PORT: 'abc' bukan bilangan bulat.$"):
        create_app()
