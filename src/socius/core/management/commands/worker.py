from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from socius.core.periodic import periodic_enqueue_due

logger = logging.getLogger("socius.worker")


def _schedule_forever(stop: threading.Event, tick: float) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            for name in periodic_enqueue_due():
                logger.info("Enqueued periodic job %s", name)
        except Exception:  # keep scheduling; the next tick retries
            logger.exception("Periodic scheduling failed")
        finally:
            close_old_connections()
        stop.wait(tick)


class Command(BaseCommand):
    help = "Run background tasks and enqueue periodic jobs when they are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--tick", type=float, default=30.0, help="Seconds between schedules.")
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run due periodic jobs and queued tasks, then exit.",
        )

    def handle(self, *args: Any, interval: float, tick: float, batch: bool, **options: Any) -> None:
        logging.basicConfig(level=logging.INFO)
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}",
            excluded_queue_names=[],
        )
        if batch:
            periodic_enqueue_due()
            worker.run()
            return
        stop = threading.Event()
        scheduler = threading.Thread(target=_schedule_forever, args=(stop, tick), daemon=True)
        scheduler.start()
        self.stdout.write(f"Worker started (poll {interval}s, schedule every {tick}s).")
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
