"""Logs never carry phone numbers, e-mail addresses or message texts."""

from __future__ import annotations

import io
import json
import logging

from chalicelib.core.observability import MaskingFormatter, mask


def _log_line(**extra: object) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter())
    log = logging.getLogger("sapa-mask-test")
    log.handlers = [handler]
    log.propagate = False
    log.warning("sending to +62 812-3456-7890 and budi.santoso@contoh.co.id on 2027-03-10", extra=extra)
    return json.loads(stream.getvalue())


def test_phone_numbers_and_emails_in_the_message_are_masked() -> None:
    line = _log_line()

    assert "3456" not in line["message"]
    assert "budi.santoso" not in line["message"]
    assert "2027-03-10" in line["message"]  # dates stay readable


def test_sensitive_keys_are_masked_whatever_their_value() -> None:
    line = _log_line(text="sy mau tanya angsuran", phone="+6281234567890", customer_id="cus_1")

    assert line["text"] == "***"
    assert line["phone"] == "***"
    assert line["customer_id"] == "cus_1"


def test_nested_values_are_masked() -> None:
    assert mask({"to": "+6281234567890", "meta": {"email": "a@b.co", "note": "call 081234567890"}}) == {
        "to": "***",
        "meta": {"email": "***", "note": "call <phone>"},
    }
