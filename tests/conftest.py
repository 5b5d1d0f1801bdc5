"""Shared fixtures: environment first, then moto, then the app.

The environment is set at import time, before anything imports `app`
(Chalice's test client only sets the stage's variables during a call), and no
AWS client exists before moto starts: Sapa's clients are created lazily.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

for _name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "SAPA_STAGE": "local",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
        "AWS_REGION": "ap-southeast-3",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Sapa",
        "POWERTOOLS_SERVICE_NAME": "sapa",
        "META_APP_SECRET": "test-meta-app-secret",
        "META_VERIFY_TOKEN": "test-verify-token",
        "SAPA_ADMIN_TOKEN": "test-admin-token",
        "SAPA_SIGNING_SECRET": "test-signing-secret",
        "SAPA_HASH_SALT": "test-hash-salt",
    }
)

import json  # noqa: E402
from collections.abc import Callable  # noqa: E402

from moto import mock_aws  # noqa: E402

from chalicelib.core.aws import AwsClients  # noqa: E402
from chalicelib.core.settings import Settings  # noqa: E402
from tests import clocks  # noqa: E402
from tests.clocks import Clock, RunningClock  # noqa: E402

ADMIN = {"Authorization": "Bearer test-admin-token"}
WEEKDAY_MORNING = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)
"""Tuesday 10:00 WIB (11:00 WITA, 12:00 WIT): inside every purpose's contact hours in every zone."""


SLOW_FIXTURES = frozenset({"aws", "local_aws"})
"""The fixtures that start AWS under moto. A test that uses one, itself or through another (`app`, `client`,
`api`, `runner`, `staff_token`, ...), is marked `slow` below."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The two tiers: `make test` runs every test, `make test-fast` only those not marked `slow`.

    Slow is whatever needs AWS, the local stack or the packager: every test on the `aws` or `local_aws`
    fixture (marked here), and the few that start moto, the local stack or `chalice package` themselves
    (marked in their module). The fast tier is the pure unit tests: no AWS endpoint at all.
    """
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """What a test (or a command it runs in-process) sets in os.environ does not leak into the next one."""
    before = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(before)


@pytest.fixture(autouse=True)
def _weekday_morning() -> Iterator[None]:
    """Every test runs on a weekday morning in Indonesia unless it pins its own `clock`."""
    previous = clocks.use(RunningClock(WEEKDAY_MORNING))
    yield
    clocks.use(previous)


@pytest.fixture
def clock(_weekday_morning: None) -> Iterator[Clock]:
    """Pins Sapa's clock (contact hours, caps, schedules, leases) at 10:00 WIB on a Tuesday; `set` moves it."""
    pinned = Clock(WEEKDAY_MORNING)
    previous = clocks.use(pinned)
    yield pinned
    clocks.use(previous)


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture
def aws(settings: Settings) -> Iterator[AwsClients]:
    """A fresh moto account with every Sapa resource created by the real bootstrap.

    Every AWS call a handler makes meanwhile is recorded, and the test fails if
    the function's generated IAM role would refuse it (tests/iam.py).
    """
    import app as sapa_app
    from chalicelib.wiring.container import Container
    from sapa_cli.bootstrap import bootstrap
    from tests.aws_calls import CallRecorder
    from tests.iam import refused_calls

    recorder = CallRecorder(sapa_app.app)
    process_container = sapa_app.app.container
    with mock_aws():
        clients = AwsClients()
        recorder.attach(clients.session.events)
        os.environ.update(bootstrap(settings, clients).staff_pool)  # as the local stack does
        # The app's handlers get this test's container: moto's AWS and the test's clock (`clock` pins it).
        sapa_app.app.container = Container(clients, clock=clocks.now)
        yield clients
    sapa_app.app.container = process_container
    refused = refused_calls(recorder.calls, settings.stage)
    assert not refused, "IAM would refuse (declare it in chalicelib/core/permissions.py):\n" + "\n".join(refused)


@pytest.fixture
def app(aws: AwsClients) -> Any:
    """The Chalice app, wired to this test's container (see `aws`)."""
    import app as sapa_app

    return sapa_app.app


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    """Chalice's test client, on the gateway the local stack serves (unknown routes 404 as deployed)."""
    from chalice.test import Client, TestHTTPClient

    from sapa_cli.local.api_server import SapaLocalGateway

    with Client(app, stage_name="local") as test_client:
        http = test_client.http
        assert isinstance(http, TestHTTPClient)
        http._local_gateway = SapaLocalGateway(app, http._config)
        yield test_client


