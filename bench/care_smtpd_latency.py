"""Latency from an email sent to ``socius smtpd`` to the case appearing live in the inbox.

Starts the SMTP listener in this process on a free local port, against a fresh database
with ten agents of "service-client" and a routing rule sending email there, subscribes to
the live channel ``care:inbox`` (the in-process broker: what an open inbox listens to
through SSE), then sends N mails with smtplib over one SMTP connection, each from a new
customer (a new person, a new case, routed and assigned). For each mail it measures:

  - accepted: from before ``sendmail`` to its return (the server answered "250" once the
    message was stored);
  - live: from before ``sendmail`` to the moment the inbox event naming the new case is
    received by the subscriber.

Five mails are sent first to warm up and are not counted. It prints p50/p95/max of both,
then the live p95 last.

    python bench/care_smtpd_latency.py                     # SQLite, 200 mails
    python bench/care_smtpd_latency.py --mails 50
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench python bench/care_smtpd_latency.py
"""

from __future__ import annotations

import argparse
import asyncio
import smtplib
import socket
import statistics
import time
from email.message import EmailMessage
from typing import Any

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path

WARM_UP = 5
AGENTS = 10
WAIT_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mail(number: int, to: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Client {number} <client.{number}@example.org>"
    message["To"] = to
    message["Subject"] = f"Commande {1000 + number} jamais reçue"
    message["Message-ID"] = f"<bench.{number}@example.org>"
    message.set_content(
        "Bonjour,\n\nJ'ai commandé il y a deux semaines et rien n'est arrivé. "
        "Pouvez-vous regarder ?\n\nMerci,\nClient"
    )
    return message.as_bytes()


def setup_agents() -> None:
    from socius.accounts.models import Department
    from socius.accounts.roles import Role
    from socius.accounts.services import EmployeeIn, employee_create
    from socius.care.models import RoutingRule

    for number in range(AGENTS):
        employee_create(
            data=EmployeeIn(
                email=f"agent.{number}@example.com",
                full_name=f"Agent {number}",
                department_slug="service-client",
                role=Role.AGENT,
                password="correct horse battery staple",
            )
        )
    RoutingRule.objects.create(
        name="Email to customer service",
        channel="email",
        set_department=Department.objects.get(slug="service-client"),
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(count: int) -> tuple[list[float], list[float]]:
    from django.conf import settings

    from socius.care.channels.email_in import smtp_controller
    from socius.core.live import get_broker

    to = settings.CARE_EMAIL_ADDRESS
    controller = smtp_controller(host="127.0.0.1", port=free_port())
    await asyncio.to_thread(controller.start)
    subscription: Any = get_broker().subscribe({"care:inbox"})
    seen_at: dict[int, float] = {}
    arrived = asyncio.Event()

    async def listen() -> None:
        async for event in subscription:
            seen_at.setdefault(event.data["case"], time.perf_counter())
            arrived.set()

    listener = asyncio.create_task(listen())
    smtp = await asyncio.to_thread(smtplib.SMTP, "127.0.0.1", controller.port, timeout=30)
    accepted, live = [], []
    try:
        for number in range(WARM_UP + count):
            raw = mail(number, to)
            known = set(seen_at)
            start = time.perf_counter()
            await asyncio.to_thread(smtp.sendmail, f"client.{number}@example.org", [to], raw)
            done = time.perf_counter()
            deadline = start + WAIT_SECONDS
            while not set(seen_at) - known:
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), timeout=deadline - time.perf_counter())
            (case_id,) = set(seen_at) - known
            if number >= WARM_UP:
                accepted.append((done - start) * 1000)
                live.append((seen_at[case_id] - start) * 1000)
    finally:
        await asyncio.to_thread(smtp.quit)
        listener.cancel()
        await subscription.close()
        await asyncio.to_thread(controller.stop)
    return accepted, live


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name}: p50 {statistics.median(values):.1f} ms · p95 {percentile(values, 0.95):.1f} ms"
        f" · max {max(values):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=200)
    args = parser.parse_args()
    with fresh_database():
        from django.db import connection

        from socius.care.models import Case

        setup_agents()
        accepted, live = asyncio.run(measure(args.mails))
        assigned = Case.objects.filter(assignee__isnull=False).count()
        print(
            f"database: {connection.vendor} · {args.mails} mails from new customers"
            f" ({WARM_UP} more to warm up) · {assigned} of {Case.objects.count()} cases assigned"
        )
        print(summary("accepted (250)", accepted))
        print(summary("live in the inbox", live))
        print(f"p95 email to live inbox: {percentile(live, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
