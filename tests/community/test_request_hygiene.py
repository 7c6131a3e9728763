"""Malformed input gets the site's 404 or 400 page, never a server error."""

import pytest

NUL_PATHS = ["/members/%00/", "/me/calendar/%00.ics", "/events/%00/", "/members/a%0Ab/know/"]


@pytest.mark.parametrize("path", NUL_PATHS)
def test_control_characters_in_the_path_give_the_404_page_to_anonymous(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.parametrize("path", NUL_PATHS)
def test_control_characters_in_the_path_give_the_404_page_to_a_member(member_client, path):
    response = member_client.get(path)

    assert response.status_code == 404
    body = response.content.decode()
    assert "Page introuvable" in body
    assert 'class="site-header"' in body


NUL_QUERIES = ["series=%00", "city=Lille%00", "%00=1", "series=a&series=%00"]


@pytest.mark.parametrize("query", NUL_QUERIES)
def test_nul_in_the_query_string_gives_the_400_page_to_anonymous(client, db, query):
    response = client.get(f"/?{query}")

    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()


@pytest.mark.parametrize("query", NUL_QUERIES)
def test_nul_in_the_query_string_gives_the_400_page_to_a_member(member_client, query):
    response = member_client.get(f"/me/events/?{query}")

    assert response.status_code == 400
    body = response.content.decode()
    assert "Requête invalide" in body
    assert 'class="site-header"' in body


def test_ordinary_query_strings_and_line_breaks_still_reach_the_page(client, event):
    response = client.get("/", {"series": "blog-en-nord", "city": "Lille"})
    assert response.status_code == 200
    assert event.title in response.content.decode()

    # A line break is not refused on the way in: the page's own form says what is wrong.
    response = client.get("/", {"city": "Lille\n"})
    assert response.status_code == 200
    assert response.context["form"].errors["city"]


def test_a_nul_query_string_is_logged_in_one_line_without_a_traceback(client, db, caplog):
    client.get("/?series=%00")

    assert [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records] == [
        ("WARNING", "Bad Request: /", None)
    ]
