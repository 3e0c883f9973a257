"""Error pages in the site's look for browsers, JSON for JSON clients."""

from __future__ import annotations

from flask import abort


def test_404_page_has_the_site_look_and_a_way_back(client):
    response = client.get("/nowhere")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "There is nothing at this address." in page
    assert "Back to the essays" in page and "Skip to content" in page


def test_json_clients_get_json_errors(client):
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.is_json
    assert response.get_json() == {"error": "There is nothing at this address.", "status": 404}


def test_405_says_which_methods_work(client):
    response = client.post("/")  # no route takes a POST here, so there is no form whose token to check
    assert response.status_code == 405 and set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "This address does not accept that kind of request." in response.get_data(as_text=True)
    response = client.put("/auth/login")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_csrf_failure_is_a_clear_400(client):
    response = client.post("/auth/login", data={"login": "x", "password": "y"}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and "This form has expired" in response.get_json()["error"]


def test_unexpected_error_is_a_friendly_500(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/explode")
    def explode():
        raise RuntimeError("boom")

    response = app.test_client().get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong on our side" in page and "boom" not in page


def test_403_page(app):
    @app.get("/forbidden")
    def forbidden():
        abort(403)

    response = app.test_client().get("/forbidden")
    assert response.status_code == 403 and "You are not allowed" in response.get_data(as_text=True)
