"""Canned replies: which an agent is offered, and how their variables are filled in."""

from __future__ import annotations

import pytest

from socius.accounts.models import Department
from socius.care.models import CannedReply, Case
from socius.care.services.canned import canned_render, canned_replies_for
from socius.care.services.cases import case_department_set
from socius.care.services.intake import Inbound, message_receive
from socius.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast: Cast) -> Case:
    inbound = Inbound(
        channel="portal",
        person=cast.customer,
        subject="Colis abîmé",
        body="Mon colis est arrivé abîmé.",
    )
    receipt = message_receive(inbound)
    return Case.objects.select_related("person").get(pk=receipt.case.pk)


def render(body: str, case: Case, cast: Cast) -> str:
    return canned_render(reply=CannedReply(title="t", body=body), case=case, agent=cast.agent)


def department(slug: str) -> Department:
    return Department.objects.get(slug=slug)


class TestOffered:
    def test_an_agent_is_offered_the_global_replies_and_those_of_the_case_department(
        self, cast: Cast, case: Case
    ) -> None:
        case = case_department_set(actor=cast.agent, case=case, department=department("marketing"))
        everyone = CannedReply.objects.create(title="Bonjour", body="Bonjour")
        marketing = CannedReply.objects.create(
            department=department("marketing"), title="Promo", body="Voici votre code"
        )
        own = CannedReply.objects.create(
            department=department("service-client"), title="Retour", body="Voici l'étiquette"
        )
        CannedReply.objects.create(department=department("exploitation"), title="Stock", body="…")

        offered = canned_replies_for(user=cast.agent, case=case)

        assert offered == [everyone, marketing, own]  # by title

    def test_a_case_without_department_offers_the_global_and_the_agent_own(
        self, cast: Cast, case: Case
    ) -> None:
        everyone = CannedReply.objects.create(title="Bonjour", body="Bonjour")
        own = CannedReply.objects.create(
            department=department("service-client"), title="Retour", body="Voici l'étiquette"
        )
        CannedReply.objects.create(department=department("marketing"), title="Promo", body="…")

        assert canned_replies_for(user=cast.agent, case=case) == [everyone, own]


class TestRender:
    def test_it_fills_in_every_variable(self, cast: Cast, case: Case) -> None:
        body = (
            "Bonjour {{ customer.first_name }} {{customer.last_name}},\n"
            "({{ customer.name }}) votre demande {{ case.reference }} « {{ case.subject }} »"
            " est suivie par {{  agent.name  }}."
        )

        assert render(body, case, cast) == (
            "Bonjour Claire Dupont,\n"
            f"(Claire Dupont) votre demande #{case.pk} « Colis abîmé » est suivie par Alice Martin."
        )

    def test_unknown_variables_stay_as_written(self, cast: Cast, case: Case) -> None:
        body = "{{ customer.phone }} {{ agent }} {{ case.person.identifiers }} {{ x }}"

        assert render(body, case, cast) == body

    @pytest.mark.parametrize(
        "body",
        [
            "{{ settings.SECRET_KEY }}",
            "{% debug %}",
            "{% load static %}{% static 'x' %}",
            "{{ customer.first_name.__class__ }}",
            "{{ customer.first_name|upper }}",
            "{# comment #}",
        ],
    )
    def test_nothing_but_the_variables_is_interpreted(
        self, cast: Cast, case: Case, body: str
    ) -> None:
        assert render(body, case, cast) == body

    def test_a_value_that_looks_like_a_variable_is_not_filled_in_again(
        self, cast: Cast, case: Case
    ) -> None:
        case.subject = "{{ agent.name }} {{ settings.SECRET_KEY }}"

        assert render("Objet : {{ case.subject }}", case, cast) == (
            "Objet : {{ agent.name }} {{ settings.SECRET_KEY }}"
        )

    def test_an_unnamed_customer_is_not_called_by_a_record_number(
        self, cast: Cast, case: Case
    ) -> None:
        case.person.given_name = case.person.family_name = ""

        assert render("Bonjour {{ customer.name }},", case, cast) == "Bonjour ,"
