"""The outbound halt in every page's header: everyone sees the state, only an admin halts and resumes."""

from __future__ import annotations

from tests import wired

XSS = "<img src=x onerror=alert(1)> template salah"


def _signed_in(browser, console_user, name: str, role: str):  # type: ignore[no-untyped-def]
    email, _ = console_user(name, role)
    browser.sign_in(email)
    return browser


def test_every_role_sees_that_sending_runs_and_only_an_admin_gets_the_button(browser, console_user) -> None:
    viewer = _signed_in(browser, console_user, "vina", "viewer")

    page = viewer.get("/console").body.decode()

    assert "Pengiriman berjalan" in page
    assert "/console/outbound/halt" not in page


def test_an_admin_halts_and_every_page_says_who_halted_why_and_since_when(browser, console_user, client) -> None:
    from tests.console.conftest import Browser

    admin = _signed_in(browser, console_user, "admin", "admin")
    token = admin.csrf("/console")
    assert "Hentikan semua pengiriman" in admin.get("/console").body.decode()

    answer = admin.post("/console/outbound/halt", {"csrf": token, "reason": "Template salah", "back": "/console/leads"})

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/console/leads"
    assert wired.outbound.switch().state().halted
    agent = _signed_in(Browser(client), console_user, "sari", "agent")
    page = agent.get("/console/inbox").body.decode()
    assert "DIHENTIKAN oleh admin sejak" in page
    assert "Template salah" in page
    assert "/console/outbound/resume" not in page  # an agent sees the state, not the button
    entries, _ = wired.customers.audit().page(20, None)
    [halted] = [entry for entry in entries if entry["action"] == "outbound.halt"]
    assert (halted["actor"], halted["details"]) == ("admin", {"reason": "Template salah"})


def test_an_admin_resumes_and_the_header_says_sending_runs_again(browser, console_user) -> None:
    admin = _signed_in(browser, console_user, "admin", "admin")
    admin.post("/console/outbound/halt", {"csrf": admin.csrf("/console"), "reason": "Kualitas turun"})
    page = admin.get("/console").body.decode()
    assert "Lanjutkan pengiriman" in page

    answer = admin.post("/console/outbound/resume", {"csrf": admin.csrf("/console")})

    assert answer.status_code == 303
    assert not wired.outbound.switch().state().halted
    assert "Pengiriman berjalan" in admin.get("/console").body.decode()


def test_the_reason_is_shown_as_text(browser, console_user) -> None:
    admin = _signed_in(browser, console_user, "admin", "admin")
    admin.post("/console/outbound/halt", {"csrf": admin.csrf("/console"), "reason": XSS})

    page = admin.get("/console").body.decode()

    assert "&lt;img src=x onerror=alert(1)&gt; template salah" in page
    assert "<img src=x" not in page


def test_a_halt_without_a_reason_is_refused_and_nothing_stops(browser, console_user) -> None:
    admin = _signed_in(browser, console_user, "admin", "admin")

    answer = admin.post("/console/outbound/halt", {"csrf": admin.csrf("/console"), "reason": " x "})

    assert answer.status_code == 400
    assert "Tulis alasan penghentian" in answer.body.decode()
    assert not wired.outbound.switch().state().halted


def test_a_halt_without_the_csrf_token_is_refused(browser, console_user) -> None:
    admin = _signed_in(browser, console_user, "admin", "admin")

    answer = admin.post("/console/outbound/halt", {"reason": "Template salah"})

    assert answer.status_code == 403
    assert not wired.outbound.switch().state().halted


def test_a_non_admin_may_not_halt(browser, console_user) -> None:
    marketer = _signed_in(browser, console_user, "maya", "marketer")

    answer = marketer.post("/console/outbound/halt", {"csrf": marketer.csrf("/console"), "reason": "Template salah"})

    assert answer.status_code == 403
    assert not wired.outbound.switch().state().halted
