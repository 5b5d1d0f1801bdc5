"""Each function's role is what its handler does: recorded in a deployed stage, checked both ways.

The tour runs every Lambda function through its real handler in the `dev`
stage against moto: the API (every context's routes), the authorizer, each
queue consumer on the event Lambda would hand it, and each schedule. Secrets
come from SSM as in AWS (the local defaults are off), and every function
starts cold (no queue URL, policy or secret cached by another function), as
in its own Lambda process. Then:

- every AWS request a function made is allowed by the role `make package`
  generates for it (the same evaluation as the per-test check in conftest);
- every use `chalicelib.core.permissions` declares was made at least once,
  so nothing is granted beyond a need the code shows.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import Any

import pytest
from moto import mock_aws

from chalicelib.access.cognito import CognitoStaff
from chalicelib.access.directory import StaffDirectory
from chalicelib.access.roles import Role
from chalicelib.access.sessions import SessionStore
from chalicelib.access.tokens import StaffStore
from chalicelib.core import permissions, resources
from chalicelib.core.aws import AwsClients
from chalicelib.core.settings import Settings
from chalicelib.customers import imports as customer_imports
from chalicelib.customers.unsubscribe import UnsubscribeGrant, make_token
from chalicelib.outbound.message_log import message_id
from chalicelib.scrm.meta import sign
from sapa_cli.cfn import QUEUE_ACTIONS, TABLE_ACTIONS
from sapa_cli.local.runner import LocalLambdaContext, scheduled_event, sqs_event
from sapa_cli.local.whatsapp_sandbox import Fault
from tests.aws_calls import ACCOUNT, PARTITION, REGION, Call, CallRecorder, table_arn
from tests.conftest import WEEKDAY_MORNING, Clock
from tests.iam import refused_calls
from tests.scrm.meta_payloads import dm, wa_list_reply, wa_status, wa_text
from tests.sockets import management_api, ws_event

# Every test here reads the tour, run on moto (`mock_aws`) rather than through the `aws` fixture.
pytestmark = pytest.mark.slow

STAGE = "dev"
PUBLIC_URL = "https://sapa.bank-contoh.co.id"
SENDER = "halo@bank-contoh.co.id"
WEBSITE = "https://www.bank-contoh.co.id"  # the company's website, where the chat widget is embedded
SECRETS = {
    "META_APP_SECRET": "tour-meta-app-secret",
    "META_VERIFY_TOKEN": "tour-verify-token",
    "SAPA_SIGNING_SECRET": "tour-signing-secret",
    "SAPA_HASH_SALT": "tour-hash-salt",
    "SAPA_WEBCHAT_SECRET": "tour-webchat-secret",
    "WHATSAPP_ACCESS_TOKEN": "test-whatsapp-token",  # what the Graph sandbox accepts
    "META_PAGE_ACCESS_TOKEN": "test-whatsapp-token",
    "SAPA_ADMIN_TOKEN": "read-only-in-the-local-stage",
}
ENVIRONMENT = {
    "SAPA_STAGE": STAGE,
    "SAPA_PUBLIC_URL": PUBLIC_URL,
    "SAPA_EMAIL_SENDER": SENDER,
    "SAPA_WHATSAPP_RATE": "1000000",
    "SAPA_SES_RATE": "1000000",
    "SAPA_RETRY_BASE_SECONDS": "0",
    "SAPA_SQS_MAX_MESSAGE_BYTES": "2048",  # so one webhook body in the tour goes through S3
    "SAPA_PAYLOAD_BUCKET": f"sapa-{STAGE}-payloads-{ACCOUNT}",  # the template's name for it
    "SAPA_CAMPAIGN_MIN_SAMPLE": "1",  # so one failure or complaint is enough to auto-pause
    "SAPA_CAMPAIGN_MIN_RENDER_SAMPLE": "1",  # and one render error
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",  # a deployed stage sends from its own number
    "SAPA_WEBCHAT_SITES": json.dumps({"www": {"name": "Bank Contoh", "origins": [WEBSITE]}}),
}


class Lambdas:
    """Invokes each handler as its own Lambda would: cold caches, Lambda's event shapes, the stage's names."""

    def __init__(self, app: Any, aws: AwsClients, clock: Clock, ssm: Any) -> None:
        from chalice.test import Client

        self.app = app
        self.aws = aws
        self.clock = clock
        self.ssm = ssm
        self.http = Client(app, stage_name=STAGE)
        self.headers: dict[str, str] = {}
        self.cookies: dict[str, str] = {}

    def cold(self) -> None:
        """Forget what another function's invocation cached in this process: each call gets a new container."""
        from chalicelib.wiring.container import Container

        self.app.container = Container(self.aws, clock=self.clock)
        self.ssm.clear_cache()

    def api(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        self.cold()
        all_headers = {"Content-Type": "application/json", **self.headers, **(headers or {})}
        payload = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        response = getattr(self.http.http, method.lower())(path, body=payload, headers=all_headers)
        text = response.body.decode() if response.body else ""
        try:
            return response.status_code, json.loads(text) if text else None
        except ValueError:
            return response.status_code, text

    def ok(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        status, answer = self.api(method, path, body, headers)
        assert 200 <= status < 300, (method, path, status, answer)
        return answer

    def webhook(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, SECRETS["META_APP_SECRET"])}
        self.cold()
        response = self.http.http.post("/webhooks/meta", body=body, headers=headers)
        assert response.status_code == 200, response.body

    def drain(self, consumer: str) -> int:
        """Lambda's event source mapping: receive a batch, invoke, delete what succeeded, until empty."""
        queue = resources.queue_for_consumer(consumer)
        sqs = self.aws.sqs
        url = sqs.get_queue_url(QueueName=resources.queue_name(STAGE, queue.logical))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        handled = 0
        for _ in range(50):
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=min(queue.batch_size, 10), AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                return handled
            self.cold()
            context = LocalLambdaContext(f"sapa-{STAGE}-{consumer}", queue.consumer_timeout)
            result = self.app.handler_map[consumer](sqs_event(messages, arn, REGION), context)
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
            for message in messages:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            handled += len(messages)
        return handled

    def page(self, method: str, path: str, fields: dict[str, str] | None = None) -> Any:
        """A browser on the console: its cookies kept, forms posted from the console's own origin."""
        self.cold()
        headers = {"Host": "sapa.bank-contoh.co.id", "Origin": PUBLIC_URL}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if fields is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(fields) if fields is not None else None
        response = getattr(self.http.http, method.lower())(path, body=body, headers=headers)
        raw = response.headers.get("Set-Cookie")
        for value in raw if isinstance(raw, list) else ([raw] if raw else []):
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return response

    def csrf(self, path: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.page("GET", path).body.decode())
        assert found, path
        return found.group(1)

    def ws(self, route: str, connection_id: str, **extra: Any) -> Any:
        """API Gateway's WebSocket API invoking its route's function."""
        from sapa_cli.cfn import WEBSOCKET_FUNCTIONS

        self.cold()
        handler = self.app.handler_map[self.app.websocket_handlers[route].name]
        context = LocalLambdaContext(f"sapa-{STAGE}-{WEBSOCKET_FUNCTIONS[route]}", 30)
        return handler(ws_event(route, connection_id, **extra), context)

    def fire(self, schedule: str) -> Any:
        self.cold()
        context = LocalLambdaContext(f"sapa-{STAGE}-{schedule}", 60)
        return self.app.handler_map[schedule](scheduled_event(schedule, self.clock(), REGION), context)


@dataclass
class Tour:
    lambdas: Lambdas
    recorder: CallRecorder
    aws: AwsClients
    whatsapp: Any  # the Graph API sandbox


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch, whatsapp: Any) -> Iterator[Tour]:
    """The dev stage on moto: resources bootstrapped under dev names, secrets only in SSM, a staff token."""
    from aws_lambda_powertools.utilities.parameters import constants
    from aws_lambda_powertools.utilities.parameters.ssm import SSMProvider

    import app as sapa_app
    from sapa_cli.bootstrap import bootstrap

    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    clock = Clock(WEEKDAY_MORNING)
    recorder = CallRecorder(sapa_app.app)
    process_container = sapa_app.app.container
    with mock_aws():
        handlers = AwsClients()  # what the functions call AWS with: every call is recorded
        recorder.attach(handlers.session.events)
        clients = AwsClients()
        settings = Settings.from_env()
        report = bootstrap(settings, clients)
        for name, value in report.staff_pool.items():  # the template passes the pool's ids to every function
            monkeypatch.setenv(name, value)
        for name, value in SECRETS.items():
            clients.client("ssm").put_parameter(Name=f"/sapa/{STAGE}/{name}", Value=value, Type="SecureString")
        ssm = SSMProvider(boto3_client=handlers.client("ssm"))
        monkeypatch.setitem(constants.DEFAULT_PROVIDERS, "ssm", ssm)
        lambdas = Lambdas(sapa_app.app, handlers, clock, ssm)
        token = StaffStore(clients.table(settings.table_name("access"))).add("tour-admin", Role.ADMIN, clock())
        lambdas.headers = {"Authorization": f"Bearer {token}"}
        yield Tour(lambdas, recorder, clients, whatsapp)
    sapa_app.app.container = process_container


