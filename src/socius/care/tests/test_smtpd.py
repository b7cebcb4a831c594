"""``socius smtpd``: a real SMTP server on a free local port, spoken to with smtplib."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from socius.care.channels import email_in
from socius.care.channels.email_in import smtp_controller
from socius.care.models import Case, Message
from socius.core.errors import InvalidInput

SUPPORT = "support@socius.localhost"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mail(
    message_id: str = "<s1@mail.example.org>", body: str = "Bonjour, où en est ma commande ?"
) -> bytes:
    message = EmailMessage()
    message["From"] = "Claire Dupont <claire.dupont@example.org>"
    message["To"] = SUPPORT
    message["Subject"] = "Commande 1042"
    message["Message-ID"] = message_id
    message.set_content(body)
    return message.as_bytes()


@pytest.fixture
def server(transactional_db, settings) -> Iterator[Controller]:
    settings.CARE_EMAIL_ADDRESS = SUPPORT
    settings.CARE_SMTPD_MAX_BYTES = 64 * 1024
    controller = smtp_controller(host="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def client(server: Controller) -> smtplib.SMTP:
    return smtplib.SMTP(server.hostname, server.port, timeout=10)


def test_a_mail_is_stored_before_it_is_accepted(server) -> None:
    with client(server) as smtp:
        refused = smtp.sendmail("claire.dupont@example.org", [SUPPORT], mail())
    assert refused == {}
    # sendmail returned: the server answered 250, so the message is in the database already.
    message = Message.objects.get()
    assert message.external_id == "<s1@mail.example.org>"
    assert message.channel == "email"
    assert message.case.person.given_name == "Claire"


def test_a_recipient_at_another_domain_is_refused(server) -> None:
    with client(server) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.sendmail("claire.dupont@example.org", ["someone@elsewhere.example"], mail())
    assert refused.value.recipients["someone@elsewhere.example"][0] == 550
    assert Message.objects.count() == 0


def test_only_our_recipients_are_accepted_among_several(server) -> None:
    with client(server) as smtp:
        refused = smtp.sendmail(
            "claire.dupont@example.org", [SUPPORT, "relay@elsewhere.example"], mail()
        )
    assert list(refused) == ["relay@elsewhere.example"]
    assert refused["relay@elsewhere.example"][0] == 550
    assert Message.objects.count() == 1


def test_a_failure_to_store_answers_451_and_the_retry_is_stored_once(server, monkeypatch) -> None:
    receive = email_in.email_receive

    def broken(raw: bytes) -> None:
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(email_in, "email_receive", broken)
    with client(server) as smtp, pytest.raises(smtplib.SMTPDataError) as failed:
        smtp.sendmail("claire.dupont@example.org", [SUPPORT], mail())
    assert failed.value.smtp_code == 451
    assert Message.objects.count() == 0
    monkeypatch.setattr(email_in, "email_receive", receive)
    with client(server) as smtp:
        smtp.sendmail("claire.dupont@example.org", [SUPPORT], mail())
        smtp.sendmail("claire.dupont@example.org", [SUPPORT], mail())  # a duplicate delivery
    assert Message.objects.count() == 1
    assert Case.objects.count() == 1


def test_a_mail_the_intake_refuses_is_refused_for_good(server, monkeypatch) -> None:
    def refusing(raw: bytes) -> None:
        raise InvalidInput(details={"field": "body"})

    monkeypatch.setattr(email_in, "email_receive", refusing)
    with client(server) as smtp, pytest.raises(smtplib.SMTPDataError) as failed:
        smtp.sendmail("claire.dupont@example.org", [SUPPORT], mail())
    assert failed.value.smtp_code == 554


def test_a_mail_over_the_size_limit_is_refused(server) -> None:
    with client(server) as smtp, pytest.raises(smtplib.SMTPException):
        smtp.sendmail("claire.dupont@example.org", [SUPPORT], mail(body="x" * 70_000))
    assert Message.objects.count() == 0


def test_a_bounce_is_accepted_and_dropped(server) -> None:
    with client(server) as smtp:
        assert smtp.sendmail("", [SUPPORT], mail()) == {}
    assert Message.objects.count() == 0


def test_the_socius_command_serves_and_stops_cleanly_on_sigterm(tmp_path) -> None:
    port = free_port()
    env = {**os.environ, "SOCIUS_DATA_DIR": str(tmp_path), "SOCIUS_CARE_EMAIL": SUPPORT}
    process = subprocess.Popen(
        [sys.executable, "-m", "socius.cli", "smtpd", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                    code, _ = smtp.noop()
                    assert code == 250
                break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert f"smtp://127.0.0.1:{port}/" in stdout
