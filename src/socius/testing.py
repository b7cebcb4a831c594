"""Helpers for the test suite (imported by conftest files only)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from django.contrib.auth.hashers import Argon2PasswordHasher

if TYPE_CHECKING:
    from playwright.sync_api import Page

T = TypeVar("T")


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with tiny costs: the same algorithm and format, at test speed."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


def in_other_thread(function: Callable[[], T]) -> T:
    """Run database work beside a Playwright session.

    Playwright's synchronous API keeps an event loop attached to the main thread, where
    Django refuses synchronous database calls; another thread has none.
    """
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        from django.db import connection

        try:
            results.append(function())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class AsgiServer:
    """Serve the real ASGI application (uvicorn) from a thread, for browser tests."""

    def __init__(self) -> None:
        import socket

        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(
            "socius.asgi:application",
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("The test ASGI server did not start within 10 seconds.")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@contextmanager
def chromium_page(base_url: str, *, locale: str = "fr-FR") -> Iterator[Page]:
    """A headless Debian Chromium page driven by Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=base_url, locale=locale)
        context.set_default_timeout(10_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
