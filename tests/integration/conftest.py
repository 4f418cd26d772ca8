"""Integration fixtures: a real SMTP server on the port the test app sends mail to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.support.smtp import SmtpSink


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpSink]:
    """A running aiosmtpd server at the app's mail_server:mail_port; stop() it to simulate an outage."""
    settings = app.config["HORSESHOE"]
    sink = SmtpSink(settings.mail_server, settings.mail_port).start()
    yield sink
    sink.stop()
