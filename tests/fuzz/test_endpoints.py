"""The screens' query strings, the checklist's autosave and two forms over HTTP, fed
hostile input: never a server error, and a refusal saves nothing and shows the page again
with what was typed and the message at the field. A few examples each: the forms' own
validation is fuzzed at length in test_forms.py; this proves the view layer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from iop.constants import CaseStatus, Criterion, Role
from iop.models import Case, ChecklistAnswer
from iop.tests.factories import CaseFactory, CommitteeFactory, UserFactory
from partners.models import ContactPerson, Organisation
from partners.tests.factories import OrganisationFactory

from .strategies import DATES, NUMBERS, WEIRD, field_values

pytestmark = pytest.mark.django_db

# A fixed share of the profile's examples: 30 in CI (200), 300 nightly (2000).
HTTP = settings(max_examples=max(10, settings.default.max_examples * 3 // 20))

hostile_value = st.one_of(st.sampled_from(WEIRD + NUMBERS + DATES), st.text(max_size=20))


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """A coordinator (who sees everything), an officer and their case in preparation."""
    with django_db_blocker.unblock(), transaction.atomic():
        officer = UserFactory(role=Role.CASE_OFFICER, username="fuzz-http-officer")
        coordinator = UserFactory(role=Role.COORDINATOR, username="fuzz-http-coordinator")
        CommitteeFactory()
        organisation = OrganisationFactory()
        case = CaseFactory(status=CaseStatus.PREPARATION, officer=officer)
        yield {"officer": officer, "coordinator": coordinator, "case": case, "org": organisation}
        transaction.set_rollback(True)


def counts(*models: type[Model]) -> dict[str, int]:
    """Rows of each model and of its history table."""
    result = {}
    for model in models:
        result[model.__name__] = model._default_manager.count()
        history = getattr(model, "history", None)
        if history is not None:
            result[f"{model.__name__}.history"] = history.model.objects.count()
    return result


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_savepoint(run: Callable[[], None]) -> None:
    """One example's writes are undone before the next, so examples do not see each other."""
    with transaction.atomic():
        run()
        transaction.set_rollback(True)


# --- query strings ------------------------------------------------------------------------

PAGES = [
    "/arenden/",
    "/arenden/exportera/?format=csv",
    "/arenden/exportera/?format=xlsx",
    "/diarium/exportera/?format=csv",
    "/diarium/",
    "/organisationer/",
    "/portfolj/",
    "/statistik/",
    "/namnd/sammantraden/",
    "/utbetalningar/",
    "/aviseringar/",
]
PUBLIC = ["/offentligt/iop/", "/offentligt/iop/iop.json", "/offentligt/iop/iop.csv"]
PARAMS = [
    "q",
    "page",
    "per_page",
    "sort",
    "format",
    "status",
    "committee",
    "officer",
    "organisation",
    "year",
    "stage",
    "public_body",
    "kind",
    "date_from",
    "date_to",
    "received_from",
    "received_to",
    "overdue",
    "table",
]
query = st.dictionaries(
    st.one_of(st.sampled_from(PARAMS), st.text(max_size=5)), hostile_value, max_size=4
)


@pytest.mark.parametrize("path", PAGES + PUBLIC)
def test_a_hostile_query_string_never_breaks_a_page(path, site):
    client = client_for(site["coordinator"]) if path in PAGES else Client()
    assert client.get(path).status_code < 400, "the page itself must work"

    @HTTP
    @given(params=query)
    def visit(params):
        base, _, fixed = path.partition("?")
        if fixed:
            params = {**params, **dict([fixed.split("=")])}
        response = client.get(base, params)
        assert response.status_code < 500

    visit()


# --- the checklist's autosave (htmx) ------------------------------------------------------

# An empty ``?criterion=`` is the whole page's save (the non-htmx form), fuzzed elsewhere.
criterion_code = st.one_of(
    st.sampled_from([c.value for c in Criterion]), hostile_value.filter(bool)
)


