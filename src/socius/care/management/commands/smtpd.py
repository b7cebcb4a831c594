"""``socius smtpd [--host HOST] [--port PORT]``: the SMTP listener of the email channel."""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from socius.care.channels.email_in import smtp_controller

# On SIGTERM, mail being stored gets this long to finish before the server stops; one cut
# short was not answered "250", so its sender delivers it again.
DRAIN_SECONDS = 30


class Command(BaseCommand):
    help = (
        "Receive customers' email over SMTP: each mail to the care address becomes a "
        "message on a case. Put it behind the mail exchanger of the care domain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.CARE_SMTPD_HOST)
        parser.add_argument("--port", type=int, default=settings.CARE_SMTPD_PORT)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        controller = smtp_controller(host=host, port=port)
        controller.start()
        self.stdout.write(
            f"Receiving mail for {settings.CARE_EMAIL_ADDRESS} on smtp://{host}:{port}/"
        )
        try:
            while not stopping.wait(1):
                pass
        finally:
            self._drain(controller)
        self.stdout.write("SMTP listener stopped.")

    def _drain(self, controller: Any) -> None:
        """Stop taking connections, let the mail being stored finish, then stop."""
        if controller.server is not None:
            controller.loop.call_soon_threadsafe(controller.server.close)
        deadline = time.monotonic() + DRAIN_SECONDS
        while controller.handler.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        controller.stop()
