"""A real SMTP server in the test process (aiosmtpd) that keeps what it received, and helpers to point
the outbox at it and to record when the worker would be woken."""
from __future__ import annotations

import email
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy

from aiosmtpd.controller import Controller

from app.services import outbox
from app.services.mail import MailSettings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_content()


@dataclass
class MailServer:
    """Accepts every message, except that addresses in `refused` get a permanent 550."""
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Kotak surat tidak ada"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def start(self) -> MailServer:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        """For a worker in another process: the messages once `count` have arrived (or fail after timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(self.received) >= count, f"expected {count} message(s), got {len(self.received)}"
        return self.received


@contextmanager
def mail_server():
    server = MailServer().start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def outbox_bound(settings: MailSettings):
    """The outbox configured with `settings` and a wake-up that only counts; restored afterwards."""
    wakes: list[int] = []
    previous = outbox.configure(settings, wake=lambda: wakes.append(1))
    try:
        yield wakes
    finally:
        outbox.configure(*previous)


def smtp_settings(port: int, **changes) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, timeout=5, base_url="https://simasn.tangerangkota.go.id",
                        **changes)
