"""The ``socius`` command: Django management with Socius's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socius.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    # Two-word commands read naturally: "socius employee create" -> "employee_create".
    if len(args) >= 2:
        args[1] = args[1].replace("-", "_")  # "socius demo-data" -> "demo_data"
    if len(args) >= 3 and (args[1], args[2]) in {
        ("employee", "create"),
        ("token", "create"),
        ("people", "import"),
    }:
        args[1:3] = [f"{args[1]}_{args[2]}"]
    execute_from_command_line(["socius", *args[1:]])


if __name__ == "__main__":
    main()