def _customer(n: int, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "external_id": f"TOUR-{n}",
        "name": f"Pelanggan Tur {n}",
        "phone": f"+62812{n:08d}",
        "email": f"tur{n}@contoh.co.id",
        "province": "DKI Jakarta",
        "city": "Jakarta",
        "birth_date": "1990-01-01",
        "consents": {"whatsapp": ["greetings", "promotions"], "email": ["greetings", "promotions"]},
    }
    data.update(fields)
    return data


def _ses_event(kind: str, message_id: str, **extra: Any) -> str:
    """What SNS delivers raw to the email-events queue, tagged with Sapa's message id as the sender tags it."""
    mail = {"messageId": f"ses-{uuid.uuid4().hex}", "timestamp": "2025-06-17T03:00:00Z"}
    return json.dumps({"eventType": kind, "mail": {**mail, "tags": {"sapa_message_id": [message_id]}}, **extra})


def run_the_tour(tour: Tour) -> None:
    """Every function, through its handler, along the paths that need each of its permissions."""
    lam = tour.lambdas
    whatsapp = tour.whatsapp
    sqs = tour.aws.sqs
    # The inbox's agent: assignments name someone on the roster.
    access_table = tour.aws.table(resources.table_name(STAGE, "access"))
    StaffStore(access_table).add("sari", Role.AGENT, lam.clock())

    # The API: health, customers, import, consent, the audit log.
    assert lam.api("GET", "/health")[0] == 200
    alice = lam.ok("POST", "/customers", _customer(1, birth_date="1990-06-17"))
    bob = lam.ok("POST", "/customers", _customer(2, consents={"email": ["promotions"]}))
    carol = lam.ok("POST", "/customers", _customer(3))
    tester = lam.ok("POST", "/customers", _customer(4))
    lam.ok("PUT", f"/customers/{tester['id']}", {"test_recipient": True})
    csv = "external_id,name,phone,email,province\nTOUR-5,Dewi Tur,081200000005,dewi5@contoh.co.id,Bali\n"
    lam.ok("POST", "/customers/import", csv, {"Content-Type": "text/csv"})
    # An import job: two chunks on the fan-out queue (the second queued by the first), a rejected row.
    job_csv = (
        "external_id,name,phone,consent_whatsapp,consent_email\n"
        "TOUR-20,Job Tur,081200000020,,\n"
        "TOUR-21,Job Tur Dua,081200000021,greetings,\n"
        "TOUR-22,Job Tur Tiga,12,,\n"
    )
    chunk_rows, customer_imports.CHUNK_ROWS = customer_imports.CHUNK_ROWS, 2
    try:
        job = lam.ok("POST", "/customers/imports", job_csv, {"Content-Type": "text/csv"})
        lam.drain("fan_out_audience")
    finally:
        customer_imports.CHUNK_ROWS = chunk_rows
    assert lam.ok("GET", f"/customers/imports/{job['id']}")["rejected"] == 1
    lam.ok("GET", f"/customers/imports/{job['id']}/rejected.csv")
    lam.ok("GET", "/customers/import/example.csv")
    lam.ok("GET", "/customers/export.csv?city=Jakarta")
    lam.ok("GET", "/customers?limit=10")
    lam.ok("GET", f"/customers?phone={alice['phone']}")
    lam.ok("GET", f"/customers?q={alice['email']}")  # the e-mail index
    lam.ok("GET", "/customers?q=budi&zone=WIB&limit=5")
    lam.ok("GET", f"/customers/{alice['id']}")
    lam.ok("GET", f"/customers/{alice['id']}/consents")
    lam.ok(
        "POST",
        f"/customers/{carol['id']}/consents",
        {"channel": "email", "purposes": ["greetings"], "granted": True, "evidence": "formulir 2025/06/0042"},
    )
    lam.ok("GET", "/audit")
    lam.ok("GET", "/audit?action=customer.create&from=2025-06-01&to=2025-06-30")

    # Contracts from the financing system: written, imported, paid, read; carol's go with her erasure.
    contract = {
        "customer_external_id": "TOUR-3",
        "product": "car",
        "vehicle": {"brand": "Toyota", "model": "Avanza", "year": 2021, "plate": "B 1 XY"},
        "start_date": "2025-05-20",
        "tenor_months": 12,
        "installment_amount": 3500000,
        "due_day": 5,
        "virtual_account": "8808123400001",
    }
    lam.ok("PUT", "/contracts/TOUR-K1", contract)
    contract_csv = (
        "contract_no,customer_external_id,product,vehicle_brand,vehicle_model,vehicle_year,vehicle_plate,"
        "start_date,tenor_months,installment_amount,due_day,virtual_account\n"
        "TOUR-K2,TOUR-3,car,Honda,Brio,2022,B 2 XY,2025-05-20,12,2000000,10,8808123400002\n"
    )
    lam.ok("POST", "/contracts/import", contract_csv, {"Content-Type": "text/csv"})
    payment = {"payment_id": "TOUR-P1", "contract_no": "TOUR-K1", "installment_no": 1, "amount": 3500000}
    lam.ok("POST", "/payments", {"payments": [{**payment, "paid_at": "2025-06-16T10:00:00+07:00"}]})
    lam.ok("GET", "/contracts/TOUR-K1")
    lam.ok("GET", f"/customers/{carol['id']}/contracts")
    # Reminders: TOUR-K2's first installment (pay by 10 June) is at H+7 today; TOUR-K1's second at H-3 on 2 July;
    # TOUR-K3's (pay by Saturday 14 June) at H+3, for a customer nobody can write to: a call for the desk.
    lam.ok("POST", "/customers", _customer(9, email=None, consents={}))
    lam.ok("PUT", "/contracts/TOUR-K3", {**contract, "customer_external_id": "TOUR-9", "due_day": 14})
    lam.ok("POST", "/reminders/runs", {"date": "2025-06-17"})  # by hand first: the schedule finds them logged
    lam.fire("remind_hourly")
    lam.fire("remind_hourly")  # the day is done in every zone: reads its run records, nothing else
    lam.ok("POST", "/reminders/runs", {"date": "2025-07-02"})
    ladder = lam.ok("GET", "/reminders/ladder")
    lam.ok("PUT", "/reminders/ladder", {"steps": ladder["steps"], "version": 0})
    lam.ok("GET", "/reminders/metrics?from=2025-06-01&to=2025-07-05")

    # Greetings: the calendar, the hourly schedule (a birthday on each channel, a holiday), a run by hand.
    emailed = lam.ok("POST", "/customers", _customer(6, birth_date="1985-06-17", consents={"email": ["greetings"]}))
    called = lam.ok("POST", "/customers", _customer(8, birth_date="1970-06-17", consents={}))  # a call, not a message
    lam.ok("PUT", "/holidays/2025-06-17", {"name": "Hari Tur", "greet": True, "day_off": False})
    lam.ok("PUT", "/holidays/2025-06-18", {"name": "Hari Tur Kedua", "greet": True})
    lam.ok("GET", "/holidays?year=2025")
    lam.ok("DELETE", "/holidays/2025-06-18")
    lam.fire("greet_hourly")
    lam.drain("fan_out_audience")
    lam.ok("POST", "/greetings/runs", {"date": "2025-06-17"})  # a second run of the day sends nothing new
    lam.ok("GET", "/greetings/runs/2025-06-17")
    lam.fire("greet_hourly")  # after the run by hand: finds every greeting already written
    calls = lam.ok("GET", "/telegreeting?date=2025-06-17")["items"]
    lam.ok("POST", f"/telegreeting/{calls[0]['id']}", {"outcome": "no_answer"})
    # A callback on another day puts a marker on that day's list; the list reads it back from there.
    lam.ok(
        "POST",
        f"/telegreeting/{calls[0]['id']}",
        {"outcome": "callback", "callback_at": "2025-06-18T10:00:00+07:00"},
    )
    lam.ok("GET", "/telegreeting?day=2025-06-18&status=callback&kind=telegreeting")
    lam.ok("POST", f"/telegreeting/{calls[0]['id']}", {"outcome": "reached"})
    lam.drain("send_outbound")
    # What became of the greetings, counted on the date's run: an e-mail delivered (SES).
    lam.ok("GET", "/greetings/runs?year=2025")
    greeting_email = next(
        m for m in lam.ok("GET", f"/customers/{emailed['id']}/messages")["items"] if m["channel"] == "email"
    )
    events_url = sqs.get_queue_url(QueueName=resources.queue_name(STAGE, "email-events"))["QueueUrl"]
    sqs.send_message(QueueUrl=events_url, MessageBody=_ses_event("Delivery", greeting_email["id"]))
    lam.drain("record_email_event")
    greeting_whatsapp = next(
        m
        for m in lam.ok("GET", f"/customers/{alice['id']}/messages")["items"]
        if m["channel"] == "whatsapp" and m.get("occasion") == "birthday" and m.get("provider_id")
    )

    # Journeys: the defaults, two on birthdays (an offer, a call, a later offer; a call at once), the daily date
    # triggers that enrol and take each first step, and the due steps every quarter hour.
    lam.ok("POST", "/journeys/defaults")
    # A contract approved now: its event goes through the fan-out queue and enrols carol in the welcome journey.
    lam.ok("PUT", "/contracts/TOUR-K4", {**contract, "customer_external_id": "TOUR-3", "due_day": 25})
    lam.drain("fan_out_audience")
    # Paid off: the payoff journey starts, and the enrolments the payoff ends are found by the customer's index.
    paid_off = {**contract, "customer_external_id": "TOUR-3", "due_day": 25, "status": "paid_off"}
    lam.ok("PUT", "/contracts/TOUR-K4", paid_off)
    lam.drain("fan_out_audience")
    offer = {
        "kind": "message",
        "channels": ["email"],
        "purpose": "promotion",
        "inline": {"email": {"id": {"subject": "Promo ulang tahun", "body": "Halo. Berhenti: {{ unsubscribe_url }}"}}},
    }
    birthday = {
        "id": "tour-birthday",
        "name": "Ulang tahun",
        "trigger": {"kind": "attribute_date", "field": "birth_date"},
        "steps": [
            {"id": "offer", "action": offer},
            {"id": "call", "action": {"kind": "call_task", "note": "Ucapkan selamat"}},
            {"id": "later", "delay": {"hours": 1}, "action": offer},
        ],
    }
    lam.ok("POST", "/journeys", birthday)
    lam.ok(
        "POST",
        "/journeys",
        {**birthday, "id": "tour-birthday-call", "steps": [{"id": "call", "action": birthday["steps"][1]["action"]}]},
    )
    lam.ok("GET", "/journeys")
    edit = {k: v for k, v in lam.ok("GET", "/journeys/tour-birthday").items() if k in ("name", "trigger", "steps")}
    lam.ok("PUT", "/journeys/tour-birthday", edit)
    lam.ok("POST", "/journeys/tour-birthday/pause")
    lam.ok("POST", "/journeys/tour-birthday/resume")
    lam.fire("journey_dates")
    lam.fire("advance_journeys")  # the calls
    # A later step retried after a crash finds its message logged: it is read back and queued once more.
    retried = message_id(alice["id"], "journey:tour-birthday:later", "birth_date@2025", "email")
    tour.aws.table(resources.table_name(STAGE, "messages")).put_item(
        Item={"id": retried, "customer_id": alice["id"], "status": "queued", "created_at": lam.clock().isoformat()}
    )
    lam.fire("advance_journeys")
    lam.ok("GET", "/journeys/tour-birthday/metrics")
    lam.ok("GET", f"/customers/{alice['id']}/journeys")

    # A campaign: audience, preview, test, send, fan-out, the sender (WhatsApp and SES), pause and resume.
    campaign = lam.ok(
        "POST",
        "/campaigns",
        {
            "name": "Promo Tur",
            "channel": "email",
            "template": {"subject": "Promo", "body": "Halo {{ customer.first_name }} {{ unsubscribe_url }}"},
            "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
        },
    )
    lam.ok("GET", "/campaigns?limit=5")
    lam.ok("GET", f"/campaigns/{campaign['id']}/audience")
    lam.ok("POST", f"/campaigns/{campaign['id']}/preview", {"customer_id": bob["id"]})
    lam.ok("POST", f"/campaigns/{campaign['id']}/test", {"customer_ids": [tester["id"]]})
    lam.ok("POST", f"/campaigns/{campaign['id']}/test")  # every marked test recipient
    lam.ok("POST", f"/campaigns/{campaign['id']}/send")
    lam.drain("fan_out_audience")
    lam.drain("send_outbound")
    lam.ok("GET", f"/campaigns/{campaign['id']}")
    lam.ok("GET", f"/customers/{bob['id']}/messages")

    # SES events for the campaign's e-mail: delivered, then a complaint (consent withdrawn, address suppressed).
    messages = lam.ok("GET", f"/customers/{bob['id']}/messages")["items"]
    email = next(m for m in messages if m["channel"] == "email")
    events_url = sqs.get_queue_url(QueueName=resources.queue_name(STAGE, "email-events"))["QueueUrl"]
    sqs.send_message(QueueUrl=events_url, MessageBody=_ses_event("Delivery", email["id"]))
    sqs.send_message(
        QueueUrl=events_url,
        MessageBody=_ses_event("Complaint", email["id"], complaint={"complaintFeedbackType": "abuse"}),
    )
    lam.drain("record_email_event")

    whatsapp_campaign = lam.ok(
        "POST",
        "/campaigns",
        {
            "name": "Promo WA Tur",
            "channel": "whatsapp",
            "template": {
                "body": "Halo {{ customer.first_name }}",
                "whatsapp_template": {"name": "promo", "language": "id"},
            },
            "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
        },
    )
    lam.ok("PATCH", f"/campaigns/{whatsapp_campaign['id']}", {"name": "Promo WA Tur 2"})
    # Graph fails once for Alice (retried on the message's visibility), for good for Carol (auto-pause), and
    # holds the tester's for 24 hours (a retryable failure that retry-failed sends again).
    whatsapp.state.add_fault(Fault.from_json({"code": "5xx", "count": 1, "to": alice["phone"]}))
    whatsapp.state.add_fault(Fault.from_json({"code": 131026, "count": 1, "to": carol["phone"]}))
    whatsapp.state.add_fault(Fault.from_json({"code": 131049, "count": 1, "to": tester["phone"]}))
    lam.ok("POST", f"/campaigns/{whatsapp_campaign['id']}/send")
    lam.ok("POST", f"/campaigns/{whatsapp_campaign['id']}/pause")
    lam.drain("fan_out_audience")
    lam.drain("send_outbound")
    lam.ok("POST", f"/campaigns/{whatsapp_campaign['id']}/resume")
    lam.drain("fan_out_audience")
    lam.drain("send_outbound")  # Carol's permanent failure auto-pauses the campaign
    assert lam.ok("GET", f"/campaigns/{whatsapp_campaign['id']}")["status"] == "paused"
    lam.ok("POST", f"/campaigns/{whatsapp_campaign['id']}/resume")
    lam.ok("POST", f"/campaigns/{whatsapp_campaign['id']}/retry-failed")
    lam.drain("fan_out_audience")
    lam.drain("send_outbound")

    # A scheduled campaign that the schedule starts, and one cancelled before it starts.
    scheduled = lam.ok(
        "POST",
        "/campaigns",
        {
            "name": "Promo Terjadwal",
            "channel": "email",
            "template": {"subject": "Promo", "body": "Halo {{ unsubscribe_url }}"},
            "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
            "send_at": "2025-06-17T03:30:00Z",
        },
    )
    cancelled = lam.ok(
        "POST",
        "/campaigns",
        {
            "name": "Promo Batal",
            "channel": "email",
            "template": {"subject": "Promo", "body": "Halo {{ unsubscribe_url }}"},
            "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
            "send_at": "2025-06-18T03:30:00Z",
        },
    )
    lam.ok("POST", f"/campaigns/{cancelled['id']}/cancel")
    # A template that fails for the customers it meets: the fan-out pauses the campaign (audited as Sapa).
    lam.ok("POST", "/customers", _customer(9, city="Medan", province="Sumatera Utara"))
    broken = lam.ok(
        "POST",
        "/campaigns",
        {
            "name": "Promo Rusak",
            "channel": "email",
            "template": {
                "subject": "Sisa",
                "body": "Sisa {{ customer.attributes.sisa_angsuran }} {{ unsubscribe_url }}",
            },
            "segment": {"field": "city", "op": "eq", "value": "Medan"},
        },
    )
    lam.ok("POST", f"/campaigns/{broken['id']}/send")
    lam.drain("fan_out_audience")
    shown = lam.ok("GET", f"/campaigns/{broken['id']}")
    assert shown["status"] == "paused"
    lam.clock.set(datetime(2025, 6, 17, 3, 31, tzinfo=UTC))
    lam.fire("start_scheduled_campaigns")
    lam.drain("fan_out_audience")
    lam.drain("send_outbound")
    lam.fire("start_scheduled_campaigns")  # the sweep completes what has settled
    assert lam.ok("GET", f"/campaigns/{scheduled['id']}")["status"] != "scheduled"

    # The outbound halt and the contact policy; messages parked in the evening, released in the morning.
    lam.ok("POST", "/outbound/halt", {"reason": "tur: template salah"})
    lam.ok("GET", "/outbound/status")
    lam.fire("release_waiting_messages")
    lam.ok("POST", "/outbound/resume")
    policy = lam.ok("GET", "/settings/contact-policy")
    purposes = {name: {k: v for k, v in w.items() if k != "regulation"} for name, w in policy["purposes"].items()}
    lam.ok("PUT", "/settings/contact-policy", {"purposes": purposes, "version": policy["version"]})
    lam.clock.set(datetime(2025, 6, 17, 12, 0, tzinfo=UTC))  # 19:00 WIB: promotions wait for the morning
    lam.ok("POST", "/customers", _customer(7, city="Bandung", province="Jawa Barat"))
    evening = lam.ok(
        "POST",
        "/campaigns",
        {
            "name": "Promo Malam",
            "channel": "email",
            "template": {"subject": "Promo", "body": "Halo {{ unsubscribe_url }}"},
            "segment": {"field": "city", "op": "eq", "value": "Bandung"},
        },
    )
    lam.ok("POST", f"/campaigns/{evening['id']}/send")
    lam.drain("fan_out_audience")
    # A greeting run after the greeting hours (20:30 WIB): the greeting waits for the morning, parked.
    lam.clock.set(datetime(2025, 6, 17, 13, 30, tzinfo=UTC))
    lam.ok("POST", "/customers", _customer(10, birth_date="1991-06-17"))
    lam.ok("POST", "/greetings/runs", {"date": "2025-06-17"})
    lam.drain("fan_out_audience")
    lam.clock.set(datetime(2025, 6, 18, 1, 1, tzinfo=UTC))  # 08:01 WIB
    lam.fire("release_waiting_messages")
    lam.drain("send_outbound")

    # Social CRM: the handshake, deliveries (one large enough for S3), STOP and MULAI, a status, the inbox.
    challenge = lam.api(
        "GET", f"/webhooks/meta?hub.mode=subscribe&hub.verify_token={SECRETS['META_VERIFY_TOKEN']}&hub.challenge=42"
    )
    assert challenge[0] == 200
    phone = alice["phone"].lstrip("+")
    lam.webhook(wa_text("Bagaimana cara klaim asuransi mobil saya? " * 60, phone=phone))
    lam.webhook(wa_text("Saya mau kredit mobil baru, tolong hubungi saya", phone=phone))
    lam.webhook(wa_text("STOP", phone=phone))
    lam.webhook(wa_text("MULAI", phone=phone))
    lam.webhook(dm("instagram", "Halo min, cicilan saya berapa ya?"))
    # A complaint needs a person: routing gives it to the agent on duty (and audits it).
    SessionStore(access_table).open("sari", "agent", lam.clock())
    lam.webhook(wa_text("Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!", phone="6281299990000"))
    sent = next(
        m
        for m in lam.ok("GET", f"/customers/{alice['id']}/messages")["items"]
        if m["channel"] == "whatsapp" and m.get("campaign_id") and m.get("provider_id")
    )
    lam.webhook(wa_status(sent["provider_id"], "delivered"))
    lam.webhook(wa_status(greeting_whatsapp["provider_id"], "read"))  # counted on the greeting date's run
    lam.drain("analyse_inbound")
    lam.drain("send_outbound")
    conversations = lam.ok("GET", "/scrm/conversations")["items"]
    lam.ok("GET", "/scrm/conversations?status=open&channel=whatsapp")
    whatsapp_conversation = next(c for c in conversations if c["channel"] == "whatsapp")
    instagram_conversation = next(c for c in conversations if c["channel"] == "instagram")
    lam.ok("GET", f"/scrm/conversations/{whatsapp_conversation['id']}")
    lam.ok("POST", f"/scrm/conversations/{whatsapp_conversation['id']}/reply", {"text": "Kami bantu cek ya"})
    lam.ok("POST", f"/scrm/conversations/{whatsapp_conversation['id']}/assign", {"agent": "sari"})
    resolved = lam.ok("POST", f"/scrm/conversations/{whatsapp_conversation['id']}/resolve")
    assert resolved["csat_asked_at"], resolved  # the satisfaction question went out with the resolve
    # The customer answers it: stored on the conversation (and the day's counters), not a new message.
    answering = phone if whatsapp_conversation.get("customer_id") == alice["id"] else "6281299990000"
    lam.webhook(wa_list_reply("csat:5", "5 – Sangat puas", phone=answering))
    lam.drain("analyse_inbound")
    assert lam.ok("GET", f"/scrm/conversations/{whatsapp_conversation['id']}")["csat"] == 5
    lam.ok("POST", f"/scrm/conversations/{whatsapp_conversation['id']}/reopen")
    lam.ok("POST", f"/scrm/conversations/{whatsapp_conversation['id']}/lead")
    lam.ok("GET", "/scrm/inbox/summary")
    lam.ok("GET", "/scrm/templates")
    lam.ok("POST", f"/scrm/conversations/{instagram_conversation['id']}/link", {"customer_id": carol["id"]})
    reply = lam.ok("POST", "/scrm/replies", {"title": "Cek bayar", "text": "Mohon kirim bukti bayar ya."})
    lam.ok("GET", "/scrm/replies")
    lam.ok("DELETE", f"/scrm/replies/{reply['id']}")
    lam.ok("GET", "/leads")
    lam.ok("GET", "/scrm/metrics?from=2025-06-17&to=2025-06-18")
    lam.ok("GET", "/scrm/metrics?granularity=month&from=2024-07-01&to=2025-06-18")  # the monthly rollups
    lam.drain("send_outbound")

    # The unsubscribe link and the consent page, then erasure (which also erases the linked conversation).
    # A campaign e-mail's link names its message: the withdrawal is credited to that campaign.
    token = make_token(SECRETS["SAPA_SIGNING_SECRET"], UnsubscribeGrant(bob["id"], "email", "promotions", email["id"]))
    assert lam.api("GET", f"/unsubscribe/{token}")[0] == 200
    assert lam.api("POST", f"/unsubscribe/{token}", "", {"Content-Type": "text/plain"})[0] == 200
    assert lam.api("POST", f"/unsubscribe/{token}/resubscribe", "", {"Content-Type": "text/plain"})[0] == 200
    lam.ok("DELETE", f"/customers/{carol['id']}")
    lam.ok("DELETE", f"/customers/{called['id']}")  # erasure takes their call task off the list too
    lam.ok("GET", "/audit")

    # The console: a wrong password (counted), a first sign-in with its new password, a page, sign-out.
    email = "rina@bank-contoh.co.id"
    access = tour.aws.table(resources.table_name(STAGE, "access"))
    temporary = (
        StaffDirectory(
            StaffStore(access),
            lambda: CognitoStaff(tour.aws.client("cognito-idp"), *_pool_ids()),
            SessionStore(access),
            lam.clock,
        )
        .add_user("rina", email, "agent")
        .secret
    )
    assert temporary
    token = lam.csrf("/console/login")
    assert lam.page("POST", "/console/login", {"csrf": token, "email": email, "password": "salah"}).status_code == 401
    assert lam.page("POST", "/console/login", {"csrf": token, "email": email, "password": temporary}).status_code == 303
    new = "Baru-Sekali-Tur-2026!"
    answer = lam.page("POST", "/console/password", {"csrf": token, "password": new, "confirm": new})
    assert answer.status_code == 303, answer.body
    assert lam.page("GET", "/console").status_code == 200
    assert lam.page("POST", "/console/logout", {"csrf": lam.csrf("/console")}).status_code == 303

    # A marketer on the console: a campaign's page reads its recipients from the message log's campaign index.
    marketer = "maya@bank-contoh.co.id"
    first = (
        StaffDirectory(
            StaffStore(access),
            lambda: CognitoStaff(tour.aws.client("cognito-idp"), *_pool_ids()),
            SessionStore(access),
            lam.clock,
        )
        .add_user("maya", marketer, "marketer")
        .secret
    )
    assert first
    token = lam.csrf("/console/login")
    assert lam.page("POST", "/console/login", {"csrf": token, "email": marketer, "password": first}).status_code == 303
    answer = lam.page("POST", "/console/password", {"csrf": token, "password": new, "confirm": new})
    assert answer.status_code == 303, answer.body
    shown = lam.page("GET", f"/console/campaigns/{whatsapp_campaign['id']}")
    assert shown.status_code == 200, shown.body
    assert 'data-testid="recipient-row"' in shown.body.decode()
    _web_chat(tour, "rina@bank-contoh.co.id", new)


