from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Socius with the ASGI server (uvicorn): pages, API and live updates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--reload", action="store_true", help="Restart on code changes.")

    def handle(
        self, *args: Any, host: str, port: int, workers: int, reload: bool, **options: Any
    ) -> None:
        import uvicorn

        self.stdout.write(f"Socius is serving on http://{host}:{port}/")
        uvicorn.run(
            "socius.asgi:application",
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            lifespan="off",
            proxy_headers=False,
        )
