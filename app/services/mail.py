"""Email over SMTP: the Bahasa Indonesia text of a notification, and sending it with smtplib."""
from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate

SIGNATURE = ("Pesan ini dikirim otomatis oleh SIMASN Pemerintah Kota Tangerang; mohon tidak membalas email ini.\n"
             "Anda menerimanya karena alamat ini terdaftar pada akun SIMASN Anda.")


@dataclass(frozen=True)
class MailSettings:
    """The SIMASN_SMTP_* settings and the outbox policy; no host means email is off."""
    host: str | None = None
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "simasn@tangerangkota.go.id"
    security: str = "none"  # none | starttls | ssl
    timeout: int = 30
    base_url: str = "http://127.0.0.1:5000"
    max_attempts: int = 5
    backoff_seconds: int = 60

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @property
    def lease_seconds(self) -> int:
        """How long a claimed message may stay "sending" before it is taken to be abandoned by a dead worker."""
        return max(300, 10 * self.timeout)

    @classmethod
    def from_settings(cls, settings) -> MailSettings:
        return cls(host=settings.smtp_host, port=settings.smtp_port, user=settings.smtp_user,
                   password=settings.smtp_password, sender=settings.smtp_from, security=settings.smtp_security,
                   timeout=settings.smtp_timeout, base_url=settings.base_url,
                   max_attempts=settings.outbox_max_attempts, backoff_seconds=settings.outbox_backoff_seconds)


def absolute_link(base_url: str, link: str | None) -> str | None:
    """An in-app link ("/usulan/5") as the address a mail reader can open."""
    if not link:
        return None
    if link.startswith(("http://", "https://")):
        return link
    return f"{base_url.rstrip('/')}/{link.lstrip('/')}"


def compose_body(name: str, title: str, body: str | None, url: str | None) -> str:
    parts = [f"Yth. {name},", title]
    if body:
        parts.append(body)
    if url:
        parts.append(f"Buka di SIMASN: {url}")
    parts.append(SIGNATURE)
    return "\n\n".join(parts) + "\n"


def build_message(settings: MailSettings, *, recipient: str, subject: str, body: str,
                  idempotency_key: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("SIMASN Kota Tangerang", settings.sender))
    message["To"] = recipient
    message["Subject"] = f"[SIMASN] {subject}"
    message["Date"] = formatdate(localtime=False)
    # The same message always carries the same Message-ID, so a receiver can drop a rare duplicate.
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@{settings.sender.split('@', 1)[1]}>"
    message.set_content(body)
    return message


class DeliveryError(Exception):
    """A message was not accepted. `permanent`: retrying cannot help (the address is refused);
    `connection`: the server could not be reached, so the rest of the run should wait as well."""

    def __init__(self, message: str, *, permanent: bool = False, connection: bool = False):
        super().__init__(message)
        self.permanent, self.connection = permanent, connection


class SmtpMailer:
    """One SMTP session, opened on first use and reused for the messages of one delivery run."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        try:
            self._session().send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise DeliveryError(f"Alamat penerima ditolak server SMTP: {_refusals(exc.recipients)}",
                                permanent=all(code >= 500 for code in codes)) from exc
        except smtplib.SMTPDataError as exc:
            raise DeliveryError(f"Isi pesan ditolak server SMTP ({exc.smtp_code}): {_text(exc.smtp_error)}",
                                permanent=exc.smtp_code >= 500) from exc
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPAuthenticationError,
                OSError) as exc:
            self.close()
            raise DeliveryError(f"Server SMTP {self.settings.host}:{self.settings.port} tidak dapat dipakai: "
                                f"{_describe(exc)}", connection=True) from exc
        except smtplib.SMTPException as exc:
            self.close()
            raise DeliveryError(f"Server SMTP menolak pengiriman: {_describe(exc)}") from exc

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _session(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.user:
            smtp.login(s.user, s.password or "")
        return smtp


def _text(raw) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def _refusals(recipients: dict) -> str:
    return "; ".join(f"{address} ({code} {_text(text)})" for address, (code, text) in recipients.items())


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