def _web_chat(tour: Tour, agent_email: str, agent_password: str) -> None:
    """The website chat: sockets opened and closed, the form, questions, a portal customer's transcript, two
    deletions, an agent typing and replying from the console, a reply to a socket that is gone, an erasure."""
    import os

    from chalicelib.webchat.identity import Signatures

    lam = tour.lambdas
    with management_api() as sockets:
        os.environ["SAPA_WEBCHAT_PUSH_URL"] = sockets.url  # the template's https:// URL of the WebSocket API

        def connect(connection_id: str) -> None:
            answer = lam.ws(
                "$connect", connection_id, headers={"Origin": WEBSITE}, queryStringParameters={"site": "www"}
            )
            assert answer["statusCode"] == 200, answer
            sockets.open.add(connection_id)

        def send(connection_id: str, frame: dict[str, Any]) -> dict[str, Any]:
            lam.ws("$default", connection_id, body=json.dumps(frame))
            return sockets.frames(connection_id)[-1]

        def ask(connection_id: str, text: str) -> None:
            assert send(connection_id, {"type": "message", "id": str(uuid.uuid4()), "text": text})["type"] == "ack"
            lam.drain("analyse_inbound")
            lam.drain("send_outbound")

        # A visitor with a complaint; the agent types and replies from the console; the tab closes unannounced.
        connect("visitor1=")
        assert send("visitor1=", {"type": "hello", "visitor": None})["type"] == "welcome"
        assert send("visitor1=", {"type": "prechat", "name": "Tamu", "contact": "tamu@contoh.co.id"})["type"] == (
            "prechat_ok"
        )
        ask("visitor1=", "Saya kecewa sekali, tagihan saya salah terus!")
        conversation = lam.ok("GET", "/scrm/conversations?channel=web")["items"][0]["id"]
        lam.cookies.clear()  # another browser: the agent's
        token = lam.csrf("/console/login")
        signed_in = lam.page(
            "POST", "/console/login", {"csrf": token, "email": agent_email, "password": agent_password}
        )
        assert signed_in.status_code == 303
        token = lam.csrf(f"/console/inbox/{conversation}")
        assert lam.page("POST", f"/console/inbox/{conversation}/typing", {"csrf": token}).status_code == 204
        replied = lam.page("POST", f"/console/inbox/{conversation}/reply", {"csrf": token, "text": "Baik, saya cek."})
        assert replied.status_code == 303
        lam.drain("send_outbound")
        assert sockets.frames("visitor1=", "typing")
        sockets.open.discard("visitor1=")  # gone without a goodbye: the next reply forgets the socket
        lam.ok("POST", f"/scrm/conversations/{conversation}/reply", {"text": "Masih di sana?"})
        lam.drain("send_outbound")

        # A portal customer, signed in: a question, the transcript by e-mail, the chat deleted; then erased.
        dewi = lam.ok("POST", "/customers", _customer(40))
        identity = Signatures(SECRETS["SAPA_WEBCHAT_SECRET"]).identity_hash("www", "TOUR-40")
        connect("portal1=")
        welcome = send("portal1=", {"type": "hello", "identity": {"id": "TOUR-40", "hash": identity}})
        assert welcome["identified"] is True, welcome
        ask("portal1=", "Kapan jatuh tempo angsuran saya?")
        assert send("portal1=", {"type": "transcript"})["type"] == "transcript_sent"
        assert send("portal1=", {"type": "transcript"})["type"] == "transcript_sent"  # one e-mail still
        lam.drain("send_outbound")
        assert send("portal1=", {"type": "delete"})["type"] == "deleted"
        connect("portal2=")
        send("portal2=", {"type": "hello", "identity": {"id": "TOUR-40", "hash": identity}})
        lam.ok("DELETE", f"/customers/{dewi['id']}")  # erasure reaches the chat's visitor record

        # An anonymous visitor deletes everything they wrote; sockets close.
        connect("visitor2=")
        send("visitor2=", {"type": "hello", "visitor": None})
        send("visitor2=", {"type": "prechat", "name": "Tamu Dua", "contact": "081200000099"})
        ask("visitor2=", "Halo, mau tanya BPKB")
        assert send("visitor2=", {"type": "delete"})["type"] == "deleted"
        for connection_id in ("portal2=", "visitor2="):
            lam.ws("$disconnect", connection_id)


