"""The Graph error table: which failures the worker retries, holds, or gives up on."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.outbound.provider import Disposition, OutboundWhatsApp, ProviderError
from chalicelib.outbound.whatsapp_errors import (
    GRAPH_ERRORS,
    TRANSPORT_ERRORS,
    classify,
    no_message_id,
    transport_error,
)


def graph(code: Any, message: str = "(#0) Something", **extra: Any) -> dict[str, Any]:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123", **extra}
    return {"error": error}


@pytest.mark.parametrize(
    ("status", "code", "disposition"),
    [
        (400, 130429, Disposition.RETRY),
        (429, 130429, Disposition.RETRY),
        (400, 131056, Disposition.RETRY_LATER),
        (400, 131048, Disposition.RETRY_LATER),
        (400, 131049, Disposition.HOLD_24H),
        (400, 131026, Disposition.PERMANENT),
        (400, 131047, Disposition.PERMANENT),
        (400, 131051, Disposition.PERMANENT),
        (400, 132000, Disposition.PERMANENT),
        (400, 132001, Disposition.PERMANENT),
        (400, 100, Disposition.PERMANENT),
        (401, 190, Disposition.PERMANENT),
        (400, 368, Disposition.PERMANENT),
        (400, 4, Disposition.RETRY),
        (400, 80007, Disposition.RETRY),
        (500, 131000, Disposition.RETRY),
    ],
)
def test_known_codes(status: int, code: int, disposition: Disposition) -> None:
    error = classify(status, graph(code))

    assert isinstance(error, ProviderError)
    assert (error.code, error.disposition, error.http_status) == (str(code), disposition, status)
    assert error.reason == GRAPH_ERRORS[code].reason
    assert error.trace_id == "AbCdEf123"


@pytest.mark.parametrize(
    ("status", "code", "disposition"),
    [
        (500, 131026, Disposition.PERMANENT),  # a known code decides, whatever the status
        (503, 190, Disposition.PERMANENT),
        (400, 130429, Disposition.RETRY),
        (200, 131049, Disposition.HOLD_24H),
    ],
)
def test_a_known_code_wins_over_the_http_status(status: int, code: int, disposition: Disposition) -> None:
    assert classify(status, graph(code)).disposition is disposition


@pytest.mark.parametrize(
    ("status", "body", "code", "disposition"),
    [
        (400, graph(999001), "999001", Disposition.PERMANENT),
        (403, graph(999001), "999001", Disposition.PERMANENT),
        (404, None, "http_404", Disposition.PERMANENT),
        (500, graph(999001), "999001", Disposition.RETRY),
        (502, None, "http_502", Disposition.RETRY),
        (503, {"unexpected": "shape"}, "http_503", Disposition.RETRY),
        (504, {"error": "gateway timeout"}, "http_504", Disposition.RETRY),
        (429, None, "http_429", Disposition.RETRY),
        (408, None, "http_408", Disposition.RETRY),
        (302, None, "http_302", Disposition.RETRY),
    ],
)
def test_unknown_codes_fall_back_to_the_status(
    status: int, body: dict[str, Any] | None, code: str, disposition: Disposition
) -> None:
    error = classify(status, body)

    assert (error.code, error.disposition, error.http_status) == (code, disposition, status)
    assert str(status) in error.reason


def test_codes_as_strings_are_understood_and_junk_codes_ignored() -> None:
    assert classify(400, graph("131026")).disposition is Disposition.PERMANENT
    assert classify(400, graph(" 131049 ")).code == "131049"
    assert classify(503, graph(True)).code == "http_503"
    assert classify(503, graph("abc")).code == "http_503"
    assert classify(503, graph(None)).code == "http_503"


def test_rate_limits_carry_a_delay_and_holds_a_full_day() -> None:
    assert classify(400, graph(131056)).retry_after_seconds == 60
    assert classify(400, graph(131048)).retry_after_seconds == 15 * 60
    assert classify(400, graph(131049)).retry_after_seconds == 24 * 60 * 60
    assert classify(400, graph(130429)).retry_after_seconds is None  # the worker's backoff decides


def test_setup_problems_raise_an_alert_and_recipient_problems_do_not() -> None:
    assert classify(401, graph(190)).alert
    assert classify(400, graph(368)).alert
    assert classify(400, graph(132001)).alert
    assert not classify(400, graph(131026)).alert
    assert not classify(400, graph(130429)).alert
    assert not classify(500, None).alert


def test_reasons_never_copy_graph_text() -> None:
    phone, text = "6281234567890", "Halo Pak Budi, tagihan Anda"
    body = graph(
        131009,
        f"(#131009) Parameter value is not valid: {text}",
        error_data={"messaging_product": "whatsapp", "details": f"to {phone}: {text}"},
        error_subcode=2494010,
    )
    for error in (classify(400, body), classify(400, {**body, "error": {**body["error"], "code": 999}})):
        rendered = f"{error} {error!r} {error.reason}"
        assert phone not in rendered
        assert text not in rendered


def test_table_entries_are_complete() -> None:
    for code, rule in GRAPH_ERRORS.items():
        assert rule.reason.strip(), code
        if rule.disposition in (Disposition.RETRY_LATER, Disposition.HOLD_24H):
            assert rule.retry_after_seconds, code
        if rule.alert:
            assert rule.disposition is Disposition.PERMANENT, code


@pytest.mark.parametrize("code", sorted(TRANSPORT_ERRORS))
def test_transport_errors_are_retry(code: str) -> None:
    error = transport_error(code)

    assert (error.code, error.disposition, error.http_status) == (code, Disposition.RETRY, None)
    assert error.reason == TRANSPORT_ERRORS[code]


def test_no_message_id_is_retry_not_success() -> None:
    error = no_message_id(200)

    assert (error.code, error.disposition, error.http_status) == ("no_message_id", Disposition.RETRY, 200)
    assert error.retryable


def test_provider_error_shape() -> None:
    error = ProviderError("131026", "undeliverable", Disposition.PERMANENT)

    assert isinstance(error, Exception)
    assert (error.retry_after_seconds, error.alert, error.http_status, error.trace_id) == (None, False, None, None)
    assert not error.retryable
    assert "131026" in str(error)
    assert Disposition("hold_24h") is Disposition.HOLD_24H


@pytest.mark.parametrize(
    "fields",
    [{}, {"template_name": "promo", "text": "hi"}],
)
def test_outbound_whatsapp_is_a_template_or_a_text(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        OutboundWhatsApp(to="+6281234567890", **fields)


def test_outbound_whatsapp_defaults() -> None:
    message = OutboundWhatsApp(to="+6281234567890", template_name="promo")

    assert (message.is_template, message.language_code, message.body_parameters) == (True, "id", [])
    assert not OutboundWhatsApp(to="+6281234567890", text="hi").is_template