@pytest.fixture
def local_api_url(app: Any) -> Iterator[str]:
    """The local API server (what `make run` serves) over this test's moto, on a free port."""
    import threading
    from pathlib import Path

    from sapa_cli.local.api_server import create_server

    served_as = type(app)  # the server makes the app's requests per thread; other tests get it back as it was
    server = create_server(Path(__file__).resolve().parents[1], "127.0.0.1", 0)
    host, port = server.server.server_address[:2]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server.server_close()
        app.__class__ = served_as


@pytest.fixture(autouse=True)
def _fresh_metrics() -> Iterator[None]:
    """Powertools keeps the metric set globally; each test starts empty."""
    from chalicelib.core.observability import metrics

    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


@pytest.fixture
def whatsapp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The local Graph API sandbox, with Sapa's WhatsApp adapter pointed at it: the customer's phone."""
    from sapa_cli.local.whatsapp_sandbox import WhatsAppSandbox

    with WhatsAppSandbox("test-whatsapp-token") as sandbox:
        monkeypatch.setenv("WHATSAPP_GRAPH_URL", sandbox.base_url)
        monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "test-whatsapp-token")
        monkeypatch.setenv("META_PAGE_ACCESS_TOKEN", "test-whatsapp-token")
        monkeypatch.setenv("SAPA_RETRY_BASE_SECONDS", "0")
        yield sandbox


@pytest.fixture
def runner(app: Any, aws: AwsClients, settings: Settings) -> Any:
    """The local event runner over moto: drain(queue) delivers until the queue is empty."""
    from sapa_cli.local.runner import LocalRunner

    local = LocalRunner(app, settings, aws, wait_seconds=0, log=lambda _: None)

    def drain(consumer: str = "send_outbound", rounds: int = 50) -> int:
        source = next(s for s in local.sqs_sources if s.name == consumer)
        handled = 0
        for _ in range(rounds):
            count = local.poll_once(source, wait_seconds=0)
            if count == 0:
                return handled
            handled += count
        return handled

    local.drain = drain  # type: ignore[attr-defined]
    return local


@pytest.fixture
def staff_token(aws, settings) -> Callable[[str], dict[str, str]]:
    """Authorization headers for a new staff member with the given role."""
    from chalicelib.access.roles import Role
    from chalicelib.access.tokens import StaffStore

    store = StaffStore(aws.table(settings.table_name("access")))
    made: dict[str, dict[str, str]] = {}

    def headers(role: str) -> dict[str, str]:
        if role not in made:
            token = store.add(f"{role}-user", Role(role), clocks.now())
            made[role] = {"Authorization": f"Bearer {token}"}
        return made[role]

    return headers


@pytest.fixture
def roster_agent(aws, settings) -> Callable[[str], str]:
    """Puts an agent on the roster (a staff member with the agent role): roster_agent("sari")."""
    from chalicelib.access.roles import Role
    from chalicelib.access.tokens import StaffStore

    store = StaffStore(aws.table(settings.table_name("access")))

    def add(name: str) -> str:
        store.add(name, Role.AGENT, clocks.now())
        return name

    return add


@pytest.fixture
def api(client) -> Callable[..., tuple[int, Any]]:
    """Call the API and decode the JSON answer: api("POST", "/customers", body, headers)."""

    def call(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        payload = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        response = getattr(client.http, method.lower())(path, body=payload, headers=all_headers)
        text = response.body.decode() if response.body else ""
        try:
            return response.status_code, json.loads(text) if text else None
        except ValueError:
            return response.status_code, text

    return call


# -- the social inbox, as the API shows it ------------------------------------------------------------------
@pytest.fixture
def inbox(api) -> Callable[..., list[dict[str, Any]]]:
    def items(query: str = "") -> list[dict[str, Any]]:
        status, body = api("GET", f"/scrm/conversations{query}", headers=ADMIN)
        assert status == 200, body
        return body["items"]

    return items


@pytest.fixture
def conversation_detail(api) -> Callable[[str], dict[str, Any]]:
    def detail(conversation_id: str) -> dict[str, Any]:
        status, body = api("GET", f"/scrm/conversations/{conversation_id}", headers=ADMIN)
        assert status == 200, body
        return body

    return detail


# -- the browser: one Chromium (and one sync Playwright, which refuses a second) for every browser test ----------
@pytest.fixture(scope="session")
def chromium() -> Any:
    if not os.access(_chromium_path(), os.X_OK):
        pytest.fail(
            f"Chromium is missing at {_chromium_path()}: install it with `apt-get install -y chromium` (as root)"
        )
    return _chromium_path()


@pytest.fixture(scope="session")
def chrome(chromium: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.console.browser.conftest import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _chromium_path() -> Any:
    from tests.console.browser.conftest import CHROMIUM

    return CHROMIUM