def _pool_ids() -> tuple[str, str]:
    import os

    return os.environ["SAPA_COGNITO_USER_POOL_ID"], os.environ["SAPA_COGNITO_CLIENT_ID"]


_TOURED: dict[str, Any] = {}


@pytest.fixture
def toured(request: pytest.FixtureRequest) -> dict[str, set[Call]]:
    """The calls of one tour, shared by the tests below (the tour takes a while; it is run once)."""
    if "failed" in _TOURED:
        pytest.fail(f"the tour failed in an earlier test: {_TOURED['failed']}")
    if "calls" not in _TOURED:
        tour: Tour = request.getfixturevalue("deployed")
        try:
            run_the_tour(tour)
        except Exception as error:
            _TOURED["failed"] = repr(error)[:500]
            raise
        _TOURED["calls"] = tour.recorder.by_function()
    calls: dict[str, set[Call]] = _TOURED["calls"]
    return calls


def test_every_function_ran_in_the_tour(toured: dict[str, set[Call]]) -> None:
    assert set(toured) == set(permissions.FUNCTIONS)


def test_every_call_a_function_made_is_allowed_by_its_generated_role(toured: dict[str, set[Call]]) -> None:
    calls = [call for made in toured.values() for call in made]

    refused = refused_calls(calls, STAGE, environ=ENVIRONMENT)

    assert refused == [], "IAM would refuse:\n" + "\n".join(refused)


