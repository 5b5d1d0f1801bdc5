"""Logs never carry phone numbers, e-mail addresses or message texts, and every line names its trace."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from chalice.app import Chalice

from chalicelib.core import middleware
from chalicelib.core.middleware import correlation_id
from chalicelib.core.observability import MaskingFormatter, logger, mask, mask_text


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


# -- tracing: Lambda's own active tracing, the trace id and a correlation id on every log line ---------

ROOT = Path(__file__).resolve().parents[2]
TRACE = "Root=1-6751a3c2-5e8f1b2a9c0d4e6f7a8b9c0d;Parent=53995c3f42cd8ad8;Sampled=1"
TRACE_ID = "1-6751a3c2-5e8f1b2a9c0d4e6f7a8b9c0d"
PRODUCER = "Root=1-6751a3c1-0123456789abcdef01234567;Parent=1a2b3c4d5e6f7a8b;Sampled=1"


def test_importing_the_app_as_deployed_loads_no_xray_sdk() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "SAPA_"))}
    env.update(
        SAPA_STAGE="prod",
        SAPA_PUBLIC_URL="https://sapa.bank-contoh.co.id",
        SAPA_EMAIL_SENDER="halo@bank-contoh.co.id",
        POWERTOOLS_SERVICE_NAME="sapa",
        AWS_LAMBDA_FUNCTION_NAME="sapa-prod-api_handler",
        _X_AMZN_TRACE_ID=TRACE,
    )
    code = (
        "import sys, app; app.app.container.aws.client('dynamodb'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_xray_sdk', 'wrapt')))"
    )

    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "[]"


def test_the_bundle_requires_no_xray_sdk() -> None:
    required = [line.split("==")[0].strip().lower() for line in (ROOT / "requirements.txt").read_text().splitlines()]

    assert "aws-xray-sdk" not in required
    assert "wrapt" not in required  # only the X-Ray SDK needed it


def _lambda_context(request_id: str = "req-1") -> SimpleNamespace:
    return SimpleNamespace(
        function_name="sapa-prod-test",
        function_version="$LATEST",
        memory_limit_in_mb=512,
        invoked_function_arn="arn:aws:lambda:ap-southeast-3:123456789012:function:sapa-prod-test",
        aws_request_id=request_id,
        log_group_name="/aws/lambda/sapa-prod-test",
        log_stream_name="2027/03/10/[$LATEST]abc",
    )


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Chalice, io.StringIO]]:
    """A bare app with Sapa's middleware, inside an invocation whose trace header Lambda has set."""
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    app = Chalice(app_name="traced")
    middleware.register(app)

    @app.route("/ping")
    def ping() -> dict:
        logger.info("inside the route")
        return {"ok": True}

    @app.on_sqs_message(queue="work", name="work")
    def work(event: Any) -> None:
        logger.info("inside the consumer")

    @app.schedule("rate(1 minute)", name="tick")
    def tick(event: Any) -> None:
        logger.info("inside the schedule")

    stream = io.StringIO()
    handler = logger.registered_handler
    original, handler.stream = handler.stream, stream
    try:
        yield app, stream
    finally:
        handler.stream = original


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_log_line_of_an_api_request_carries_the_trace_id_and_the_gateway_request_id(traced) -> None:
    app, stream = traced
    event = {
        "resource": "/ping",
        "path": "/ping",
        "httpMethod": "GET",
        "headers": {"Host": "api.example"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {"resourcePath": "/ping", "httpMethod": "GET", "requestId": "gw-req-7", "path": "/api/ping"},
    }

    response = app(event, _lambda_context())

    assert response["statusCode"] == 200
    lines = _lines(stream)
    assert [line["message"] for line in lines] == ["inside the route", "request"]
    for line in lines:
        assert line["xray_trace_id"] == TRACE_ID
        assert line["correlation_id"] == "gw-req-7"
        assert line["function_request_id"] == "req-1"


def test_an_sqs_batch_logs_its_message_ids_and_the_traces_that_queued_them(traced) -> None:
    app, stream = traced
    records = [
        {"messageId": "m-1", "body": "{}", "attributes": {"AWSTraceHeader": PRODUCER}},
        {"messageId": "m-2", "body": "{}", "attributes": {"AWSTraceHeader": PRODUCER}},
        {"messageId": "m-3", "body": "{}", "attributes": {}},
    ]
    for record in records:
        record.update(eventSource="aws:sqs", eventSourceARN="arn:aws:sqs:ap-southeast-3:123456789012:work")

    app.handler_map["work"]({"Records": records}, _lambda_context("req-2"))

    (line,) = _lines(stream)
    assert line["message"] == "inside the consumer"
    assert line["xray_trace_id"] == TRACE_ID
    assert line["correlation_id"] == "m-1,m-2,m-3"
    assert line["linked_trace_ids"] == ["1-6751a3c1-0123456789abcdef01234567"]


def test_a_scheduled_run_logs_its_event_id_and_state_does_not_leak_into_the_next_invocation(traced) -> None:
    app, stream = traced
    app.handler_map["work"]({"Records": [{"messageId": "m-9", "body": "{}", "attributes": {}}]}, _lambda_context())
    stream.truncate(0)
    stream.seek(0)

    scheduled = {
        "version": "0",
        "id": "evt-42",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2027-03-10T01:00:00Z",
        "region": "ap-southeast-3",
        "resources": [],
        "detail": {},
    }
    app.handler_map["tick"](scheduled, _lambda_context())

    (line,) = _lines(stream)
    assert line["xray_trace_id"] == TRACE_ID
    assert line["correlation_id"] == "evt-42"
    assert "linked_trace_ids" not in line


def test_an_invocation_with_no_event_id_is_correlated_by_its_lambda_request_id() -> None:
    assert correlation_id("pure_lambda", {"anything": 1}, "req-3") == "req-3"
    assert correlation_id("http", {"requestContext": {}}, "req-4") == "req-4"
    assert correlation_id("sns", {"Records": [{"Sns": {"MessageId": "sns-1"}}]}, "req-5") == "sns-1"
