"""Signing in, in Chromium: the forms work under the strict CSP, and another site cannot act for a signed-in agent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.console.browser.conftest import Stack, Tab


def test_a_demo_agent_signs_in_and_sees_the_console_in_indonesian(tab: Tab) -> None:
    tab.sign_in("sari")

    assert tab.page.locator("html").get_attribute("lang") == "id"
    assert "Masuk sebagai sari (agent)" in tab.page.inner_text("header")
    assert tab.csp_refusals == []


def test_a_wrong_password_says_so_without_saying_which(tab: Tab) -> None:
    tab.open("/console/login")
    tab.page.fill("input[name=email]", "sari@sapa.example")
    tab.page.fill("input[name=password]", "bukan-kata-sandinya")
    tab.page.click("main button[type=submit]")

    assert "Email atau kata sandi salah." in tab.page.inner_text("main")
    assert tab.page.url.endswith("/console/login")


def test_switching_to_english_and_to_wita_sticks(tab: Tab) -> None:
    tab.sign_in("sari")

    tab.page.select_option("select[name=lang]", "en")
    tab.page.wait_for_selector("text=Signed in as sari")
    tab.page.select_option("select[name=zone]", "WITA")
    tab.page.wait_for_selector("text=Times are shown in WITA.")
    tab.open("/console")

    assert "Signed in as sari (agent)" in tab.page.inner_text("header")
    assert tab.csp_refusals == []


def test_signing_out_ends_the_session(tab: Tab) -> None:
    tab.sign_in("sari")

    tab.page.click("form.signout button")
    tab.page.wait_for_url("**/console/login**")
    tab.open("/console")

    assert "/console/login" in tab.page.url


class EvilSite(BaseHTTPRequestHandler):
    """Another site's page: a form that posts to the console when opened (its own inline script; no CSP there)."""

    target = ""

    def do_GET(self) -> None:
        page = (
            f'<form id="f" method="post" action="{self.target}/console/logout">'
            '<input name="csrf" value="guessed"></form><script>document.getElementById("f").submit()</script>'
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def evil_site(stack: Stack) -> Iterator[str]:
    EvilSite.target = stack.api
    server = ThreadingHTTPServer(("127.0.0.1", 0), EvilSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()


def test_a_form_on_another_site_cannot_sign_the_agent_out(tab: Tab, evil_site: str) -> None:
    tab.sign_in("sari")

    tab.page.goto(evil_site)
    tab.page.wait_for_load_state("networkidle")
    tab.open("/console")

    assert "Masuk sebagai sari" in tab.page.inner_text("header")
