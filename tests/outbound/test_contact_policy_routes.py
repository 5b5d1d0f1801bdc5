"""The contact policy over HTTP: staff read it, an admin narrows it, the sender applies it, the audit keeps both."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.customers.service import Actor
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from tests.wiring import customers as customer_deps
from tests.wiring import outbound as deps

ADMIN = {"Authorization": "Bearer test-admin-token"}


def _narrowed(policy: dict, **promotion: object) -> dict:
    purposes = {name: {k: v for k, v in window.items() if k != "regulation"} for name, window in policy.items()}
    purposes["promotion"].update(promotion)
    return purposes


def test_staff_read_the_policy_with_the_regulation_behind_each_default(api, staff_token) -> None:
    status, body = api("GET", "/settings/contact-policy", None, staff_token("viewer"))

    assert status == 200
    assert body["source"] == "default"
    promotion = body["purposes"]["promotion"]
    assert (promotion["start"], promotion["end"], promotion["exclude_national_holidays"]) == ("08:00", "18:00", True)
    assert promotion["days"] == ["mon", "tue", "wed", "thu", "fri", "sat"]
    assert "POJK 6/POJK.07/2022 Pasal 25" in promotion["regulation"]
    assert "POJK 22 Tahun 2023 Pasal 62" in body["purposes"]["reminder"]["regulation"]
    assert body["purposes"]["service"]["end"] == "24:00"


def test_an_admin_narrows_the_offer_window_and_the_audit_keeps_old_and_new(api) -> None:
    _, current = api("GET", "/settings/contact-policy", None, ADMIN)

    status, saved = api(
        "PUT",
        "/settings/contact-policy",
        {"purposes": _narrowed(current["purposes"], end="17:00"), "version": current["version"]},
        ADMIN,
    )
    _, audit = api("GET", "/audit", None, ADMIN)

    assert status == 200
    assert (saved["source"], saved["version"], saved["updated_by"]) == ("saved", 1, "local-admin")
    assert saved["purposes"]["promotion"]["end"] == "17:00"
    [entry] = [e for e in audit["items"] if e["action"] == "settings.contact_policy"]
    assert entry["details"]["old"]["promotion"]["end"] == "18:00"
    assert entry["details"]["new"]["promotion"]["end"] == "17:00"


def test_the_policy_cannot_be_opened_wider_than_the_law_and_names_the_field(api) -> None:
    _, current = api("GET", "/settings/contact-policy", None, ADMIN)

    status, body = api(
        "PUT", "/settings/contact-policy", {"purposes": _narrowed(current["purposes"], end="21:00")}, ADMIN
    )

    assert status == 400
    assert "purposes.promotion" in body["fields"]
    assert "POJK" in body["fields"]["purposes.promotion"]


def test_only_an_admin_changes_it_and_a_stale_version_is_a_conflict(api, staff_token) -> None:
    _, current = api("GET", "/settings/contact-policy", None, ADMIN)
    body = {"purposes": _narrowed(current["purposes"], end="17:00"), "version": 0}

    refused, _ = api("PUT", "/settings/contact-policy", body, staff_token("marketer"))
    first, _ = api("PUT", "/settings/contact-policy", body, ADMIN)
    stale, conflict = api("PUT", "/settings/contact-policy", body, ADMIN)

    assert refused == 403
    assert first == 200
    assert stale == 409
    assert "version" in conflict["fields"]


def test_the_sender_applies_a_narrowed_window(api, clock, runner, whatsapp) -> None:
    customer, _ = customer_deps.customer_service().upsert(
        {"external_id": "POL-1", "name": "Agus", "phone": "081300001111", "consents": {"whatsapp": ["promotions"]}},
        Actor("test", "api"),
    )
    _, current = api("GET", "/settings/contact-policy", None, ADMIN)
    api("PUT", "/settings/contact-policy", {"purposes": _narrowed(current["purposes"], end="17:00")}, ADMIN)
    clock.set(datetime(2025, 6, 17, 10, 30, tzinfo=UTC))  # 17:30 WIB: open by law, closed by this company
    offer = Envelope(
        message_id=message_id(customer["id"], "campaign", "cmp_x", "whatsapp"),
        customer_id=customer["id"],
        channel="whatsapp",
        purpose="promotion",
        occasion="promo",
        occasion_ref="cmp_x",
        text="Promo",
        whatsapp_template={"name": "promo", "language": "id", "params": []},
    )

    deps.dispatcher().dispatch([offer])
    runner.drain()

    assert whatsapp.messages() == []
    assert customer_deps.message_log().get(offer.message_id)["not_before"] == "2025-06-18T01:00:00Z"
