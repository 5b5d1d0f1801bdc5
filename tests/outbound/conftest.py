"""A real sandbox per test: the adapter is tested over HTTP, exactly as it talks to Graph."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.outbound.whatsapp import WhatsAppClient
from sapa_cli.local.whatsapp_sandbox import DEFAULT_TOKEN, WhatsAppSandbox

API_VERSION = "v21.0"
PHONE_NUMBER_ID = "106540352242922"


@pytest.fixture
def whatsapp_sandbox() -> Iterator[WhatsAppSandbox]:
    with WhatsAppSandbox(DEFAULT_TOKEN) as sandbox:
        yield sandbox


@pytest.fixture
def whatsapp_client(whatsapp_sandbox: WhatsAppSandbox) -> WhatsAppClient:
    return WhatsAppClient(whatsapp_sandbox.base_url, API_VERSION, PHONE_NUMBER_ID, DEFAULT_TOKEN, timeout=2.0)
