"""`socius demo-data`: one small build through the real services, checked in detail."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.utils import timezone

from socius.accounts.models import Department, User
from socius.accounts.roles import Role
from socius.care.models import Case, Note, Rating
from socius.collab.models import Comment, Notification, Post
from socius.conftest import make_employee
from socius.core.models import Activity, Visibility
from socius.insights.models import DepartmentDay
from socius.people.models import DuplicateSuggestion, Identifier, Person

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "a demo password for tests"
SERVICE_VERB_PREFIXES = ("person.", "employee.", "department.")


def _demo_data(*arguments: str) -> str:
    out = StringIO()
    call_command("demo_data", *arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


def _counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Person.objects.count(),
        Identifier.objects.count(),
        Activity.objects.count(),
    )


def _check_company() -> None:
    assert set(Department.objects.values_list("slug", flat=True)) == {
        "direction",
        "marketing",
        "ventes",
        "service-client",
        "rh",
        "informatique",
        "exploitation",
    }
    employees = User.objects.select_related("department", "person")
    assert employees.count() == 40
    assert all(user.person.identifiers.filter(kind="email", value=user.email) for user in employees)
    assert Counter(employees.values_list("role", flat=True)) == {
        Role.EMPLOYEE: 20,
        Role.AGENT: 9,
        Role.MANAGER: 7,
        Role.HR: 3,
        Role.ADMIN: 1,
    }
    assert set(employees.filter(role=Role.AGENT).values_list("department__slug", flat=True)) == {
        "service-client"
    }
    assert employees.get(role=Role.ADMIN).check_password(DEMO_PASSWORD)


def _check_customers() -> None:
    assert Person.objects.count() == 40 + 260
    # Resolution suggests nothing (no identifier links two records without proof); the
    # detection run after the build finds the records of one human under two spellings.
    assert not DuplicateSuggestion.objects.exclude(origin="detection").exists()
    lefevre = Person.objects.filter(family_name__in=["Lefèvre", "Lefevre"]).order_by("pk")
    assert DuplicateSuggestion.objects.filter(
        person_a=lefevre[0], person_b=lefevre[1], status="open"
    ).exists()
    counted = Person.objects.annotate(
        n_email=Count("identifiers", filter=Q(identifiers__kind="email")),
        n_phone=Count("identifiers", filter=Q(identifiers__kind="phone")),
    )
    helene = counted.get(given_name="Hélène", family_name="Garnier")
    assert (helene.n_email, helene.n_phone >= 1) == (2, True)
    # Support by email, tickets with a phone, a post from her handle: one person, one timeline.
    assert set(helene.identifiers.values_list("kind", flat=True)) >= {
        "email", "phone", "instagram", "customer_number", "loyalty_card",
    }  # fmt: skip
    departments = Activity.objects.filter(person=helene).values_list("department__slug", flat=True)
    assert set(departments) >= {"ventes", "exploitation", "service-client", "marketing"}
    # The same human left as two records, which only a fuzzy match could link.
    assert Person.objects.filter(given_name="Jean-Pierre", family_name="Lefèvre").count() == 1
    assert Person.objects.filter(given_name="JP", family_name="Lefevre").count() == 1
    landlines = Identifier.objects.filter(is_shared=True).values("value").annotate(n=Count("id"))
    assert max(row["n"] for row in landlines) >= 2


def _check_conversations() -> None:
    # Each demo login finds something addressed to them on first launch.
    first = {role: User.objects.filter(role=role).order_by("pk").first() for role in Role}
    kinds = {
        role: set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))
        for role, user in first.items()
        if user is not None
    }
    assert {"mention", "announcement", "answer_accepted"} <= kinds[Role.EMPLOYEE]
    assert {"reaction", "mention"} <= kinds[Role.MANAGER]
    assert {"comment", "reply"} <= kinds[Role.AGENT] | kinds[Role.EMPLOYEE]
    assert "join_request" in kinds[Role.ADMIN]
    assert Post.objects.filter(kind="announcement", reads__isnull=False).exists()


def _check_care() -> None:
    # Requests at every stage, assigned by the routing rules, with ratings flowing in and a
    # colleague from sales asked in a private note.
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"new", "waiting", "resolved"} <= statuses
    assert Rating.objects.exists()
    assert Note.objects.exists()
    agent = User.objects.filter(role=Role.AGENT).order_by("pk").first()
    assert Case.objects.filter(assignee__department=agent.department).exists()
    assert Notification.objects.filter(kind="case_note").exists()
    assert Case.objects.filter(department__slug="ventes").exists()


def _check_activities() -> None:
    # Resolution and account services append their own entries; the story is the rest.
    story = Activity.objects.all()
    for prefix in SERVICE_VERB_PREFIXES:
        story = story.exclude(verb__startswith=prefix)
    story = story.exclude(object_type="care.case")  # the requests written through the services
    story = story.exclude(verb__startswith="commerce.")  # group buying, through its services
    story = story.exclude(verb__startswith="charter.")  # the charter, through its services
    story = story.exclude(verb__startswith="insights.")  # maturity campaigns, likewise
    # The adoption story: employees' visits, posts and answers of the last four months,
    # which name no object of the social network and only feed the adoption figures.
    adoption = story.filter(object_type="", visibility=Visibility.RESTRICTED)
    assert adoption.filter(verb="collab.comment_created").exists()
    assert DepartmentDay.objects.filter(department__slug="marketing").exists()
    story = story.exclude(pk__in=adoption.values("pk"))
    # The social network's posts and comments are real rows, each with its own entry, and
    # the demo conversations add what the collaboration services append.
    network = story.filter(verb__startswith="collab.").exclude(object_type="")
    written = network.filter(verb__in=["collab.post_created", "collab.comment_created"])
    assert written.count() == Post.objects.count() + Comment.objects.count() > 0
    story = story.exclude(pk__in=network.values("pk"))
    assert story.count() == 3000
    assert story.filter(actor__isnull=False).exists()
    assert story.filter(verb="collab.post_created", person__isnull=True).exists()
    now = timezone.now()
    assert story.filter(occurred_at__lt=now - timedelta(days=366)).count() == 0
    assert story.filter(occurred_at__gt=now).count() == 0


def test_it_builds_the_small_demo_once_and_then_does_nothing_if_empty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOCIUS_DEMO_PASSWORD", DEMO_PASSWORD)

    output = _demo_data("--if-empty", "--seed", "42")

    _check_company()
    _check_customers()
    _check_activities()
    _check_conversations()
    _check_care()
    assert f"password for every employee: {DEMO_PASSWORD}" in output
    for role in ("admin", "manager", "hr", "agent", "employee"):
        assert f"  {role} " in output
    assert "Demo data (small, seed 42): 7 departments, 40 employees, 300 persons" in output
    suggested = DuplicateSuggestion.objects.count()
    assert f"Duplicate detection: {suggested} possible duplicates to review" in output
    portal_email = output.split("sign in as ")[1].split(",")[0]
    helene = Person.objects.get(identifiers__kind="email", identifiers__value=portal_email)
    assert (helene.given_name, helene.family_name) == ("Hélène", "Garnier")

    before = _counts()
    assert "no demo data added" in _demo_data("--if-empty")
    assert _counts() == before


def test_it_refuses_a_database_that_already_has_employees_and_changes_nothing() -> None:
    make_employee("deja.la@example.com", "Déjà Là", "ventes")
    before = _counts()

    with pytest.raises(CommandError, match="already has employees"):
        _demo_data()

    assert _counts() == before
