from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from socius.core import periodic
from socius.core.models import PeriodicJob
from socius.core.periodic import periodic_enqueue_due, register_periodic, registered_periodic_jobs
from socius.core.tasks import sessions_purge_expired

NOON = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)
PROBE_PATH = f"{__name__}.probe"


@task()
def probe(word: str = "ran") -> str:
    return word


@pytest.fixture
def only_the_probe_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(periodic, "_REGISTRY", {})
    register_periodic(name="test.probe", every=dt.timedelta(hours=1), task=probe)


def _probe_runs_enqueued() -> int:
    return DBTaskResult.objects.filter(task_path=PROBE_PATH).count()


def _session(key_suffix: str, expires: dt.datetime) -> str:
    store = SessionStore()
    store["owner"] = key_suffix
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    assert store.session_key is not None
    return store.session_key


def test_it_registers_the_kernels_housekeeping_jobs() -> None:
    jobs = {spec.name: spec for spec in registered_periodic_jobs()}

    assert jobs["core.sessions_purge_expired"].every == dt.timedelta(hours=6)
    assert jobs["core.sessions_purge_expired"].task is sessions_purge_expired
    assert jobs["core.task_results_purge_finished"].every == dt.timedelta(days=1)


def test_it_refuses_a_job_more_frequent_than_every_ten_seconds(only_the_probe_job: None) -> None:
    with pytest.raises(ValueError, match="at most every 10 seconds"):
        register_periodic(name="test.too_often", every=dt.timedelta(seconds=9), task=probe)

    assert [spec.name for spec in registered_periodic_jobs()] == ["test.probe"]


def test_it_enqueues_a_due_job_once_then_again_when_its_period_has_passed(
    db: None, only_the_probe_job: None
) -> None:
    with time_machine.travel(NOON, tick=False):
        assert periodic_enqueue_due() == ["test.probe"]
        assert periodic_enqueue_due() == []
    assert _probe_runs_enqueued() == 1
    job = PeriodicJob.objects.get(name="test.probe")
    assert (job.last_run_at, job.next_run_at) == (NOON, NOON + dt.timedelta(hours=1))

    with time_machine.travel(NOON + dt.timedelta(minutes=59, seconds=59), tick=False):
        assert periodic_enqueue_due() == []
    assert _probe_runs_enqueued() == 1

    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        assert periodic_enqueue_due() == ["test.probe"]
        assert periodic_enqueue_due() == []
    assert _probe_runs_enqueued() == 2
    job.refresh_from_db()
    assert job.next_run_at == NOON + dt.timedelta(hours=2)


def test_it_enqueues_nothing_for_a_run_another_worker_already_claimed(
    db: None, only_the_probe_job: None
) -> None:
    PeriodicJob.objects.create(name="test.probe", next_run_at=NOON + dt.timedelta(minutes=30))

    with time_machine.travel(NOON, tick=False):
        assert periodic_enqueue_due() == []

    assert _probe_runs_enqueued() == 0


def test_it_purges_only_expired_sessions(db: None) -> None:
    with time_machine.travel(NOON, tick=False):
        expired = _session("expired", NOON - dt.timedelta(seconds=1))
        live = _session("live", NOON + dt.timedelta(hours=1))

        deleted = sessions_purge_expired.call()

    assert deleted == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert expired != live


@pytest.fixture
def only_the_kernels_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other contexts register their own jobs; this test is about the worker and the kernel.
    kernel = {name: spec for name, spec in periodic._REGISTRY.items() if name.startswith("core.")}
    monkeypatch.setattr(periodic, "_REGISTRY", kernel)


@pytest.mark.django_db(transaction=True)
def test_the_worker_in_batch_mode_runs_queued_and_due_tasks_then_exits(
    only_the_kernels_jobs: None,
) -> None:
    expired = _session("expired", NOON - dt.timedelta(days=1))
    with time_machine.travel(NOON, tick=False):
        live = _session("live", NOON + dt.timedelta(days=1))
        queued = probe.enqueue("hello")

        call_command("worker", "--batch", "--interval", "0")

    results = {r.task_path: (r.status, r.return_value) for r in DBTaskResult.objects.all()}
    assert results == {
        PROBE_PATH: ("SUCCESSFUL", "hello"),
        "socius.core.tasks.sessions_purge_expired": ("SUCCESSFUL", 1),
        "socius.core.tasks.task_results_purge_finished": ("SUCCESSFUL", 0),
    }
    assert DBTaskResult.objects.get(id=queued.id).return_value == "hello"
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert expired != live
    assert sorted(PeriodicJob.objects.values_list("name", "last_run_at")) == [
        ("core.sessions_purge_expired", NOON),
        ("core.task_results_purge_finished", NOON),
    ]
