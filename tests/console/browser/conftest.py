"""The console in a real browser: Debian's Chromium driven by Playwright, against `make run` in its own process.

The stack is the one a developer starts (moto server over HTTP, the API
server, the WhatsApp sandbox, the runner), seeded with demo customers and the
demo team (`sapa_cli/local/console_users.py`). One stack and one browser for
the whole session; each test gets a fresh browser context (its own cookies).

Set SAPA_SCREENSHOTS=docs/screenshots to refresh the README's pictures.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sapa_cli.local.clock import WIB, office_hours, offset_to
from tests.cli.stack_process import ROOT, http, running_stack, stack_environment

CHROMIUM = Path(os.environ.get("SAPA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # a closed network refuses Chromium's own calls home
    "--disable-component-update",
    "--disable-sync",
]
APP_SECRET = "local-meta-app-secret"  # the local stage's default (chalicelib/core/settings.py)
ADMIN_TOKEN = "stack-admin"
DEMO_PASSWORD = "Sapa-Demo-2026!"
SCREENSHOTS = os.environ.get("SAPA_SCREENSHOTS")


@dataclass
class Stack:
    api: str
    whatsapp: str
    log: Path
    offset: timedelta = timedelta(0)
    """How far the stack's clock runs ahead of this machine's (`sapa local --at`): office hours in WIB."""

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        """The stack's day in WIB: the day its call list, its greeting run and its reports count as today."""
        return self.now().astimezone(WIB).date()

    def webhook(self, payload: dict[str, Any]) -> None:
        """Meta posting to the webhook, signed with the app secret."""
        import urllib.request

        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            f"{self.api}/webhooks/meta",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return http(method, f"{self.api}{path}", body, {"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def sandbox_messages(self, to: str) -> list[dict[str, Any]]:
        """What the customer's phone (the WhatsApp sandbox) has received."""
        status, body = http("GET", f"{self.whatsapp}/_sandbox/messages?to={to}")
        assert status == 200, body
        return list(body["messages"])

    def eventually(self, check: Any, timeout: float = 30) -> Any:
        """What the runner has done by now: the stack's queues are polled, not drained on demand."""
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                pytest.fail(f"not done within {timeout} s; stack log:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.5)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = stack_environment(tmp_path_factory.mktemp("console-state"))
    env.update({"SAPA_SEED": "1", "SAPA_ADMIN_TOKEN": ADMIN_TOKEN, "SAPA_DEMO_ACTIVITY": "0"})  # tests make their own
    # Whatever the hour CI runs at, the stack lives in office hours, so offers go out and the funnel moves.
    now = datetime.now(UTC)
    offset = offset_to(office_hours(now), now)
    env["SAPA_CLOCK_OFFSET_SECONDS"] = str(offset)
    log = tmp_path_factory.mktemp("console-logs") / "stack.log"
    with running_stack(env, log, "--customers", "30") as running:
        yield Stack(running["api"], f"http://127.0.0.1:{env['SAPA_WHATSAPP_PORT']}", log, timedelta(seconds=offset))


@dataclass
class Tab:
    """One browser tab on the console, with what a security review watches: dialogs and CSP refusals."""

    page: Any
    base: str
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    confirms: list[str] = field(default_factory=list)

    def answer(self, dialog: Any) -> None:
        """A confirmation the console asks (data-confirm) is accepted; anything else is recorded: it ran script."""
        if dialog.type == "confirm":
            self.confirms.append(dialog.message)
            dialog.accept()
        else:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

    @property
    def csp_refusals(self) -> list[str]:
        return [line for line in self.console if "Content Security Policy" in line]

    def open(self, path: str) -> Any:
        return self.page.goto(f"{self.base}{path}")

    def sign_in(self, name: str, password: str = DEMO_PASSWORD) -> None:
        self.open("/console/login")
        self.page.fill("input[name=email]", f"{name}@sapa.example")
        self.page.fill("input[name=password]", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{self.base}/console**")

    def screenshot(self, name: str) -> None:
        """Into the README's folder when SAPA_SCREENSHOTS names it; always at a fixed size, light colours."""
        if SCREENSHOTS:
            target = ROOT / SCREENSHOTS
            target.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(target / f"{name}.png"), full_page=False)


@pytest.fixture
def tab(chrome: Any, stack: Stack) -> Iterator[Tab]:
    context = chrome.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    page = context.new_page()
    opened = Tab(page, stack.api)
    page.on("dialog", opened.answer)
    page.on("console", lambda message: opened.console.append(f"{message.type}: {message.text}"))
    yield opened
    context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/console/browser" in str(item.fspath):
            item.add_marker(pytest.mark.slow)
