"""The widget's script and its demo page as a browser receives them, on a small app holding only their blueprint."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.app import Chalice
from chalice.test import Client

from chalicelib.core.settings import Settings
from chalicelib.webchat import widget_routes

SOCKET = "wss://chat.example-finance.co.id"
SECRETS = {
    "SAPA_ADMIN_TOKEN": "a" * 32,
    "SAPA_SIGNING_SECRET": "s" * 32,
    "SAPA_HASH_SALT": "h" * 32,
    "META_APP_SECRET": "m" * 32,
    "META_VERIFY_TOKEN": "v" * 32,
    "WHATSAPP_ACCESS_TOKEN": "w" * 32,
}


@dataclass
class OnlySettings:
    """What the widget's routes ask of the container."""

    settings: Settings


def _client(stage: str) -> Iterator[Any]:
    settings = Settings.from_env({"SAPA_STAGE": stage, "SAPA_WEBCHAT_SOCKET_URL": SOCKET, **SECRETS})
    app = Chalice(app_name="widget-test", configure_logs=False)
    app.container = OnlySettings(settings)
    app.register_blueprint(widget_routes.bp)
    with Client(app, stage_name=stage) as client:
        yield client.http


@pytest.fixture
def local() -> Iterator[Any]:
    yield from _client("local")


@pytest.fixture
def prod() -> Iterator[Any]:
    yield from _client("prod")


def test_the_script_is_javascript_not_sniffed_and_cached_briefly(local: Any) -> None:
    answer = local.get("/widget.js")

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    max_age = int(re.search(r"max-age=(\d+)", answer.headers["Cache-Control"])[1])
    assert 0 < max_age <= 600


def test_the_script_is_served_on_every_stage(prod: Any) -> None:
    assert prod.get("/widget.js").status_code == 200


def test_the_script_carries_every_label_in_both_languages(local: Any) -> None:
    body = local.get("/widget.js").body.decode()
    [raw] = re.findall(r"const STRINGS = (\{.*?\});\n", body)
    strings = json.loads(raw)

    assert set(strings) == {"id", "en"}
    assert set(strings["id"]) == set(strings["en"])
    assert strings["id"]["launcher"] == strings["en"]["launcher"] == "Chat"
    assert strings["id"]["send"] == "Kirim"
    assert strings["en"]["send"] == "Send"
    assert strings["id"]["agent_joined"] == "{name} bergabung"
    assert strings["en"]["agent_joined"] == "{name} joined"
    assert strings["en"]["transcript"] == "E-mail me the transcript"
    assert strings["en"]["delete"] == "Delete this chat"
    assert strings == widget_routes.strings()
    assert "{{" not in body
    assert "{%" not in body


def test_the_script_never_parses_text_as_html_nor_loads_anything_from_elsewhere(local: Any) -> None:
    body = local.get("/widget.js").body.decode()

    for dangerous in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert dangerous not in body, dangerous
    assert not re.search(r"https?://[a-z]", body.split("*/", 1)[1]), "no third-party origin in the code"
    assert "adoptedStyleSheets" in body
    assert "style=" not in body
    assert ".style." not in body
    assert 'createElement("style")' not in body


def test_the_demo_page_runs_under_a_strict_policy_that_allows_the_socket(local: Any) -> None:
    answer = local.get("/widget/demo")
    policy = dict(part.strip().split(" ", 1) for part in answer.headers["Content-Security-Policy"].split(";"))

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert policy == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "connect-src": f"'self' {SOCKET}",
        "img-src": "'self' data:",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
    }


def test_the_demo_page_embeds_the_widget_with_no_inline_script_or_style(local: Any) -> None:
    html = local.get("/widget/demo").body.decode()

    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts == [(' src="/widget.js" data-site="demo" defer', "")]
    assert "<style" not in html.lower()
    assert " style=" not in html
    assert not re.search(r"\son\w+=", html), "no inline event handlers"
    assert "Sapa Finance" in html


def test_the_demo_page_exists_only_on_the_local_stage(prod: Any) -> None:
    answer = prod.get("/widget/demo")

    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "application/json"
    assert json.loads(answer.body)["error"] == "not_found"


def test_without_a_socket_setting_the_demo_connects_only_to_its_own_origin() -> None:
    assert "connect-src 'self';" in widget_routes.demo_csp("")


def test_every_label_the_script_asks_for_exists_in_both_languages(local: Any) -> None:
    body = local.get("/widget.js").body.decode()
    asked = set(re.findall(r'\b(?:t|notice|setStatus)\("(\w+)"', body)) | set(re.findall(r'key: "(\w+)"', body))

    assert {"launcher", "send", "reconnecting", "agent_joined", "typing", "too_long", "deleted"} <= asked
    for language in ("id", "en"):
        assert asked <= set(widget_routes.strings()[language]), language
