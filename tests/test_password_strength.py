"""New passwords are measured by zxcvbn: one it finds easy to guess is refused, with its own
warning and suggestions at the field."""

from __future__ import annotations

import pytest

from community.services import DomainError
from community.services.passwords import TOO_EASY, check_new_password
from tests.conftest import PASSWORD
from tests.signup_mail import sign_up


@pytest.mark.parametrize("password", ["password123", "abcdefgh1", "qwertyuiop1", "aaaaaaaaaa", "reader2026", "Summer2026"])
def test_an_easily_guessed_password_is_refused_with_the_estimators_advice(app, password):
    with app.app_context(), pytest.raises(DomainError) as refused:
        check_new_password(password, "reader", "reader@example.org")
    assert refused.value.field == "password" and refused.value.message.startswith(TOO_EASY)
    assert len(refused.value.message) > len(TOO_EASY) + 10  # the estimator's warning or suggestions follow


@pytest.mark.parametrize("password", [PASSWORD, "a longer and newer secret", "Tr0ub4dor&3 horse"])
def test_a_strong_password_is_accepted(app, password):
    with app.app_context():
        assert check_new_password(password, "reader", "reader@example.org") == password


def test_sign_up_shows_the_advice_at_the_password_field(client):
    response = sign_up(client, "wren", "wren@example.net", password="password123")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and TOO_EASY in page and "common password" in page
    assert "wren@example.net" in page and "password123" not in page.replace("This is", "")
