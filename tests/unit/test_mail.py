"""Email settings (SIMASN_SMTP_*, SIMASN_BASE_URL, SIMASN_OUTBOX_*), the Indonesian mail text, and
publishing to a broker that is down."""
from __future__ import annotations

import logging

import pytest

from app.config import ConfigError, load_settings
from app.dispatch import TaskQueue, broker_status
from app.services.mail import MailSettings, absolute_link, build_message, compose_body
from tests.smtp import free_port

SECRET = "k" * 40


def settings(tmp_path, **variables):
    env = {"SIMASN_INSTANCE_PATH": str(tmp_path), "SIMASN_SECRET_KEY": SECRET}
    env.update({f"SIMASN_{name.upper()}": value for name, value in variables.items()})
    return load_settings(env=env)


def config_error(tmp_path, **variables) -> str:
    with pytest.raises(ConfigError) as caught:
        settings(tmp_path, **variables)
    return str(caught.value)


def test_email_is_off_by_default(tmp_path):
    """Without SIMASN_SMTP_HOST, is email off, with links pointing at the local server?"""
    mail = MailSettings.from_settings(settings(tmp_path))
    assert not mail.enabled and mail.base_url == "http://127.0.0.1:5000"
    assert (mail.max_attempts, mail.backoff_seconds) == (5, 60)


@pytest.mark.parametrize("variables, security, port", [
    ({}, "none", 25), ({"smtp_starttls": "true"}, "starttls", 587), ({"smtp_ssl": "ya"}, "ssl", 465),
    ({"smtp_ssl": "true", "smtp_port": "2465"}, "ssl", 2465)])
def test_security_chooses_the_default_port(tmp_path, variables, security, port):
    """Does STARTTLS default to port 587 and SSL to 465, unless SIMASN_SMTP_PORT says otherwise?"""
    mail = MailSettings.from_settings(settings(tmp_path, smtp_host="mail.tangerangkota.go.id", **variables))
    assert (mail.enabled, mail.security, mail.port) == (True, security, port)


@pytest.mark.parametrize("variables, message", [
    ({"smtp_starttls": "true", "smtp_ssl": "true"},
     "SIMASN_SMTP_SSL: tidak dapat dipakai bersama SIMASN_SMTP_STARTTLS; pilih salah satu."),
    ({"smtp_user": "simasn"}, "SIMASN_SMTP_PASSWORD: wajib diisi bila SIMASN_SMTP_USER diatur."),
    ({"smtp_from": "simasn-tanpa-domain"}, "SIMASN_SMTP_FROM: 'simasn-tanpa-domain' bukan alamat email yang sah."),
    ({"smtp_timeout": "0"}, "SIMASN_SMTP_TIMEOUT: nilai minimal 1, diberikan 0."),
    ({"base_url": "simasn.tangerangkota.go.id"},
     "SIMASN_BASE_URL: 'simasn.tangerangkota.go.id' bukan alamat http:// atau https:// yang sah."),
    ({"outbox_max_attempts": "0"}, "SIMASN_OUTBOX_MAX_ATTEMPTS: nilai minimal 1, diberikan 0."),
    ({"outbox_backoff_seconds": "sebentar"}, "SIMASN_OUTBOX_BACKOFF_SECONDS: 'sebentar' bukan bilangan bulat."),
], ids=["both-tls", "user-without-password", "sender", "timeout", "base-url", "attempts", "backoff"])
def test_malformed_mail_settings_are_refused(tmp_path, variables, message):
    """Is each malformed mail setting refused at start-up, naming its variable?"""
    assert config_error(tmp_path, **variables) == message


def test_base_url_loses_its_trailing_slash(tmp_path):
    """Is https://host/simasn/ kept as https://host/simasn, so links join with one slash?"""
    mail = MailSettings.from_settings(settings(tmp_path, base_url="https://pegawai.tangerangkota.go.id/simasn/"))
    assert absolute_link(mail.base_url, "/usulan/5") == "https://pegawai.tangerangkota.go.id/simasn/usulan/5"


def test_mail_text_in_bahasa_indonesia():
    """Does the mail greet the user, carry title, body and the absolute link, and say it is automatic?"""
    text = compose_body("Siti Nurhaliza", "Usulan disetujui", "Nomor SK: 001/UJI/BKPSDM/2026",
                        absolute_link("https://simasn.example", "/usulan/5"))
    assert text.startswith("Yth. Siti Nurhaliza,\n\nUsulan disetujui\n\nNomor SK: 001/UJI/BKPSDM/2026\n\n")
    assert "Buka di SIMASN: https://simasn.example/usulan/5" in text and "dikirim otomatis" in text
    assert "Buka di SIMASN" not in compose_body("Siti", "Judul", None, absolute_link("https://x", None))


def test_the_same_message_always_has_the_same_message_id():
    """Is the Message-ID derived from the idempotency key (a receiver can drop a duplicate), and the sender
    and subject set?"""
    mail = MailSettings(host="mail", sender="simasn@tangerangkota.go.id")

    def build(key: str):
        return build_message(mail, recipient="a@contoh.go.id", subject="Judul", body="Isi", idempotency_key=key)

    assert build("k:1")["Message-ID"] == build("k:1")["Message-ID"] != build("k:2")["Message-ID"]
    assert build("k:1")["Message-ID"].endswith("@tangerangkota.go.id>")
    assert build("k:1")["Subject"] == "[SIMASN] Judul" and "simasn@tangerangkota.go.id" in build("k:1")["From"]


def test_publishing_to_a_stopped_broker_returns_false_and_logs(caplog):
    """With nothing listening at the broker address, does publishing report False and log why, instead of
    raising into the request that committed?"""
    queue = TaskQueue(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="app.dispatch"):
        assert queue.send("simasn.outbox.deliver") is False
    assert "tidak dapat dikirim ke broker" in caplog.text


def test_broker_status_of_the_embedded_broker(tmp_path):
    """Is a new SQLite broker reachable with an empty default queue, and an unsupported one explained?"""
    status = broker_status(f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}")
    assert (status.reachable, status.queues, status.depth_unavailable) == (True, {"celery": 0}, None)
    other = broker_status(f"amqp://guest@127.0.0.1:{free_port()}//")
    assert not other.reachable and other.depth_unavailable == "antrean broker amqp tidak dapat dibaca langsung"
