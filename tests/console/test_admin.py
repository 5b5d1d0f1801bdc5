"""The admin page: the contact policy edited like the API does it, settings read only, staff, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.outbound.contact_policy import DAYS, PURPOSES
from tests import wired

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def admin(browser, console_user):  # type: ignore[no-untyped-def]
    email, _ = console_user("admin", "admin")
    browser.sign_in(email)
    return browser


def _policy_form(token: str, version: str = "0", **changes: str) -> dict[str, str]:
    stored = wired.outbound.contact_policy_store().read().public()["purposes"]
    fields = {"csrf": token, "version": version}
    for purpose in PURPOSES:
        window = stored[purpose]
        fields.update({f"{purpose}.day.{day}": "on" for day in DAYS if day in window["days"]})
        fields[f"{purpose}.start"], fields[f"{purpose}.end"] = window["start"], window["end"]
        if window["exclude_national_holidays"]:
            fields[f"{purpose}.exclude_national_holidays"] = "on"
    fields.update(changes)
    return fields


def test_an_admin_sees_the_policy_the_settings_the_staff_and_the_audit_log(admin) -> None:
    page = admin.get("/console/admin").body.decode()

    assert 'data-testid="purpose-promotion"' in page
    assert "POJK 6/POJK.07/2022" in page
    assert "SAPA_SCRM_SLA_HOURS" in page
    assert "SIGNING_SECRET" not in page
    assert 'data-testid="staff-row"' in page
    assert "staff.signed_in" in page  # the admin's own sign-in is the newest entry


def test_an_admin_narrows_the_promotion_hours_and_it_is_audited(admin) -> None:
    token = admin.csrf("/console/admin")

    answer = admin.post("/console/admin/contact-policy", _policy_form(token, **{"promotion.end": "17:00"}))

    assert answer.status_code == 303
    assert wired.outbound.contact_policy_store().read().policy.promotion.end == "17:00"
    page = admin.get("/console/admin?action=settings.contact_policy").body.decode()
    assert "Kebijakan kontak sudah disimpan" not in page  # the notice belongs to the redirect only
    assert page.count('data-testid="audit-row"') == 1


def test_the_regulation_cannot_be_widened_from_the_page(admin) -> None:
    token = admin.csrf("/console/admin")

    answer = admin.post("/console/admin/contact-policy", _policy_form(token, **{"promotion.end": "21:00"}))

    assert answer.status_code == 400
    assert "may only be narrower" in answer.body.decode()
    assert wired.outbound.contact_policy_store().read().version == 0


def test_a_stale_version_is_a_conflict_on_the_page(admin) -> None:
    token = admin.csrf("/console/admin")
    admin.post("/console/admin/contact-policy", _policy_form(token, **{"promotion.end": "17:00"}))

    answer = admin.post("/console/admin/contact-policy", _policy_form(token, "0", **{"promotion.end": "16:00"}))

    assert answer.status_code == 409
    assert wired.outbound.contact_policy_store().read().policy.promotion.end == "17:00"


def test_saving_without_the_csrf_token_is_refused(admin) -> None:
    fields = _policy_form("wrong", **{"promotion.end": "17:00"})

    assert admin.post("/console/admin/contact-policy", fields).status_code == 403
    assert wired.outbound.contact_policy_store().read().version == 0


def test_the_audit_log_filters_and_shows_hostile_text_as_text(admin) -> None:
    audit = wired.customers.audit()
    audit.record("sapa", "campaign.pause", XSS, datetime(2026, 3, 1, 2, 0, tzinfo=UTC), reason=XSS)
    audit.record("maya", "campaign.send", "cp_1", datetime(2026, 3, 2, 2, 0, tzinfo=UTC))

    page = admin.get("/console/admin?action=campaign.pause&from=2026-03-01&to=2026-03-01").body.decode()

    assert page.count('data-testid="audit-row"') == 1
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def test_a_filter_that_cannot_match_is_a_400_with_the_reason(admin) -> None:
    answer = admin.get("/console/admin?action=%3Cscript%3E")

    assert answer.status_code == 400
    assert 'data-testid="audit-problems"' in answer.body.decode()
    assert "<script>" not in answer.body.decode().split("</head>")[1]


@pytest.mark.parametrize("role", ["marketer", "agent", "viewer", "telemarketer"])
def test_only_an_admin_may_open_the_page(browser, console_user, role: str) -> None:
    email, _ = console_user(f"u{role}", role)
    browser.sign_in(email)

    assert browser.get("/console/admin").status_code == 403
    token = browser.csrf("/console")
    assert browser.post("/console/admin/contact-policy", _policy_form(token)).status_code == 403
