"""Signing in to the console: real Cognito users, one answer for wrong credentials, a cookie session."""

from __future__ import annotations

from typing import Any

from tests import wired
from tests.console.conftest import PASSWORD


def test_a_staff_member_signs_in_with_email_and_password_and_lands_on_the_console(browser, console_user) -> None:
    email, _ = console_user("rina", "agent")

    answer = browser.sign_in(email)

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/console"
    home = browser.get("/console")
    assert home.status_code == 200
    assert "rina" in home.body.decode()


def test_the_session_cookie_is_httponly_samesite_strict_and_expires(browser, console_user) -> None:
    email, _ = console_user("rina", "agent")

    answer = browser.sign_in(email)

    cookies = answer.headers["Set-Cookie"]
    session = next(c for c in (cookies if isinstance(cookies, list) else [cookies]) if c.startswith("sapa_session="))
    assert "HttpOnly" in session
    assert "SameSite=Strict" in session
    assert "Max-Age=28800" in session


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(browser, console_user) -> None:
    email, _ = console_user("rina", "agent")

    wrong_password = browser.sign_in(email, "Salah-Sekali-123!")
    unknown_email = browser.sign_in("nobody@sapa.example", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert "Email atau kata sandi salah." in wrong_password.body.decode()
    assert "Email atau kata sandi salah." in unknown_email.body.decode()


def test_five_failures_in_a_row_slow_the_next_attempt_even_with_the_right_password(browser, console_user) -> None:
    email, _ = console_user("rina", "agent")
    for _ in range(5):
        assert browser.sign_in(email, "Salah-Sekali-123!").status_code == 401

    slowed = browser.sign_in(email)

    assert slowed.status_code == 429
    assert int(slowed.headers["Retry-After"]) == 30
    assert "Coba lagi dalam 30 detik" in slowed.body.decode()


def test_the_first_sign_in_asks_for_a_new_password_then_signs_in(browser, console_user) -> None:
    email, temporary = console_user("dewi", "marketer", permanent=False)

    first = browser.sign_in(email, temporary)
    assert first.headers["Location"] == "/console/password"
    token = browser.csrf("/console/password")
    different = browser.post("/console/password", {"csrf": token, "password": "Baru-Sekali-2026!", "confirm": "x"})
    assert different.status_code == 400
    done = browser.post(
        "/console/password", {"csrf": token, "password": "Baru-Sekali-2026!", "confirm": "Baru-Sekali-2026!"}
    )

    assert done.status_code == 303
    assert browser.get("/console").status_code == 200
    assert wired.access.cognito().sign_in(email, "Baru-Sekali-2026!").username == "dewi"


def test_signing_out_ends_the_session_for_good(browser, console_user) -> None:
    email, _ = console_user("rina", "agent")
    browser.sign_in(email)
    session_cookie = browser.cookies["sapa_session"]
    token = browser.csrf("/console")

    out = browser.post("/console/logout", {"csrf": token})

    assert out.headers["Location"] == "/console/login?m=out"
    browser.cookies["sapa_session"] = session_cookie  # a copied cookie does not come back to life
    assert browser.get("/console").status_code == 303


def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(browser, console_user) -> None:
    answer = browser.get("/console")

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/console/login?next=%2Fconsole"


def test_a_post_from_another_site_is_refused_even_with_the_session_cookie(browser, console_user) -> None:
    email, _ = console_user("rina", "agent")
    browser.sign_in(email)
    token = browser.csrf("/console")

    forged = browser.post("/console/logout", {"csrf": token}, headers={"Origin": "https://evil.example"})
    no_token = browser.post("/console/logout", {})

    assert forged.status_code == 403
    assert no_token.status_code == 403
    assert browser.get("/console").status_code == 200  # still signed in


def test_revoking_a_user_ends_their_session_at_once(browser, console_user) -> None:
    email, _ = console_user("rina", "agent")
    browser.sign_in(email)

    wired.access.directory().revoke("rina")

    assert browser.get("/console").status_code == 303
    assert browser.sign_in(email).status_code == 401


def test_every_console_page_carries_a_strict_content_security_policy(browser) -> None:
    page: Any = browser.get("/console/login")

    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"


def test_the_sign_in_page_speaks_english_when_asked(browser) -> None:
    page = browser.get("/console/login?lang=en").body.decode()

    assert "Sign in to Sapa" in page
    assert 'lang="en"' in page
