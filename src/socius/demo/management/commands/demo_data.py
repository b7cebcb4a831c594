from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socius.demo.company import COMPANY_NAME
from socius.demo.generate import DEFAULT_PASSWORD, DemoReport, demo_generate, employees_exist
from socius.demo.sizes import SIZES
from socius.env import env_str
from socius.people.models import DetectionRun
from socius.people.services.detection import detection_run_execute, detection_run_request


class Command(BaseCommand):
    help = (
        f"Fill an empty database with {COMPANY_NAME}, a fictional French leisure park: "
        "departments, employees, customers known under several identifiers, and a year of "
        "activity. The same --seed gives the same data. Employees' password comes from "
        "SOCIUS_DEMO_PASSWORD."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--size", choices=list(SIZES), default="small")
        parser.add_argument(
            "--skip-detection",
            action="store_true",
            help="Do not run duplicate detection after building the data.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) when the database already has employees.",
        )

    def handle(self, *args: Any, seed: int, size: str, if_empty: bool, **options: Any) -> None:
        if employees_exist():
            if if_empty:
                self.stdout.write("The database already has employees: no demo data added.")
                return
            raise CommandError(
                "The database already has employees; demo data goes into an empty database. "
                "Use --if-empty to skip quietly."
            )
        password = env_str("SOCIUS_DEMO_PASSWORD", DEFAULT_PASSWORD)
        show_progress = options["verbosity"] >= 1 and SIZES[size].uses_bulk_path
        report = demo_generate(
            seed=seed,
            size=SIZES[size],
            password=password,
            progress=self._progress if show_progress else None,
        )
        self._print_logins(report, password)
        if report.portal_email:
            self.stdout.write(
                f"Customer portal (/portal/): sign in as {report.portal_email}, "
                "a customer every department knows."
            )
        self.stdout.write(self._summary(report))
        if not options.get("skip_detection"):
            self._detect_duplicates(size)

    def _detect_duplicates(self, size: str) -> None:
        """The generator leaves some humans as two records under two spellings: let the
        duplicate detection find them, so the review queue has something to show."""
        if size == "large":
            run = detection_run_request(actor=None, trigger=DetectionRun.Trigger.MANUAL)
            self.stdout.write(
                f"Duplicate detection queued (run {run.pk}); the worker started by "
                "`make demo` runs it in a few minutes. Review queue: /people/duplicates/"
            )
            return
        run = DetectionRun.objects.create(trigger=DetectionRun.Trigger.MANUAL)
        run = detection_run_execute(run_id=run.pk)
        if run.status != DetectionRun.Status.DONE:
            raise CommandError(f"Duplicate detection failed: {run.failure}")
        self.stdout.write(
            f"Duplicate detection: {run.suggested_count} possible duplicates to review at "
            "/people/duplicates/."
        )

    def _progress(self, message: str) -> None:
        self.stderr.write(f"  … {message}")

    def _print_logins(self, report: DemoReport, password: str) -> None:
        self.stdout.write(f"Demo logins (password for every employee: {password}):")
        for login in report.logins:
            self.stdout.write(
                f"  {login.role:<9} {login.email:<42} {login.full_name} ({login.department})"
            )

    def _summary(self, report: DemoReport) -> str:
        return self.style.SUCCESS(
            f"Demo data ({report.size}, seed {report.seed}): {report.departments} departments, "
            f"{report.employees} employees, {report.persons:,} persons, "
            f"{report.activities:,} activities in {report.seconds:.1f} s."
        )
