from __future__ import annotations

from collections import Counter
from typing import Any

SCHEMATHESIS: Counter[str] = Counter()
"""Operations Schemathesis drove, requests it sent, operations that failed: printed at the end (and in the README)."""


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SCHEMATHESIS["operations"]:
        terminalreporter.write_line(
            f"schemathesis: {SCHEMATHESIS['operations']} operations, {SCHEMATHESIS['requests']} requests "
            f"({SCHEMATHESIS['2xx']} answered 2xx, {SCHEMATHESIS['4xx']} 4xx, {SCHEMATHESIS['5xx']} 5xx), "
            f"{SCHEMATHESIS['failures']} operations failed a check"
        )
