"""A real SMTP server for tests: aiosmtpd on a local port, keeping every message it receives."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Envelope:
    """What SMTP said around one message: the envelope sender (MAIL FROM: the return path) and recipients."""

    mail_from: str
    rcpt_tos: tuple[str, ...]


class SmtpSink:
    """An SMTP server that can be started, stopped and restarted on the same port.

    Each start makes a fresh aiosmtpd Controller, so a test can simulate an outage
    and bring the server back. Messages survive restarts.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []  # envelopes[i] is the envelope of messages[i]
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpSink:
        if self._controller is None:
            self._controller = Controller(self, hostname=self.host, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_DATA(self, server, session, envelope) -> str:
        """aiosmtpd hook: keep the parsed message and accept it."""
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.envelopes.append(Envelope(envelope.mail_from, tuple(envelope.rcpt_tos)))
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def texts(self) -> list[str]:
        """The plain-text part of every received message, in arrival order."""
        return [message.get_body(preferencelist=("plain",)).get_content() for message in self.messages]
