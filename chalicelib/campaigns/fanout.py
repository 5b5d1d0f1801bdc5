"""Fan a campaign out to its audience: stream, decide per recipient, enqueue, checkpoint.

A started campaign is split into parallel-scan segments of the customers
table, one fan-out job each on the `fanout` queue. A job streams its segment
page by page (never the whole audience in memory) and for every customer:

1. `Segment.matches` (after the DynamoDB filter pushdown narrowed the scan);
2. suppression list and consent for `promotions` on the channel, a usable
   contact, the frequency cap across all campaigns (`policy.decide`); the
   suppression list and the ledgers are read with one BatchGetItem per 100
   recipients;
3. render, then add the campaign to the customers' frequency ledgers: one
   conditional transaction per 100, on the version each ledger was read at,
   so the cap holds even when two campaigns fan out at once;
4. the contact policy's offer window in the customer's zone (Monday to
   Saturday, 08:00-18:00, no national holidays): inside it the dispatcher
   writes the message-log records conditionally on (campaign, customer), 100
   per transaction, and enqueues the new ones with SendMessageBatch, 10 at a
   time, paced at the channel's rate (shared by the segments); outside it the
   record is written `deferred` with `not_before`, the next opening in the
   customer's own zone, and the release schedule queues it then.

About 0.06 DynamoDB and 0.1 SQS calls per recipient.

Counters and the resume key move together in one conditional write on the
segment item (its lease) after every chunk of 100, so the campaign's figures
are right from the first chunk and a crashed job's redelivery resumes from
the last checkpoint and recounts only what was never counted. Between chunks
the job re-reads the campaign status and stops on pause or cancel; near the
Lambda deadline it checkpoints and hands over to a continuation job.

A recipient the template cannot render for is skipped (`render_error`).
After committing a chunk that had such skips, the job sums renders and
render errors over all segments and, past `Thresholds.max_render_error_rate`,
pauses the campaign with the reason and one of the errors (`pause`, the same
automatic pause as the delivery counters'); its next status check stops it.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from chalicelib.campaigns import model
from chalicelib.campaigns.content import Content, Rendered, parse_content
from chalicelib.campaigns.counters import Thresholds, render_breach
from chalicelib.campaigns.inline_template import RenderError, build_context
from chalicelib.campaigns.model import Status
from chalicelib.campaigns.policy import MAX_SENDS, WINDOW, SendNow, Skip, decide, zone_info
from chalicelib.campaigns.segments import Segment, parse_segment
from chalicelib.campaigns.store import EMPTY_LEDGER, CampaignStore, Conflict, Ledger, suppressed_contacts
from chalicelib.core.options import DEFAULTS
from chalicelib.customers.model import customer_from_item
from chalicelib.customers.suppression import SuppressionList
from chalicelib.outbound.contact_policy import zone_of
from chalicelib.outbound.delivery import ContactHours
from chalicelib.outbound.dispatch import DispatchReport
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id, stamp

DISPATCH_CHUNK = 100
"""Envelopes per dispatch: one message-log transaction (the dispatcher's limit) and ten SendMessageBatch calls."""
SEGMENT_DATE_ZONE = "Asia/Jakarta"
"""Derived segment fields (age, tenure) and the templates' `today` use one calendar: WIB's."""
LEDGER_ATTEMPTS = 5
CONTACT_KIND = {"whatsapp": "phone", "email": "email"}


@dataclass(frozen=True)
class Rules:
    """The per-recipient policy knobs (settings SAPA_PROMO_CAP, SAPA_PROMO_CAP_DAYS)."""

    max_sends: int = MAX_SENDS
    window: timedelta = WINDOW

    def decide(
        self, customer: Mapping[str, Any], channel: str, *, suppressed: bool, recent: list[datetime], now: datetime
    ) -> SendNow | Skip:
        return decide(
            customer,
            channel,
            suppressed=suppressed,
            recent_sends=recent,
            now_utc=now,
            max_sends=self.max_sends,
            window=self.window,
        )


PROMOTION = "promotion"


def offer_opening(hours: ContactHours, customer: Mapping[str, Any], now: datetime) -> datetime | None:
    """None while the offer window is open in the customer's zone; else when it next opens."""
    return hours.opening(PROMOTION, zone_of(customer.get("timezone")), now)


@dataclass(frozen=True)
class FanOutConfig:
    page_size: int = DEFAULTS.fanout_page_size  # customers per scan page; a checkpoint at least every page
    chunk: int = 100  # customers per suppression/ledger BatchGetItem and per status check
    lease_seconds: int = 180  # longer than the consumer's 120 s timeout: a live job is never overtaken
    reserve_seconds: float = 20.0  # checkpoint and continue when less than this is left before the deadline
    status_every_seconds: float = 2.0  # how stale the pause/cancel check may be
    segment_size: int = DEFAULTS.fanout_segment_size  # customers per parallel segment (from the item count)
    max_segments: int = DEFAULTS.fanout_max_segments


DEFAULT_RULES = Rules()
DEFAULT_CONFIG = FanOutConfig()
DEFAULT_THRESHOLDS = Thresholds()


class Dispatcher(Protocol):
    def dispatch(self, envelopes: Iterable[Envelope], delay_seconds: int = 0) -> DispatchReport: ...

    def prepare(self, envelopes: Iterable[Envelope]) -> DispatchReport: ...

    def enqueue(self, report: DispatchReport, delay_seconds: int = 0) -> None: ...

    def requeue(self, message_ids: list[str]) -> int: ...


class CustomerSource(Protocol):
    def segment(
        self,
        segment: int,
        total_segments: int,
        start: dict[str, Any] | None = None,
        page_size: int = 500,
        filter_kwargs: dict[str, Any] | None = None,
    ) -> Iterable[tuple[list[dict[str, Any]], dict[str, Any] | None]]: ...


UnsubscribeLink = Callable[[str, str, str | None], str]
"""(customer id, channel, message id or None) -> signed one-click unsubscribe URL for promotions on that channel;
the message id, signed into the link, lets the withdrawal be credited to the campaign that sent it."""


def segment_count(estimated_customers: int, config: FanOutConfig) -> int:
    """Parallel segments for an audience drawn from this many customers: one per `segment_size`, at least one."""
    wanted = math.ceil(max(0, estimated_customers) / max(1, config.segment_size))
    return max(1, min(config.max_segments, wanted))


def segment_date(now: datetime) -> date:
    return now.astimezone(zone_info(SEGMENT_DATE_ZONE)).date()


def scan_filter(segment: Segment) -> dict[str, Any] | None:
    pushdown = segment.dynamodb_filter()
    if pushdown is None:
        return None
    kwargs: dict[str, Any] = {"FilterExpression": pushdown.expression}
    if pushdown.names:
        kwargs["ExpressionAttributeNames"] = pushdown.names
    if pushdown.values:
        kwargs["ExpressionAttributeValues"] = pushdown.values
    return kwargs


def contact_of(customer: Mapping[str, Any], channel: str) -> str | None:
    value = customer.get("phone") if channel == "whatsapp" else customer.get("email")
    return str(value) if value else None


class Pacer:
    """Spreads enqueues at `rate` messages per second; each parallel segment gets its share."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.clock = clock
        self.sleep = sleep
        self._next = clock()

    def wait(self, count: int) -> None:
        if self.rate <= 0 or math.isinf(self.rate):
            return
        now = self.clock()
        self._next = max(self._next, now)
        delay = self._next - now
        self._next += count / self.rate
        if delay > 0:
            self.sleep(delay)


def dispatch_paced(dispatcher: Dispatcher, pacer: Pacer, envelopes: list[Envelope]) -> DispatchReport:
    """Dispatch-sized slices (one log transaction, ten SendMessageBatch), each after the pacer allows it."""
    total = DispatchReport()
    for start in range(0, len(envelopes), DISPATCH_CHUNK):
        batch = envelopes[start : start + DISPATCH_CHUNK]
        pacer.wait(len(batch))
        total.add(dispatcher.dispatch(batch))
    return total


def prepare_paced(dispatcher: Dispatcher, pacer: Pacer, envelopes: list[Envelope]) -> DispatchReport:
    """Log dispatch-sized slices after the pacer allows each; the caller counts, then enqueues `to_send`."""
    total = DispatchReport()
    for start in range(0, len(envelopes), DISPATCH_CHUNK):
        batch = envelopes[start : start + DISPATCH_CHUNK]
        pacer.wait(len(batch))
        report = dispatcher.prepare(batch)
        total.add(report)
        total.to_send += report.to_send
    return total


class Composer:
    """Renders a campaign for one customer and wraps the result in an outbound envelope."""

    def __init__(self, campaign: Mapping[str, Any], content: Content, unsubscribe: UnsubscribeLink) -> None:
        self.campaign_id = str(campaign["id"])
        self.name = str(campaign["name"])
        self.channel = str(campaign["channel"])
        self.content = content
        self.unsubscribe = unsubscribe

    @classmethod
    def for_campaign(cls, campaign: Mapping[str, Any], unsubscribe: UnsubscribeLink) -> Composer:
        spec = model.stored_spec_fields(campaign)
        return cls(campaign, parse_content(spec["template"], str(campaign["channel"])), unsubscribe)

    def render(self, customer: Mapping[str, Any], today: date, message: str | None = None) -> tuple[Rendered, str]:
        """(rendered message, unsubscribe URL naming `message`); raises RenderError with a message safe to show."""
        link = self.unsubscribe(str(customer["id"]), self.channel, message)
        context = build_context(customer, campaign_name=self.name, unsubscribe_url=link, today=today)
        return self.content.render(context, str(customer.get("language") or "id")), link

    def envelope(
        self,
        customer: Mapping[str, Any],
        today: date,
        *,
        occasion: str = "campaign",
        occasion_ref: str | None = None,
        not_before: datetime | None = None,
    ) -> Envelope:
        reference = occasion_ref or self.campaign_id
        customer_id = str(customer["id"])
        identity = message_id(customer_id, occasion, reference, self.channel)
        rendered, link = self.render(customer, today, identity)
        return Envelope(
            message_id=identity,
            channel=self.channel,
            purpose=PROMOTION,
            occasion=occasion,
            occasion_ref=reference,
            text=rendered.text,
            customer_id=customer_id,
            language=str(customer.get("language") or "id"),
            subject=rendered.subject,
            html=rendered.html,
            whatsapp_template=rendered.whatsapp_template,
            unsubscribe_url=link if self.channel == "email" else None,
            # Test sends carry no campaign id: they stay out of the campaign's counts and retries.
            campaign_id=self.campaign_id if occasion == "campaign" else None,
            not_before=stamp(not_before) if not_before else None,
        )


@dataclass(frozen=True)
class SegmentJob:
    campaign_id: str
    segment: int
    total_segments: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "campaign",
            "campaign_id": self.campaign_id,
            "segment": self.segment,
            "total_segments": self.total_segments,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SegmentJob:
        return cls(str(data["campaign_id"]), int(data["segment"]), int(data["total_segments"]))


class LeaseLost(Exception):
    """Another worker took over this segment (ours outlived its lease); stop without counting."""


@dataclass
class _Progress:
    counts: Counter[str] = field(default_factory=Counter)
    envelopes: list[Envelope] = field(default_factory=list)


class FanOut:
    def __init__(
        self,
        store: CampaignStore,
        customers: CustomerSource,
        suppression: SuppressionList,
        dispatcher: Dispatcher,
        enqueue_jobs: Callable[[list[dict[str, Any]]], None],
        unsubscribe: UnsubscribeLink,
        clock: Callable[[], datetime],
        rate: Callable[[str], float],
        hours: ContactHours,
        has_open_messages: Callable[[str], bool],
        rules: Rules = DEFAULT_RULES,
        config: FanOutConfig = DEFAULT_CONFIG,
        extra_fields: Iterable[str] = (),
        pacer_factory: Callable[[float], Pacer] = Pacer,
        monotonic: Callable[[], float] = time.monotonic,
        pause: Callable[[str, str], None] | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ) -> None:
        """`pause(campaign_id, reason)` pauses a campaign whose render errors pass `thresholds`; None never does."""
        self.store = store
        self.customers = customers
        self.suppression = suppression
        self.dispatcher = dispatcher
        self.enqueue_jobs = enqueue_jobs
        self.unsubscribe = unsubscribe
        self.clock = clock
        self.rate = rate
        self.hours = hours
        self.has_open_messages = has_open_messages
        self.rules = rules
        self.config = config
        self.extra_fields = tuple(extra_fields)
        self.pacer_factory = pacer_factory
        self.monotonic = monotonic
        self.pause = pause
        self.thresholds = thresholds

    def run(self, job: SegmentJob, remaining_seconds: Callable[[], float] = lambda: math.inf) -> str:
        """Process one segment until it is done, the campaign stops, or the deadline nears; returns why it ended."""
        campaign = self.store.get(job.campaign_id, consistent=True)
        if campaign is None:
            return "missing"
        if campaign.get("status") != Status.SENDING:
            return f"not_sending:{campaign.get('status')}"
        owner = uuid.uuid4().hex
        claimed = self.store.claim_segment(job.campaign_id, job.segment, owner, self.clock(), self.config.lease_seconds)
        if claimed is None:
            self._finish_pending(job)
            return "busy_or_done"  # a duplicate delivery: the lease holder carries on
        if claimed.get("pending"):
            self.dispatcher.requeue([str(i) for i in claimed["pending"]])  # counted, maybe never queued
        segment_run = _SegmentRun(self, campaign, job, owner, remaining_seconds)
        try:
            outcome = segment_run.run(_resume_key(claimed))
        except LeaseLost:
            return "lease_lost"
        if outcome == "done":
            try_complete(self.store, job.campaign_id, self.clock(), self.has_open_messages)
        elif outcome == "continued":
            self.enqueue_jobs([job.to_dict()])
        return outcome

    def _finish_pending(self, job: SegmentJob) -> None:
        """A job that died after its segment's last checkpoint: queue what that checkpoint had not queued."""
        item = self.store.segment(job.campaign_id, job.segment)
        pending = [str(i) for i in (item or {}).get("pending") or []]
        if item and item.get("done") and pending:
            self.dispatcher.requeue(pending)
            self.store.clear_pending(job.campaign_id, job.segment, pending)


class _SegmentRun:
    """The state of one job over one segment: the campaign's plan, the pacer, uncommitted progress."""

    def __init__(
        self,
        fanout: FanOut,
        campaign: Mapping[str, Any],
        job: SegmentJob,
        owner: str,
        remaining_seconds: Callable[[], float],
    ) -> None:
        self.f = fanout
        self.job = job
        self.owner = owner
        self.remaining_seconds = remaining_seconds
        self.campaign_id = job.campaign_id
        self.channel = str(campaign["channel"])
        spec = model.stored_spec_fields(campaign)
        self.segment = parse_segment(spec["segment"], fanout.extra_fields)
        self.composer = Composer.for_campaign(campaign, fanout.unsubscribe)
        share = fanout.rate(self.channel) / max(1, job.total_segments)
        self.pacer = fanout.pacer_factory(share)
        self.progress = _Progress()
        self.chunks_done = 0
        self.last_status_check = fanout.monotonic()
        self.render_errors = 0  # in this job, since its last look at the campaign's render-error rate
        self.last_render_error: str | None = None

    def run(self, start: dict[str, Any] | None) -> str:
        config = self.f.config
        pages = self.f.customers.segment(
            self.job.segment, self.job.total_segments, start, config.page_size, scan_filter(self.segment)
        )
        position = start
        for items, last_key in pages:
            for offset in range(0, len(items), config.chunk):
                # Checked before each chunk: after a pause nothing new is decided, rendered or ledgered.
                stop = self.stop_reason()
                if stop:
                    self.commit(position, done=False, release=True)
                    return stop
                chunk = items[offset : offset + config.chunk]
                self.process(chunk)
                self.chunks_done += 1
                position = {"id": chunk[-1]["id"]}
                last_of_page = offset + config.chunk >= len(items)
                # The last chunk of the segment checkpoints at its last customer: a successor of a job that
                # dies before queueing it scans on from there and finds nothing left to count twice.
                self.send(last_key if last_of_page and last_key else position, final=last_of_page and not last_key)
            if last_key is None:
                if not items:
                    self.commit(None, done=True, release=True)
                return "done"
            if not items:
                self.commit(last_key, done=False, release=False)
            position = last_key
        self.commit(None, done=True, release=True)  # pragma: no cover - the scan always ends with last_key None
        return "done"

    def send(self, resume_key: Mapping[str, Any] | None, *, final: bool) -> None:
        """Log the chunk's messages, count them with the checkpoint, then queue them: figures never lag a send.

        The checkpoint names what it counted but has not queued yet (`pending`);
        a successor queues those again if this job dies before `enqueue`.
        """
        batch, self.progress.envelopes = self.progress.envelopes, []
        report = prepare_paced(self.f.dispatcher, self.pacer, batch)
        # Already-logged messages were queued by this campaign before a crash: they count once, now.
        self.progress.counts[model.QUEUED] += report.queued + report.requeued + report.duplicates
        self.progress.counts[model.DEFERRED] += report.deferred
        pending = [envelope.message_id for envelope in report.to_send]
        self.commit(resume_key, done=False, release=False, pending=pending)
        self.f.dispatcher.enqueue(report)
        if final:
            self.commit(None, done=True, release=True)
        self.judge_render_errors()

    def judge_render_errors(self) -> None:
        """After committing render errors: the campaign's rate over every segment, and the pause past the limit.

        Read only when this job has seen new errors since it last looked (one
        Query of the campaign's segment items), so a clean fan-out pays nothing.
        """
        if not self.render_errors or self.f.pause is None:
            return
        self.render_errors = 0
        segments = self.f.store.segments(self.campaign_id)
        rendered = sum(int(segment.get(model.RENDERED) or 0) for segment in segments)
        failed = sum(int(segment.get(model.RENDER_ERRORS) or 0) for segment in segments)
        reason = render_breach(rendered, failed, self.f.thresholds, self.last_render_error)
        if reason:
            self.f.pause(self.campaign_id, reason)
            self.last_status_check = -math.inf  # the next chunk re-reads the status, and stops

    def stop_reason(self) -> str | None:
        # At least one chunk per job, so a job that starts late still makes progress before handing over.
        if self.chunks_done and self.remaining_seconds() < self.f.config.reserve_seconds:
            return "continued"
        if self.f.monotonic() - self.last_status_check >= self.f.config.status_every_seconds:
            self.last_status_check = self.f.monotonic()
            status = self.f.store.status(self.campaign_id)
            if status != Status.SENDING:
                return f"stopped:{status}"
        return None

    # -- per chunk ----------------------------------------------------------------------
    def process(self, items: list[dict[str, Any]]) -> None:
        now = self.f.clock()
        today = segment_date(now)
        counts = self.progress.counts
        matched = [c for c in (customer_from_item(item) for item in items) if self.segment.matches(c, today)]
        counts[model.TARGETED] += len(matched)
        suppressed = suppressed_contacts(
            self.f.suppression, CONTACT_KIND[self.channel], [contact_of(c, self.channel) or "" for c in matched]
        )
        candidates = []
        for customer in matched:
            blocked = contact_of(customer, self.channel) in suppressed
            decision = self.f.rules.decide(customer, self.channel, suppressed=blocked, recent=[], now=now)
            if isinstance(decision, Skip):
                counts[model.SKIP_PREFIX + decision.reason.value] += 1
            else:
                candidates.append(customer)
        ledgers = self.f.store.ledgers(str(c["id"]) for c in candidates)
        self.admit([(c, ledgers.get(str(c["id"]), EMPTY_LEDGER)) for c in candidates], now, today)

    def admit(self, candidates: list[tuple[dict[str, Any], Ledger]], now: datetime, today: date) -> None:
        """Frequency cap with each customer's ledger, then one ledger transaction per 100.

        Customers whose ledger another campaign changed meanwhile are re-read
        and decided again, so two campaigns racing cannot both take the last
        slot under the cap.
        """
        counts = self.progress.counts
        envelopes: dict[str, Envelope] = {}
        for _attempt in range(LEDGER_ATTEMPTS):
            admitted: list[tuple[str, Ledger]] = []
            for customer, ledger in candidates:
                customer_id = str(customer["id"])
                recent = ledger.times_except(self.campaign_id)
                decision = self.f.rules.decide(customer, self.channel, suppressed=False, recent=recent, now=now)
                if isinstance(decision, Skip):
                    counts[model.SKIP_PREFIX + decision.reason.value] += 1
                    continue
                if customer_id not in envelopes:
                    opening = offer_opening(self.f.hours, customer, now)
                    try:
                        envelopes[customer_id] = self.composer.envelope(customer, today, not_before=opening)
                    except RenderError as error:
                        counts[model.RENDER_ERRORS] += 1
                        self.render_errors += 1
                        self.last_render_error = str(error)
                        continue
                    counts[model.RENDERED] += 1
                admitted.append((customer_id, ledger))
            changed = self.f.store.record_promotions(admitted, self.campaign_id, now, self.f.rules.window)
            self.progress.envelopes += [envelopes[cid] for cid, _ in admitted if cid not in changed]
            if not changed:
                return
            fresh = self.f.store.ledgers(changed)
            candidates = [(c, fresh.get(str(c["id"]), EMPTY_LEDGER)) for c, _ in candidates if str(c["id"]) in changed]
        raise RuntimeError("the frequency ledger kept changing; the job will be retried")

    def commit(
        self,
        resume_key: Mapping[str, Any] | None,
        *,
        done: bool,
        release: bool,
        pending: list[str] | None = None,
    ) -> None:
        """One conditional write: counters, resume key and pending ids move together, or the lease is lost."""
        committed = self.f.store.commit_segment(
            self.campaign_id,
            self.job.segment,
            self.owner,
            self.f.clock(),
            resume_key=resume_key,
            deltas=dict(self.progress.counts),
            done=done,
            release=release,
            lease_seconds=self.f.config.lease_seconds,
            pending=pending,
        )
        if not committed:
            raise LeaseLost(self.campaign_id)
        self.progress.counts.clear()


def _resume_key(segment_item: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = segment_item.get("resume_key")
    return json.loads(str(raw)) if raw else None


def try_complete(
    store: CampaignStore, campaign_id: str, now: datetime, has_open_messages: Callable[[str], bool]
) -> bool:
    """sending -> completed once every segment is done and every message is settled.

    Settled means sent (or further), failed, skipped or cancelled: nothing
    queued, waiting for its contact hours, held or in a provider call. The
    message log's open-index answers that exactly, so pause and cancel keep
    working until the last message is out.
    """
    item = store.get(campaign_id, consistent=True)
    if item is None or item.get("status") != Status.SENDING:
        return False
    segments = store.segments(campaign_id)
    total = int(item.get("segments_total") or 0)
    if total == 0 or sum(1 for s in segments if s.get("done")) < total:
        return False
    if has_open_messages(campaign_id):
        return False
    try:
        store.transition(
            campaign_id, [Status.SENDING], Status.COMPLETED, now, set_values={"completed_at": model.stamp(now)}
        )
    except Conflict:
        return False
    store.delete_active(campaign_id)
    return True
