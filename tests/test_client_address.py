"""One client address behind the proxy: sign-in lockout is per reader, not per proxy, and a
client cannot choose the address it is counted under."""

import pytest
from django.test import Client
from django.urls import reverse

from core.client import check_trusted_proxy_hops, client_address
from tests.factories import UserFactory
from tests.test_security import run_manage

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.254"


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXY_HOPS = 1


def sign_in(client, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": "casey", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_wrong_passwords_lock_out_only_the_client_that_sent_them(behind_a_proxy):
    UserFactory(username="casey")
    attacker, casey = Client(), Client()
    for _ in range(5):
        sign_in(attacker, "wrong", "203.0.113.66")

    assert sign_in(attacker, "correct-horse-battery", "203.0.113.66").status_code == 429
    response = sign_in(casey, "correct-horse-battery", "198.51.100.4")
    assert response.status_code == 302
    assert "_auth_user_id" in casey.session


def test_a_spoofed_forwarded_for_cannot_choose_the_address(behind_a_proxy):
    """Entries left of the proxy's own are the client's to write: rotating them, or writing the
    victim's address there, neither escapes the lockout nor locks the victim out."""
    UserFactory(username="casey")
    attacker, casey = Client(), Client()
    for n in range(5):
        sign_in(attacker, "wrong", f"198.51.100.4, 192.0.2.{n}, 203.0.113.66")

    locked = sign_in(attacker, "correct-horse-battery", "192.0.2.99, 203.0.113.66")
    assert locked.status_code == 429
    assert sign_in(casey, "correct-horse-battery", "198.51.100.4").status_code == 302


def test_the_address_is_counted_from_the_right_of_forwarded_for(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.3")
    request.META["REMOTE_ADDR"] = "10.0.0.2"
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_address(request) == "10.0.0.3"
    settings.TRUSTED_PROXY_HOPS = 2
    assert client_address(request) == "203.0.113.5"


def test_a_forwarded_for_that_is_not_an_address_falls_back_to_the_peer(rf, behind_a_proxy):
    for header in ["not-an-address", "", " , ", "203.0.113.5:8080"]:
        request = rf.get("/", HTTP_X_FORWARDED_FOR=header, REMOTE_ADDR=PROXY)
        assert client_address(request) == PROXY


def test_a_garbled_forwarded_for_never_breaks_sign_in(behind_a_proxy):
    UserFactory(username="casey")
    response = sign_in(Client(), "wrong", "<script>")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_check_deploy_warns_when_a_proxy_is_trusted_but_no_hops_are_counted(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_HOPS = 0
    assert [w.id for w in check_trusted_proxy_hops(None)] == ["routemap.W001"]
    settings.TRUSTED_PROXY_HOPS = 1
    assert check_trusted_proxy_hops(None) == []


def test_production_refuses_to_start_without_trusted_proxy_hops(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 64,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TRUSTED_PROXY_HOPS": "",
    }
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_HOPS must be set in the environment for production" in result.stderr