def test_the_checklist_autosave_refuses_hostile_input_and_saves_nothing(site):
    case, client = site["case"], client_for(site["officer"])
    url = f"/arenden/{case.pk}/checklista/"

    @HTTP
    @given(code=criterion_code, answer=hostile_value, comment=hostile_value, send=st.booleans())
    def autosave(code, answer, comment, send):
        def run():
            before = counts(ChecklistAnswer, Case)
            data = {f"{code}-answer": answer, f"{code}-comment": comment} if send else {}
            response = client.post(
                url, data, query_params={"criterion": code}, headers={"HX-Request": "true"}
            )
            assert response.status_code < 500
            if response.status_code == 404:
                assert code not in Criterion.values
                assert counts(ChecklistAnswer, Case) == before
                return
            form = response.context["row"].form
            if form.errors:
                assert counts(ChecklistAnswer, Case) == before
                html = response.content.decode()
                with translation.override("sv"):
                    for errors in form.errors.values():
                        assert all(escape(e) in html for e in errors), html
            else:
                # Accepted: the comment is stored exactly as typed.
                stored = ChecklistAnswer.objects.get(checklist__case=case, criterion=code)
                if f"{code}-comment" in data:
                    assert stored.comment == comment

        in_savepoint(run)

    autosave()


def test_a_checklist_question_autosave_never_breaks(site):
    case, client = site["case"], client_for(site["officer"])
    url = f"/arenden/{case.pk}/checklista/"
    names = st.one_of(st.sampled_from(["q1", "question_1", "interest"]), hostile_value)

    @HTTP
    @given(name=names, text=hostile_value)
    def autosave(name, text):
        def run():
            response = client.post(
                url, {name: text}, query_params={"question": name}, headers={"HX-Request": "true"}
            )
            assert response.status_code < 500

        in_savepoint(run)

    autosave()


# --- two forms over HTTP: nothing saved on refusal; the page keeps what was typed ---------


def _organisation_post(draw) -> dict[str, str]:
    from partners.forms import OrganisationForm

    form = OrganisationForm()
    data = {"name": "Föreningen Navet", "org_number": "802481-1658"}
    for name, field in form.fields.items():
        if draw(st.booleans()):
            value = draw(field_values(field))
            if isinstance(value, str):
                data[name] = value
    return data


def test_registering_an_organisation_with_hostile_input(site):
    client = client_for(site["officer"])

    @HTTP
    @given(data=st.data())
    def register(data):
        post = _organisation_post(data.draw)

        def run():
            before = counts(Organisation, ContactPerson)
            response = client.post("/organisationer/ny/", post)
            assert response.status_code < 500
            if response.status_code == 302:
                organisation = Organisation.objects.latest("pk")
                assert organisation.name == post["name"].strip()
                return
            form = response.context["form"]
            assert form.errors
            assert counts(Organisation, ContactPerson) == before
            html = response.content.decode()
            assert "is-invalid" in html
            for name in form.errors:
                if name != "__all__":
                    assert f'id="id_{name}"' in html

        in_savepoint(run)

    register()


def test_an_intake_with_hostile_input_saves_nothing_when_refused(site):
    client = client_for(site["officer"])
    org = site["org"]

    @HTTP
    @given(title=hostile_value, received=hostile_value, committee=hostile_value)
    def intake(title, received, committee):
        post = {
            "organisations": [str(org.pk)],
            "title": title,
            "received_on": received,
            "committee": committee,
            "officer": str(site["officer"].pk),
        }

        def run():
            before = counts(Case, Organisation, ContactPerson)
            response = client.post("/arenden/nytt/", post)
            assert response.status_code < 500
            if response.status_code == 302:
                assert Case.objects.latest("pk").title == title.strip()
            else:
                assert counts(Case, Organisation, ContactPerson) == before
                assert "is-invalid" in response.content.decode()

        in_savepoint(run)

    intake()
