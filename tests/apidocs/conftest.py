from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sapa_cli.local.api_server import create_server

ROOT = Path(__file__).resolve().parents[2]

SCHEMATHESIS: Counter[str] = Counter()
"""Operations Schemathesis drove, requests it sent, operations that failed: printed at the end (and in the README)."""


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SCHEMATHESIS["operations"]:
        terminalreporter.write_line(
            f"schemathesis: {SCHEMATHESIS['operations']} operations, {SCHEMATHESIS['requests']} requests "
            f"({SCHEMATHESIS['2xx']} answered 2xx, {SCHEMATHESIS['4xx']} 4xx, {SCHEMATHESIS['5xx']} 5xx), "
            f"{SCHEMATHESIS['failures']} operations failed a check"
        )


@pytest.fixture
def base_url(app: Any) -> Iterator[str]:
    """The local API server (what `make run` serves) over moto, on a free port."""
    served_as = type(app)  # the server makes the app's requests per thread; other tests get it back as it was
    server = create_server(ROOT, "127.0.0.1", 0)
    host, port = server.server.server_address[:2]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server.server_close()
        app.__class__ = served_as
