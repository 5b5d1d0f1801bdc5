"""One container per function builds every collaborator, lazily, from its own session and clock."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib.core.aws import AwsClients
from chalicelib.core.runtime import system_clock
from chalicelib.wiring.container import Container

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_app_builds_no_context_and_imports_no_domain_machinery() -> None:
    probe = (
        "import sys, app; print(sorted(m for m in sys.modules if m.startswith(("
        "'chalicelib.wiring.', 'chalicelib.campaigns.fanout', 'chalicelib.scrm.worker', 'chalicelib.greetings.run'))))"
    )

    started = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SAPA_STAGE": "local", "AWS_DEFAULT_REGION": "ap-southeast-3"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert started.stdout.strip() == "['chalicelib.wiring.container']"


def test_each_context_is_built_once_per_container_and_knows_its_root() -> None:
    container = Container(AwsClients())

    assert container.campaigns is container.campaigns
    assert container.outbound.root is container
    assert Container(AwsClients()).campaigns is not container.campaigns


def test_the_collaborators_get_the_containers_clock() -> None:
    instant = datetime(2027, 8, 17, 3, 0, tzinfo=UTC)
    container = Container(AwsClients(), clock=lambda: instant)

    assert container.customers.utc_now() == instant
    assert container.campaigns.scheduler().clock() == instant


def test_the_campaign_and_greeting_counters_hear_every_delivery_outcome_and_status() -> None:
    container = Container(AwsClients())
    heard: list[Any] = []
    container.outbound.extra_observers.append(lambda envelope, outcome: heard.append(outcome))

    observers = container.outbound.observers()

    assert [getattr(o, "__qualname__", "") for o in observers[:2]] == [
        "CounterObservers.on_outcome",
        "GreetingCounters.on_outcome",
    ]
    assert len(observers) == 3
    assert [o.__qualname__ for o in container.outbound.status_observers()] == [
        "CounterObservers.on_status",
        "GreetingCounters.on_status",
    ]


def test_the_fan_out_queue_routes_each_job_kind_to_its_context() -> None:
    assert set(Container(AwsClients()).fanout_jobs()) == {
        "campaign",
        "campaign_retry",
        "holiday",
        "customer_import",
        "journey_event",
    }


def test_a_queue_url_is_looked_up_once_per_container(aws: AwsClients) -> None:
    clients = AwsClients()  # under the test's moto; its hook is in place before its first client
    calls: list[str] = []
    clients.session.events.register("before-call.sqs.GetQueueUrl", lambda **_: calls.append("GetQueueUrl"))
    container = Container(clients)

    first, second = container.queue_url("outbound"), container.queue_url("outbound")

    assert first == second
    assert first.endswith("sapa-local-outbound")
    assert calls == ["GetQueueUrl"]


def test_a_process_container_runs_on_the_local_stacks_shifted_clock(monkeypatch: Any) -> None:
    monkeypatch.setenv("SAPA_STAGE", "local")
    monkeypatch.setenv("SAPA_CLOCK_OFFSET_SECONDS", str(3 * 86400))

    ahead = Container.for_process().now() - datetime.now(UTC)

    assert 3 * 86400 - 5 < ahead.total_seconds() <= 3 * 86400


def test_a_process_container_without_a_shift_runs_on_the_system_clock(monkeypatch: Any) -> None:
    monkeypatch.setenv("SAPA_STAGE", "local")
    monkeypatch.delenv("SAPA_CLOCK_OFFSET_SECONDS", raising=False)

    assert Container.for_process().clock is system_clock
