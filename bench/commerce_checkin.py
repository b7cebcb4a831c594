"""Gate check-in under load: the p95 latency of ``POST /api/v1/commerce/checkin`` with 20
scanners at once.

Builds a fresh database with one dated offer (today), four gates and N paid participants of
five seats each with their e-tickets (through ``tickets_issue``), and one ``commerce:checkin``
token per scanner. Serves the real ASGI application (uvicorn, as ``socius serve``) on a free
local port, then 20 threads, each an httpx client (one keep-alive connection, like a
handheld scanner), scan codes as fast as answers come back. The mix is a queue at the gates:
80 % first scans, 10 % the same ticket again (a second scan, another gate), 5 % forged codes,
5 % a ticket for the wrong gate's event. Twenty warm-up scans are not counted.

Printed: the count of scans and of each answer, check-ins per second, p50/p95/max latency,
that every ticket was admitted at most once, then last the p95.

    python bench/commerce_checkin.py                  # SQLite, 2,000 scans
    python bench/commerce_checkin.py --scans 500
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench python bench/commerce_checkin.py
"""

from __future__ import annotations

import argparse
import collections
import random
import socket
import statistics
import threading
import time
from typing import Any

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path

SEATS = 5
WARM_UP = 20


def prepare(scans: int, scanners: int) -> tuple[list[str], list[str], list[str]]:
    """Tickets (codes) for the offer at the gates, codes of another offer, scanner tokens."""
    from socius.accounts.roles import Role
    from socius.accounts.services import EmployeeIn, employee_create, token_create
    from socius.commerce.tests.factories import gate_make, offer_make, paid_participant
    from socius.commerce.tickets.issue import tickets_issue

    offer = offer_make(title="Journée au parc", capacity=100_000)
    other = offer_make(title="Nocturne", capacity=1_000)
    for number in range(4):
        gate_make(offer, slug=f"gate-{number}", name=f"Porte {number}")
    codes = []
    for _ in range(scans // SEATS + 1):
        codes += [t.code for t in tickets_issue(paid_participant(offer=offer, seats=SEATS))]
    elsewhere = [t.code for t in tickets_issue(paid_participant(offer=other, seats=SEATS))]
    tokens = []
    for number in range(scanners):
        user = employee_create(
            data=EmployeeIn(email=f"gate{number}@example.com", full_name=f"Agent {number}",
                            department_slug="exploitation", role=Role.EMPLOYEE)
        )  # fmt: skip
        tokens.append(token_create(user=user, name="scanner", scopes=["commerce:checkin"]).secret)
    return codes, elsewhere, tokens


def plan(codes: list[str], elsewhere: list[str], count: int) -> list[tuple[str, str]]:
    """``(code, gate)`` in scan order: mostly first scans, some repeats, forgeries, strays."""
    rng = random.Random(7)
    fresh = iter(codes)
    seen: list[str] = []
    scans = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.10 and seen:
            code = rng.choice(seen)
        elif draw < 0.15:
            code = next(fresh)
            position = rng.randrange(len(code))
            code = code[:position] + ("A" if code[position] != "A" else "B") + code[position + 1 :]
        elif draw < 0.20:
            code = rng.choice(elsewhere)
        else:
            code = next(fresh)
            seen.append(code)
        scans.append((code, f"gate-{rng.randrange(4)}"))
    return scans


def run(url: str, tokens: list[str], scans: list[tuple[str, str]]) -> tuple[list[float], Any]:
    import httpx

    work = collections.deque(scans)
    lock = threading.Lock()
    latencies: list[float] = []
    answers: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    start = threading.Barrier(len(tokens))

    def scanner(token: str) -> None:
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
        # the server's delayed ACK would add 40 ms to every request (browsers set it too).
        transport = httpx.HTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        )
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers, transport=transport) as client:
            start.wait()
            while True:
                with lock:
                    if not work:
                        return
                    code, gate = work.popleft()
                began = time.perf_counter()
                response = client.post(
                    "/api/v1/commerce/checkin", json={"code": code, "gate": gate}
                )
                took = time.perf_counter() - began
                with lock:
                    if response.status_code != 200:
                        failures.append(f"{response.status_code} {response.text[:120]}")
                    else:
                        latencies.append(took)
                        answers[response.json()["result"]] += 1

    threads = [threading.Thread(target=scanner, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} scans failed, e.g. {failures[0]}")
    return latencies, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--scanners", type=int, default=20)
    args = parser.parse_args()

    with fresh_database():
        from django.db import connection
        from django.db.models import Count

        from socius.commerce.models import CheckIn
        from socius.testing import AsgiServer

        codes, elsewhere, tokens = prepare(args.scans + WARM_UP, args.scanners)
        print(f"database: {connection.vendor}; tickets: {len(codes)}; scanners: {len(tokens)}")
        scans = plan(codes, elsewhere, args.scans + WARM_UP)
        server = AsgiServer()
        server.start()
        try:
            run(server.url, tokens[:1], scans[:WARM_UP])
            began = time.perf_counter()
            latencies, answers = run(server.url, tokens, scans[WARM_UP:])
            elapsed = time.perf_counter() - began
        finally:
            server.stop()
        admitted_twice = (
            CheckIn.objects.filter(result="ok")
            .values("ticket")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )

    ms = sorted(value * 1000 for value in latencies)
    p50 = statistics.median(ms)
    p95 = ms[max(int(len(ms) * 0.95) - 1, 0)]
    print("answers: " + ", ".join(f"{key} {value}" for key, value in sorted(answers.items())))
    print(f"scans: {len(ms)} in {elapsed:.1f} s ({len(ms) / elapsed:.0f}/s)")
    print(f"latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms")
    print(f"tickets admitted more than once: {admitted_twice}")
    print(
        f"check-in p95 with {args.scanners} scanners: {p95:.1f} ms "
        f"({len(ms)} scans, {connection.vendor})"
    )


if __name__ == "__main__":
    main()
