"""Asking for a reset link does the same work whether or not an account matches, so the answer's
timing does not tell: 200 interleaved requests of each kind, compared by their medians with a
generous bound (the machine may be busy; a median shrugs off the slow outliers that brings)."""

from __future__ import annotations

import random
import statistics
import time

from community import mail
from tests.conftest import csrf_token
from tests.test_passwords import FakeSMTP

SAMPLES = 200


def test_a_reset_request_takes_as_long_for_an_account_as_for_nobody(app, client, users, monkeypatch):
    FakeSMTP.sent, FakeSMTP.calls = [], []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example", SITE_URL="https://community.example", MAIL_IN_BACKGROUND=True)
    token = csrf_token(client, "/auth/password/forgot")
    timings: dict[str, list[float]] = {"reader": [], "nobody-here": []}
    rng = random.Random(10)
    for _ in range(SAMPLES):
        for login in rng.sample(sorted(timings), 2):  # interleaved, in random order
            started = time.perf_counter()
            response = client.post("/auth/password/forgot", data={"csrf_token": token, "login": login})
            timings[login].append(time.perf_counter() - started)
            assert response.status_code == 302
    real, nobody = statistics.median(timings["reader"]), statistics.median(timings["nobody-here"])
    bound = max(0.001, 0.2 * min(real, nobody))
    assert abs(real - nobody) < bound, f"median {real * 1000:.2f} ms with an account, {nobody * 1000:.2f} ms without"
