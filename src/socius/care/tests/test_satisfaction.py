"""Satisfaction surveys: the link sent at resolution, the survey page, the rating."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail, signing
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socius.accounts.models import Department
from socius.care.models import Case, Rating, RoutingRule, Status, SurveyWording
from socius.care.services.cases import case_merge, case_status_set
from socius.care.services.conversation import case_note_add
from socius.care.services.intake import Inbound, message_receive
from socius.care.services.satisfaction import (
    SurveyLinkExpired,
    SurveyLinkInvalid,
    rating_submit,
    survey_token,
)
from socius.conftest import Cast
from socius.core.errors import InvalidInput
from socius.core.models import Activity, Visibility
from socius.people.services import IdentifierIn, Profile, person_resolve

pytestmark = pytest.mark.django_db

NOTE = "Entre nous : client difficile, code interne X-417"


@pytest.fixture
def service(cast: Cast) -> Department:
    department = Department.objects.get(slug="service-client")
    RoutingRule.objects.create(name="Refunds", keywords="remboursement", set_department=department)
    return department


def emailed_case(address: str = "claire.dupont@example.org") -> Case:
    receipt = message_receive(
        Inbound(
            channel="email",
            body="Je voudrais un remboursement, svp.",
            subject="Remboursement commande 1234",
            address=address,
            identifiers=(IdentifierIn("email", address),),
            external_id=f"<{address}-1@mail.example.org>",
        )
    )
    return Case.objects.get(pk=receipt.case.pk)


def resolve(cast: Cast, case: Case, capture: Any) -> Case:
    with capture(execute=True):
        return case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)


def link_in(body: str) -> str:
    [url] = re.findall(r"https?://\S+/survey/\S+", body)
    return url


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def nothing_rated() -> bool:
    return not Rating.objects.exists() and not Activity.objects.filter(verb="care.csat_rated")


class TestSurveyEmail:
    def test_resolving_a_case_emails_the_survey_link_to_where_the_customer_wrote_from(
        self, cast: Cast, service: Department, django_capture_on_commit_callbacks: Any
    ) -> None:
        case = emailed_case("claire.perso@example.net")
        mail.outbox.clear()

        resolve(cast, case, django_capture_on_commit_callbacks)

        [email] = mail.outbox
        assert email.to == ["claire.perso@example.net"]
        url = link_in(email.body)
        assert url.endswith(reverse("care:survey", args=[token_of(url)]))
        assert signing.loads(token_of(url), salt="care.survey") == case.pk
        assert case.reference in email.subject

    def test_without_an_email_message_it_uses_an_email_the_person_is_known_by(
        self, cast: Cast, service: Department, django_capture_on_commit_callbacks: Any
    ) -> None:
        receipt = message_receive(
            Inbound(channel="portal", person=cast.customer, body="Je voudrais un remboursement.")
        )

        resolve(cast, receipt.case, django_capture_on_commit_callbacks)

        assert [m.to for m in mail.outbox] == [["claire.dupont@example.org"]]

    def test_a_customer_without_any_email_gets_no_email(
        self, cast: Cast, service: Department, django_capture_on_commit_callbacks: Any
    ) -> None:
        only_phone = person_resolve(
            identifiers=[IdentifierIn("phone", "06 98 76 54 32")],
            profile=Profile(given_name="Paul"),
        ).person
        receipt = message_receive(
            Inbound(channel="portal", person=only_phone, body="Je voudrais un remboursement.")
        )

        resolve(cast, receipt.case, django_capture_on_commit_callbacks)

        assert mail.outbox == []

    def test_the_email_asks_the_question_of_the_department(
        self, cast: Cast, service: Department, django_capture_on_commit_callbacks: Any
    ) -> None:
        SurveyWording.objects.create(department=service, question="Notre service vous a-t-il plu ?")
        case = emailed_case()

        resolve(cast, case, django_capture_on_commit_callbacks)

        assert "Notre service vous a-t-il plu ?" in mail.outbox[-1].body

    def test_no_note_ever_reaches_the_survey_email_or_page(
        self, cast: Cast, service: Department, django_capture_on_commit_callbacks: Any
    ) -> None:
        case = emailed_case()
        case_note_add(actor=cast.colleague, case=case, body=NOTE)
        mail.outbox.clear()

        resolve(cast, case, django_capture_on_commit_callbacks)

        [email] = mail.outbox
        assert "X-417" not in email.subject + email.body
        page = Client().get(link_in(email.body)).content.decode()
        assert "X-417" not in page

    def test_nothing_is_sent_if_the_resolution_is_rolled_back(
        self, cast: Cast, service: Department, django_capture_on_commit_callbacks: Any
    ) -> None:
        case = emailed_case()
        mail.outbox.clear()

        def resolve_then_fail() -> None:
            with transaction.atomic():
                case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)
                raise RuntimeError("the request failed after the resolution")

        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
            resolve_then_fail()

        assert mail.outbox == []


class TestRating:
    @pytest.fixture
    def case(self, cast: Cast, service: Department) -> Case:
        case = emailed_case()
        return case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)

    @pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
    def test_it_records_a_score_from_one_to_five(self, case: Case, score: int) -> None:
        rating_submit(token=survey_token(case), score=score, comment="Merci")

        rating = Rating.objects.get(case=case)
        assert (rating.score, rating.comment) == (score, "Merci")

    @pytest.mark.parametrize("score", [0, 6, -1, True])
    def test_it_refuses_a_score_out_of_range(self, case: Case, score: int) -> None:
        with pytest.raises(InvalidInput) as refused:
            rating_submit(token=survey_token(case), score=score, comment="")

        assert refused.value.details["field"] == "score"
        assert nothing_rated()

    def test_it_refuses_a_comment_too_long(self, case: Case) -> None:
        with pytest.raises(InvalidInput):
            rating_submit(token=survey_token(case), score=3, comment="x" * 2001)

        assert nothing_rated()

    def test_a_second_answer_replaces_the_first(self, case: Case) -> None:
        token = survey_token(case)
        rating_submit(token=token, score=2, comment="Lent")

        rating_submit(token=token, score=4, comment="Finalement réglé")

        rating = Rating.objects.get()
        assert (rating.case_id, rating.score, rating.comment) == (case.pk, 4, "Finalement réglé")
        payloads = [
            a.payload for a in Activity.objects.filter(verb="care.csat_rated").order_by("id")
        ]
        assert [(p["score"], p["previous"]) for p in payloads] == [(2, None), (4, 2)]

    def test_the_same_answer_twice_is_recorded_once(self, case: Case) -> None:
        token = survey_token(case)
        rating_submit(token=token, score=5, comment="Parfait")
        rating_submit(token=token, score=5, comment="Parfait")

        assert Activity.objects.filter(verb="care.csat_rated").count() == 1

    def test_the_rating_lands_on_the_timeline_under_the_department(
        self, case: Case, service: Department
    ) -> None:
        rating_submit(token=survey_token(case), score=4, comment="Très aimable, merci")

        activity = Activity.objects.get(verb="care.csat_rated")
        assert (activity.person_id, activity.department_id) == (case.person_id, service.pk)
        assert (activity.visibility, activity.summary) == (Visibility.CUSTOMER, "4/5")
        assert activity.payload == {"case": case.pk, "score": 4, "previous": None}
        assert (activity.object_type, activity.object_id) == ("care.case", str(case.pk))

    def test_an_expired_link_is_refused_and_writes_nothing(self, case: Case, settings: Any) -> None:
        token = survey_token(case)
        later = timezone.now() + dt.timedelta(days=settings.CARE_SURVEY_MAX_AGE_DAYS, hours=1)

        with time_machine.travel(later, tick=False), pytest.raises(SurveyLinkExpired) as refused:
            rating_submit(token=token, score=5, comment="")

        assert refused.value.code == "survey_link_expired"
        assert nothing_rated()

    @pytest.mark.parametrize(
        "forge",
        [
            lambda case: survey_token(case)[:-2] + "xx",
            lambda case: signing.dumps(case.pk),  # signed, but not for surveys
            lambda case: signing.dumps(case.pk, salt="care.survey", key="another-secret-key"),
            lambda case: "not-a-token",
        ],
    )
    def test_a_forged_link_is_refused_and_writes_nothing(self, case: Case, forge: Any) -> None:
        with pytest.raises(SurveyLinkInvalid) as refused:
            rating_submit(token=forge(case), score=5, comment="")

        assert refused.value.code == "survey_link_invalid"
        assert nothing_rated()

    def test_a_link_to_a_case_that_is_gone_is_refused(self, case: Case) -> None:
        token = signing.dumps(case.pk + 1000, salt="care.survey")

        with pytest.raises(SurveyLinkInvalid):
            rating_submit(token=token, score=5, comment="")

        assert nothing_rated()

    def test_a_case_merged_away_is_rated_on_the_case_it_was_merged_into(
        self, cast: Cast, case: Case
    ) -> None:
        token = survey_token(case)
        later = message_receive(
            Inbound(
                channel="portal",
                person=case.person,
                new_case=True,
                body="Et ma deuxième commande ?",
            )
        )
        case_merge(actor=cast.agent, survivor=later.case, absorbed=case)

        rating_submit(token=token, score=3, comment="")

        assert list(Rating.objects.values_list("case_id", "score")) == [(later.case.pk, 3)]


class TestSurveyPage:
    @pytest.fixture
    def case(self, cast: Cast, service: Department) -> Case:
        case = emailed_case()
        return case_status_set(actor=cast.agent, case=case, status=Status.RESOLVED)

    def url(self, case: Case) -> str:
        return reverse("care:survey", args=[survey_token(case)])

    def test_it_shows_five_labelled_choices_and_a_comment_without_sign_in(self, case: Case) -> None:
        response = Client().get(self.url(case))

        page = response.content.decode()
        assert response.status_code == 200
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert 'data-testid="survey-form"' in page
        assert "csrfmiddlewaretoken" in page
        radios = re.findall(r'<input type="radio" name="score" value="(\d)"[^>]*id="([^"]+)"', page)
        assert [value for value, _ in radios] == ["1", "2", "3", "4", "5"]
        for _, input_id in radios:
            assert f'<label class="checkbox" for="{input_id}"' in page
        assert '<textarea name="comment"' in page

    def test_it_asks_in_the_words_of_the_department(self, case: Case, service: Department) -> None:
        SurveyWording.objects.create(
            department=service,
            question="Êtes-vous content·e ?",
            comment_prompt="Un mot pour l'équipe ?",
            thanks="Merci, l'équipe lira votre message.",
        )

        page = Client().get(self.url(case)).content.decode()
        thanks = Client().post(self.url(case), {"score": "5"}).content.decode()

        assert "Êtes-vous content·e ?" in page
        assert "Un mot pour l&#x27;équipe ?" in page
        assert "Merci, l&#x27;équipe lira votre message." in thanks

    def test_posting_an_answer_records_it_and_thanks(self, case: Case) -> None:
        client = Client(enforce_csrf_checks=True)
        page = client.get(self.url(case)).content.decode()
        csrf = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[0]

        response = client.post(
            self.url(case), {"csrfmiddlewaretoken": csrf, "score": "4", "comment": "Merci"}
        )

        assert response.status_code == 200
        assert 'data-testid="survey-thanks"' in response.content.decode()
        assert Rating.objects.filter(case=case, score=4, comment="Merci").count() == 1

    def test_posting_without_the_csrf_token_is_refused(self, case: Case) -> None:
        response = Client(enforce_csrf_checks=True).post(self.url(case), {"score": "4"})

        assert response.status_code == 403
        assert nothing_rated()

    @pytest.mark.parametrize("data", [{}, {"score": "0"}, {"score": "6"}, {"score": "cinq"}])
    def test_an_answer_without_a_valid_score_is_shown_again(
        self, case: Case, data: dict[str, str]
    ) -> None:
        response = Client().post(self.url(case), data)

        assert response.status_code == 422
        assert 'class="field__error"' in response.content.decode()
        assert nothing_rated()

    def test_a_page_opened_again_does_not_show_the_earlier_comment(self, case: Case) -> None:
        Client().post(self.url(case), {"score": "2", "comment": "Réponse trop lente"})

        page = Client().get(self.url(case)).content.decode()

        assert 'data-testid="survey-answered"' in page
        assert "Réponse trop lente" not in page

    def test_a_forged_link_shows_an_error_page_and_writes_nothing(self, case: Case) -> None:
        forged = reverse("care:survey", args=[survey_token(case)[:-2] + "xx"])

        for response in (Client().get(forged), Client().post(forged, {"score": "5"})):
            assert response.status_code == 400
            assert 'data-error-code="survey_link_invalid"' in response.content.decode()
        assert nothing_rated()

    def test_an_expired_link_shows_an_error_page_and_writes_nothing(
        self, case: Case, settings: Any
    ) -> None:
        url = self.url(case)
        later = timezone.now() + dt.timedelta(days=settings.CARE_SURVEY_MAX_AGE_DAYS + 1)

        with time_machine.travel(later, tick=False):
            responses = [Client().get(url), Client().post(url, {"score": "5"})]

        for response in responses:
            assert response.status_code == 410
            assert 'data-error-code="survey_link_expired"' in response.content.decode()
        assert nothing_rated()
