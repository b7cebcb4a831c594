"""A throwaway, migrated database for one benchmark run, on whatever DATABASE_URL selects."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(SRC))


@contextmanager
def fresh_database() -> Iterator[None]:
    """Set Django up with a temporary data folder, create and migrate a database (Django's
    test-database machinery runs every migration), and drop both afterwards."""
    data_dir = tempfile.mkdtemp(prefix="socius-bench-")
    os.environ["SOCIUS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socius.settings")
    os.environ.setdefault("SOCIUS_EMAIL_BACKEND", "memory")
    os.environ.setdefault("SOCIUS_LOG_LEVEL", "WARNING")
    # Direct connections, as production is advised to run them (see .env.example).
    os.environ.setdefault("SOCIUS_DB_PREPARE_THRESHOLD", "5")
    import django

    django.setup()
    from django.db import connection

    configured_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(configured_name, verbosity=0, keepdb=False)
        shutil.rmtree(data_dir, ignore_errors=True)
