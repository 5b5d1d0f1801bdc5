"""Logs never carry phone numbers, e-mail addresses or message texts."""

from __future__ import annotations

import io
import json
import logging

import pytest

from chalicelib.core.observability import MaskingFormatter, mask, mask_text


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


@pytest.mark.parametrize(
    "phone",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "0812.3456.7890",
        "(0812) 3456-7890",
        "+62 812 3456 7890",
        "+62 (812) 3456-7890",
        "+6281234567890",
        "6281234567890",
        "62 812-3456-7890",
        "+44 20 7946 0958",
    ],
)
def test_a_phone_number_is_masked_in_any_of_its_written_forms(phone: str) -> None:
    assert mask_text(f"kirim ke {phone}, lalu tutup") == "kirim ke <phone>, lalu tutup"


@pytest.mark.parametrize(
    ("line", "leak"),
    [
        ('"GET /customers?phone=081234567890&limit=5 HTTP/1.1" 200 -', "081234567890"),
        ('"GET /customers?phone=%2B6281234567890 HTTP/1.1" 200 -', "6281234567890"),
        ('"GET /customers?q=%2B62+812+3456+7890 HTTP/1.1" 200 -', "3456"),
        ('"GET /customers?email=budi.santoso%40contoh.co.id HTTP/1.1" 200 -', "budi.santoso"),
        ('"GET /customers?search=budi.santoso@contoh.co.id HTTP/1.1" 200 -', "budi.santoso"),
        ('"GET /customers?name=Budi+Santoso&limit=5 HTTP/1.1" 200 -', "Budi"),
        ('"GET /customers/by-phone/081234567890/messages HTTP/1.1" 200 -', "081234567890"),
    ],
)
def test_access_lines_lose_the_personal_data_in_their_query_string_and_path(line: str, leak: str) -> None:
    masked = mask_text(line)

    assert leak not in masked
    assert masked.startswith('"GET /customers')
    assert masked.endswith('HTTP/1.1" 200 -')


def test_harmless_query_parameters_stay_readable() -> None:
    line = "GET /campaigns?status=sending&limit=20&year=2027"

    assert mask_text(line) == line


@pytest.mark.parametrize(
    "value",
    [
        "2027-03-10",
        "2027-03-10 08:00:00",
        "2027-03-10T08:00:00+07:00",
        "2026-12-01 22:46:35,561+0000",
        "1780000000",
        "1780000000123",
        "08-12-2027 10:00",
        "cus_08123456789012345abcde",
        "msg_6281234567890abcdef0123456789ab",
        "rp_628123456789012345",
        "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYIDNB",
        "08123456-7890-4abc-8def-0123456789ab",
        "106540352242922",
        "Rp 62.500.000",
        "+07:00",
    ],
)
def test_ids_timestamps_and_amounts_are_not_mistaken_for_phone_numbers(value: str) -> None:
    assert mask_text(f"at {value} done") == f"at {value} done"


def test_the_formatter_masks_phone_numbers_and_emails_under_keys_it_does_not_know() -> None:
    line = _log_line(
        path="/customers/by-phone/081311112222",
        lookup={"contact": "ayu.lestari@contoh.co.id", "alt": ["+62 813 3333 4444"]},
        at="2027-03-10T08:00:00+07:00",
        message_id="wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYIDNB",
    )

    assert line["path"] == "/customers/by-phone/<phone>"
    assert line["lookup"] == {"contact": "<email>", "alt": ["<phone>"]}
    assert line["at"] == "2027-03-10T08:00:00+07:00"
    assert line["message_id"] == "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYIDNB"


def test_a_page_cursor_is_masked_because_it_can_encode_a_phone() -> None:
    assert mask({"query": {"cursor": "eyJwaG9uZSI6ICIrNjI4MTIzNDU2Nzg5MCJ9", "limit": "5"}}) == {
        "query": {"cursor": "***", "limit": "5"}
    }