def test_every_declared_use_was_needed(toured: dict[str, set[Call]]) -> None:
    unused = [
        f"{function}: {description}"
        for function, need in permissions.FUNCTIONS.items()
        for description, wanted in _declared(function, need)
        if not any(wanted(call) for call in toured.get(function, ()))
    ]

    assert unused == [], "declared but never used:\n" + "\n".join(unused)


def test_the_authorizer_reads_one_token_item_per_request_and_nothing_else(toured: dict[str, set[Call]]) -> None:
    access = table_arn(resources.table_name(STAGE, "access"))

    assert {(c.action, c.resource) for c in toured["staff_auth"]} == {("dynamodb:GetItem", access)}
    assert all(key.startswith("token#") for c in toured["staff_auth"] for key in c.leading_keys or ())


def test_only_the_sender_called_ses_and_only_from_the_stage_sender(toured: dict[str, set[Call]]) -> None:
    callers = {c.function for made in toured.values() for c in made if c.action.startswith("ses:")}
    identities = {c.resource.rsplit("/", 1)[1] for c in toured["send_outbound"] if ":identity/" in c.resource}

    assert callers == {"send_outbound"}
    assert identities == {SENDER, SENDER.rsplit("@", 1)[1]}


def test_only_the_api_erasure_deleted_a_customer_item(toured: dict[str, set[Call]]) -> None:
    customers = table_arn(resources.table_name(STAGE, "customers"))
    deleters = {
        c.function
        for made in toured.values()
        for c in made
        if c.resource == customers and c.action in ("dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
    }

    assert deleters == {"api_handler"}


# -- what a declared use looks like when it is made -------------------------------------------------------


def _declared(function: str, need: permissions.Needs) -> Iterator[tuple[str, Callable[[Call], bool]]]:
    for access in need.tables:
        table = resources.table_name(STAGE, access.table)
        for use in sorted(access.use_set):
            if use.startswith("query:"):
                index = use.split(":", 1)[1]
                yield f"{access.table} {use}", _made("dynamodb:Query", table_arn(table, index))
            else:
                (action,) = TABLE_ACTIONS[use]
                yield f"{access.table} {use}", _made(action, table_arn(table), access.partitions)
    for queue, uses in need.queues.items():
        arn = f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{resources.queue_name(STAGE, queue)}"
        for use in uses.split():
            for action in QUEUE_ACTIONS[use]:
                yield f"{queue} {use} ({action})", _made(action, arn)
    for use in need.payloads.split():
        yield f"payloads {use}", lambda c, use=use: c.action == f"s3:{use.title()}Object"
    if need.email:
        yield "email", lambda c: c.action == "ses:SendEmail"
    for name in need.secrets:
        parameter = f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter/sapa/{STAGE}/{name}"
        yield f"secret {name}", _made("ssm:GetParameter", parameter)
    if need.sockets:
        yield "sockets", lambda c: c.action == "execute-api:ManageConnections"
    for action in need.staff_pool.split():
        yield f"staff pool {action}", lambda c, action=action: c.action == f"cognito-idp:{action}"


def _made(action: str, resource: str, partitions: tuple[str, ...] = ()) -> Callable[[Call], bool]:
    from fnmatch import fnmatchcase

    def made(call: Call) -> bool:
        if call.action != action or call.resource != resource:
            return False
        return not partitions or all(any(fnmatchcase(k, p) for p in partitions) for k in call.leading_keys or ())

    return made
