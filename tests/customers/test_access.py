"""Only staff get in: missing, unknown and revoked tokens (every route and role: tests/access)."""

from __future__ import annotations


def test_a_missing_token_is_401(api) -> None:
    status, _ = api("GET", "/customers")

    assert status == 401


def test_an_unknown_token_is_401(api) -> None:
    status, body = api("GET", "/customers", None, {"Authorization": "Bearer sapa_made_up"})

    assert status == 401
    assert body["error"] == "unauthorized"


def test_a_revoked_token_stops_working(api, aws, settings, staff_token) -> None:
    from chalicelib.access.tokens import StaffStore

    headers = staff_token("viewer")
    assert api("GET", "/customers", None, headers)[0] == 200

    StaffStore(aws.table(settings.table_name("access"))).revoke("viewer-user")

    assert api("GET", "/customers", None, headers)[0] == 401


def test_health_and_unsubscribe_need_no_token(api) -> None:
    assert api("GET", "/health")[0] == 200
    assert api("GET", "/unsubscribe/not-a-token")[0] == 404


def test_the_audit_log_records_who_erased_whom(api, staff_token, customer_data) -> None:
    marketer = staff_token("marketer")
    _, created = api("POST", "/customers", customer_data(), marketer)
    api("DELETE", f"/customers/{created['id']}", None, marketer)

    status, audit = api("GET", "/audit", None, staff_token("admin"))

    assert status == 200
    erased = [e for e in audit["items"] if e["action"] == "customer.erased"]
    assert erased[0]["actor"] == "marketer-user"
    assert erased[0]["target"] == created["id"]
