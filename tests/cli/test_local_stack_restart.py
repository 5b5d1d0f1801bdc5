"""`make run` keeps its data: a stop by SIGTERM or SIGINT frees every port and saves; `--fresh` starts empty."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.cli.stack_process import ADMIN, http, port_open, running_stack, stack_environment, stack_ports, stop_stack

# Its own module, so that it does not share the two cores with the other module's stack.
pytestmark = pytest.mark.slow


def test_data_outlives_sigterm_and_sigint_and_fresh_starts_empty(tmp_path: Path) -> None:
    env = stack_environment(tmp_path / "state")
    log = tmp_path / "stack.log"
    customer = {"external_id": "KEEP-1", "name": "Dewi Lestari", "phone": "081355556666"}
    campaign = {
        "name": "Promo Servis Juni",
        "channel": "whatsapp",
        "template": {
            "body": "Halo {{ customer.first_name }}!",
            "whatsapp_template": {"name": "promo", "language": "id"},
        },
        "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
    }

    with running_stack(env, log) as first:
        status, created = http("POST", f"{first['api']}/customers", customer, ADMIN)
        assert status == 201
        status, draft = http("POST", f"{first['api']}/campaigns", campaign, ADMIN)
        assert status == 201, draft
        assert stop_stack(first, signal.SIGTERM) == 0
    assert not any(port_open(port) for port in stack_ports(env)), "a child still holds its port after SIGTERM"
    assert not (tmp_path / "state" / "stack.json").exists()

    with running_stack(env, log) as second:
        status, again = http("GET", f"{second['api']}/customers/{created['id']}", None, ADMIN)
        assert (status, again["name"]) == (200, "Dewi Lestari")
        status, kept = http("GET", f"{second['api']}/campaigns/{draft['id']}", None, ADMIN)
        assert (status, kept["name"]) == (200, "Promo Servis Juni")
        assert stop_stack(second, signal.SIGINT) == 0
    assert not any(port_open(port) for port in stack_ports(env)), "a child still holds its port after SIGINT"

    with running_stack(env, log, "--fresh") as fresh:
        status, _ = http("GET", f"{fresh['api']}/customers/{created['id']}", None, ADMIN)
        assert status == 404
