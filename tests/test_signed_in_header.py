"""The header says who is signed in and signs out by POST; names take the right possessive;
the sign-in page speaks to partner organisations' staff as well as The Promise Scotland's."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from core.templatetags.wording import possessive_of
from tests.factories import OrganisationFactory, UserFactory, partner_for
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def _header(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Care Inspectorate", "Care Inspectorate's"),
        ("Convention of Scottish Local Authorities", "Convention of Scottish Local Authorities'"),
        ("Barnardo's", "Barnardo's"),
        ("COSLA", "COSLA's"),
    ],
)
def test_possessives_fit_the_name(name, expected):
    assert possessive_of(name) == expected


def test_the_possessive_filter_escapes_the_name():
    html = Template("{% load wording %}{{ name|possessive }}").render(
        Context({"name": "<b>Agencies"})
    )
    assert html == "&lt;b&gt;Agencies&#x27;"


def test_signed_in_the_header_names_the_person_and_signs_out_by_post(client):
    user = UserFactory(first_name="Casey", last_name="Reid")
    client.force_login(user)
    header = _header(client.get(reverse("home")).content.decode())
    assert "Signed in as Casey Reid" in page_text(header)
    forms = re.findall(r'<form[^>]*action="/accounts/logout/"[^>]*>(.*?)</form>', header, re.S)
    assert forms, header
    assert all('name="csrfmiddlewaretoken"' in form and "Sign out" in form for form in forms)
    assert 'method="post"' in header


def test_a_person_without_a_full_name_is_named_by_username(client):
    client.force_login(UserFactory(username="pat.editor"))
    assert "Signed in as pat.editor" in page_text(
        _header(client.get(reverse("home")).content.decode())
    )


def test_readers_see_no_sign_out(client):
    header = _header(client.get(reverse("home")).content.decode())
    assert "Signed in as" not in header
    assert "/accounts/logout/" not in header


def test_signing_out_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Signed in as" not in response.content.decode()
    assert client.get(reverse("partners:home")).status_code == 302  # to sign in


def test_a_partners_page_uses_the_possessive_that_fits(client):
    cosla = OrganisationFactory(name="Convention of Scottish Local Authorities")
    client.force_login(partner_for(cosla))
    page = page_text(client.get(reverse("partners:home")).content.decode())
    assert "Convention of Scottish Local Authorities' public page" in page.replace("&#x27;", "'")
    assert "Authorities's" not in page.replace("&#x27;", "'")


def test_the_sign_in_page_speaks_to_partner_organisations_too(client):
    page = page_text(client.get(reverse("login")).content.decode())
    assert "Reading the route maps needs no account" in page
    assert "The Promise Scotland" in page
    assert "partner organisation" in page
    assert "send progress updates" in page
    assert "Accounts are made by The Promise Scotland" in page


def test_the_sign_in_form_is_in_the_design_systems_style_and_says_what_the_username_is(client):
    html = client.get(reverse("login")).content.decode()
    assert re.search(
        r'<input[^>]*name="username"[^>]*class="ds_input"|class="ds_input"[^>]*name="username"',
        html,
    )
    assert re.search(
        r'<input[^>]*name="password"[^>]*class="ds_input"|class="ds_input"[^>]*name="password"',
        html,
    )
    assert "your username is in the invitation" in page_text(html)


def test_a_partner_signs_in_with_the_styled_form_and_lands_on_their_page(client):
    partner_for(
        OrganisationFactory(name="COSLA"),
        username="robin@example.org",
        password="a-long-passphrase",
    )
    response = client.post(
        reverse("login"),
        {"username": "robin@example.org", "password": "a-long-passphrase"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("partners:home")
