"""The composition root: one typed container per Lambda function builds every collaborator.

In the spirit of chalice's `CLIFactory`: one object holds the AWS session (through
`AwsClients`), the clock and the settings, and makes every collaborator from them,
lazily, on first use, so a cold start pays only for what its handler touches. Each
context's factories live in their own wiring (`customers`, `outbound`, `greetings`,
`campaigns`, `scrm`, `journeys`); they reach each other only through this container, never by
importing one another, and the domain packages never import the wiring.

Who listens to what is written here, not discovered: delivery outcomes and
provider statuses go to the message log and the campaign counters (see
`OutboundWiring.deliverer` and `status_updater`); fan-out jobs go to the campaign
fan-out, the retry of failures, or the holiday greeting (`fanout_jobs`).

Importing this module costs almost nothing: each context's wiring, and the domain
modules it builds from, are imported when a handler first asks for that context,
so a cold start pays only for what its handler uses.

The container lives as long as its process (a warm Lambda keeps its clients, queue
URLs, rate limiter and policy cache); tests build one per test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.core import resources
from chalicelib.core import settings as settings_module
from chalicelib.core.aws import AwsClients
from chalicelib.core.runtime import Clock, shifted_clock, system_clock
from chalicelib.core.settings import Settings

if TYPE_CHECKING:  # pragma: no cover - typing only: a context's wiring is imported when first used
    from chalicelib.wiring.access import AccessWiring
    from chalicelib.wiring.campaigns import CampaignsWiring
    from chalicelib.wiring.contracts import ContractsWiring
    from chalicelib.wiring.customers import CustomersWiring
    from chalicelib.wiring.greetings import GreetingsWiring
    from chalicelib.wiring.journeys import JourneysWiring
    from chalicelib.wiring.outbound import OutboundWiring
    from chalicelib.wiring.reminders import RemindersWiring
    from chalicelib.wiring.scrm import ScrmWiring
    from chalicelib.wiring.webchat import WebchatWiring

FanOutJob = Callable[[dict[str, Any], Callable[[], float]], Any]


class Container:
    """Everything one function builds, from one AWS session, one clock and the settings."""

    def __init__(
        self,
        aws: AwsClients,
        clock: Clock = system_clock,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.aws = aws
        self.clock = clock
        self._environ = environ
        self._queue_urls: dict[str, str] = {}

    @classmethod
    def for_process(cls) -> Container:
        """A Lambda function's (or the local API's) container: the default session and the system clock.

        Only the local stage may shift that clock (`SAPA_CLOCK_OFFSET_SECONDS`; `Settings` refuses it elsewhere).
        """
        offset = settings_module.current().options.clock_offset_seconds
        return cls(AwsClients(), clock=shifted_clock(offset))

    # -- what every wiring shares --------------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        """The validated settings (re-read when the environment changes, which only tests and the local stack do)."""
        if self._environ is not None:
            return Settings.from_env(dict(self._environ))
        return settings_module.current()

    def now(self) -> datetime:
        return self.clock()

    def table(self, logical: str) -> Any:
        return self.aws.table(self.settings.table_name(logical))

    def queue_url(self, logical: str) -> str:
        """Looked up once per process: the URL of a queue never changes."""
        name = resources.queue_name(self.settings.stage, logical)
        url = self._queue_urls.get(name)
        if url is None:
            url = str(self.aws.sqs.get_queue_url(QueueName=name)["QueueUrl"])
            self._queue_urls[name] = url
        return url

    def enqueue_fanout(self, jobs: list[dict[str, Any]]) -> None:
        """Audience jobs (campaign segments, holiday segments) onto the fan-out queue, ten per request."""
        url = self.queue_url("fanout")
        for start in range(0, len(jobs), 10):
            batch = jobs[start : start + 10]
            entries = [{"Id": str(i), "MessageBody": json.dumps(job)} for i, job in enumerate(batch)]
            result = self.aws.sqs.send_message_batch(QueueUrl=url, Entries=entries)
            if result.get("Failed"):
                raise RuntimeError(f"SQS refused {len(result['Failed'])} fan-out jobs")

    def customer_count(self) -> int:
        """DynamoDB's item count (refreshed about every six hours): enough to size a fan-out."""
        described = self.aws.dynamodb.describe_table(TableName=self.settings.table_name("customers"))
        return int(described["Table"].get("ItemCount") or 0)

    # -- the contexts ----------------------------------------------------------------------------------------------
    @cached_property
    def access(self) -> AccessWiring:
        from chalicelib.wiring.access import AccessWiring

        return AccessWiring(self)

    @cached_property
    def customers(self) -> CustomersWiring:
        from chalicelib.wiring.customers import CustomersWiring

        return CustomersWiring(self)

    @cached_property
    def contracts(self) -> ContractsWiring:
        from chalicelib.wiring.contracts import ContractsWiring

        return ContractsWiring(self)

    @cached_property
    def reminders(self) -> RemindersWiring:
        from chalicelib.wiring.reminders import RemindersWiring

        return RemindersWiring(self)

    @cached_property
    def outbound(self) -> OutboundWiring:
        from chalicelib.wiring.outbound import OutboundWiring

        return OutboundWiring(self)

    @cached_property
    def greetings(self) -> GreetingsWiring:
        from chalicelib.wiring.greetings import GreetingsWiring

        return GreetingsWiring(self)

    @cached_property
    def campaigns(self) -> CampaignsWiring:
        from chalicelib.wiring.campaigns import CampaignsWiring

        return CampaignsWiring(self)

    @cached_property
    def journeys(self) -> JourneysWiring:
        from chalicelib.wiring.journeys import JourneysWiring

        return JourneysWiring(self)

    @cached_property
    def scrm(self) -> ScrmWiring:
        from chalicelib.wiring.scrm import ScrmWiring

        return ScrmWiring(self)

    @cached_property
    def webchat(self) -> WebchatWiring:
        from chalicelib.wiring.webchat import WebchatWiring

        return WebchatWiring(self)

    # -- cross-context routing, written out ----------------------------------------------------------------------------
    def fanout_jobs(self) -> dict[str, FanOutJob]:
        """The fan-out queue's job kinds and the context that owns each."""
        from chalicelib.campaigns.fanout import SegmentJob

        return {
            "campaign": lambda job, remaining: self.campaigns.fanout().run(SegmentJob.from_dict(job), remaining),
            "campaign_retry": lambda job, remaining: self.campaigns.retry().run(str(job["campaign_id"]), remaining),
            "holiday": lambda job, _remaining: self.greetings.holiday_job(job),
            # One chunk of a customer import job (chalicelib.customers.imports), continuing itself.
            "customer_import": lambda job, remaining: self.customers.imports().run_chunk(job, remaining),
            # A contract approved, paid off or terminated (chalicelib.journeys.contract_events).
            "journey_event": lambda job, _remaining: self.journeys.run_event_job(job),
        }
