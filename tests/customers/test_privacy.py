"""A real request's log lines carry no phone number, e-mail address or message text."""

from __future__ import annotations

import io

from chalicelib.core.observability import logger

ADMIN = {"Authorization": "Bearer test-admin-token"}


def test_logs_of_real_requests_contain_no_personal_data(api, customer_data) -> None:
    captured = io.StringIO()
    handler = logger.registered_handler
    original, handler.stream = handler.stream, captured
    try:
        api("POST", "/customers", customer_data(), ADMIN)
        api("GET", "/customers?phone=%2B6281234567890", None, ADMIN)
        api("GET", "/customers?phone=not-a-phone", None, ADMIN)
        api("POST", "/customers", customer_data(email="budi@"), ADMIN)
    finally:
        handler.stream = original

    lines = captured.getvalue()
    assert '"request"' in lines  # the access log did run
    for secret in ("6281234567890", "812-3456", "budi.santoso@contoh.co.id", "Budi Santoso"):
        assert secret not in lines
