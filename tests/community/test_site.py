from unittest import mock

from django.db import DatabaseError


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_the_database_does_not(client, db):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_unknown_url_gets_the_sites_404_page(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page introuvable" in body
    assert 'class="site-header"' in body


def test_language_links_switch_language_and_come_back(client, db):
    response = client.get("/language/en/", {"next": "/events/past/"})

    assert response.status_code == 302
    assert response["Location"] == "/events/past/"
    assert response.cookies["django_language"].value == "en"
    assert client.get("/").content.decode().count('lang="en"') >= 1


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client, db):
    assert client.get("/language/xx/").status_code == 404
    response = client.get("/language/fr/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_anonymous_pages_carry_no_csrf_cookie(client, db):
    response = client.get("/")
    assert "csrftoken" not in response.cookies


def test_chrome_links_point_to_the_right_pages(client, db):
    body = client.get("/", headers={"accept-language": "en"}).content.decode()
    for url in [
        "/events/past/",
        "/accounts/login/",
        "/accounts/signup/",
        "/calendar.ics",
        "/feed/",
    ]:
        assert f'href="{url}"' in body
