"""Campaign use cases behind the HTTP routes: create, edit, read, preview, test-send, audience.

State changes (send, pause, resume, cancel, retry) are in `lifecycle`. Takes
its collaborators as arguments, so it runs against moto or fakes alike.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from chalicelib.campaigns import model
from chalicelib.campaigns.fanout import (
    CONTACT_KIND,
    DEFAULT_RULES,
    Composer,
    Dispatcher,
    Rules,
    UnsubscribeLink,
    contact_of,
    offer_opening,
    scan_filter,
    segment_date,
)
from chalicelib.campaigns.inline_template import InvalidTemplate, RenderError
from chalicelib.campaigns.lifecycle import Actor, Audit, StateConflict
from chalicelib.campaigns.limits import FIELDS, MAX_TEST_RECIPIENTS
from chalicelib.campaigns.messages import CampaignMessages
from chalicelib.campaigns.model import EDITABLE, InvalidCampaign, Status
from chalicelib.campaigns.policy import Skip
from chalicelib.campaigns.segments import parse_segment
from chalicelib.campaigns.store import CampaignStore, Conflict, suppressed_contacts
from chalicelib.customers.model import customer_from_item
from chalicelib.customers.suppression import SuppressionList
from chalicelib.outbound.delivery import ContactHours

STARTED: frozenset[str] = frozenset({Status.SENDING, Status.PAUSED, Status.COMPLETED, Status.CANCELLED})
SAMPLE_SIZE = 5
SAMPLE_FIELDS = ("id", "name", "city", "province", "language", "timezone")


class CampaignNotFound(KeyError):
    pass


class CustomerNotFound(KeyError):
    pass


class CampaignService:
    def __init__(
        self,
        store: CampaignStore,
        customers: Any,  # CustomerRepository
        suppression: SuppressionList,
        dispatcher: Dispatcher,
        audit: Audit,
        unsubscribe: UnsubscribeLink,
        clock: Callable[[], datetime],
        hours: ContactHours,
        messages: CampaignMessages,
        rules: Rules = DEFAULT_RULES,
        extra_fields: Iterable[str] = (),
        audience_budget_seconds: float = 20.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.customers = customers
        self.suppression = suppression
        self.dispatcher = dispatcher
        self.audit = audit
        self.unsubscribe = unsubscribe
        self.clock = clock
        self.hours = hours
        self.messages = messages
        self.rules = rules
        self.extra_fields = tuple(extra_fields)
        self.audience_budget_seconds = audience_budget_seconds
        self.monotonic = monotonic

    # -- create, edit, read ----------------------------------------------------------
    def create(self, data: Any, actor: Actor) -> dict[str, Any]:
        now = self.clock()
        spec = model.validate_spec(data, now=now, extra_fields=self.extra_fields)
        campaign_id = model.new_campaign_id()
        attributes = model.spec_attributes(spec)
        if attributes["send_at"]:
            self.store.put_schedule(campaign_id, attributes["send_at"])  # first: a campaign never misses its start
        item = {
            "id": campaign_id,
            **attributes,
            "status": (Status.SCHEDULED if spec.send_at else Status.DRAFT).value,
            "scheduled_by": actor.name if spec.send_at else None,
            "created_by": actor.name,
            "created_at": model.stamp(now),
            "updated_at": model.stamp(now),
        }
        self.store.create(item)
        self.audit.record(
            actor.name,
            "campaign.create",
            campaign_id,
            now,
            name=spec.name,
            channel=spec.channel,
            send_at=item["send_at"],
        )
        return model.public_campaign(self.store.get(campaign_id, consistent=True) or item, [])

    def update(self, campaign_id: str, data: Any, actor: Actor) -> dict[str, Any]:
        """PATCH while draft or scheduled; setting `send_at` schedules, `"send_at": null` unschedules."""
        existing = self._campaign(campaign_id)
        if existing.get("status") not in EDITABLE:
            raise StateConflict(campaign_id, str(existing.get("status")), "edit")
        now = self.clock()
        spec = model.validate_spec(data, now=now, existing=existing, extra_fields=self.extra_fields)
        attributes: dict[str, Any] = model.spec_attributes(spec)
        old_send_at, new_send_at = existing.get("send_at"), attributes["send_at"]
        if new_send_at and new_send_at != old_send_at:
            self.store.put_schedule(campaign_id, new_send_at)
            attributes["scheduled_by"] = actor.name
        elif not new_send_at:
            attributes["scheduled_by"] = None
        status = Status.SCHEDULED if new_send_at else Status.DRAFT
        try:
            item = self.store.update_spec(campaign_id, attributes, status, EDITABLE, now)
        except Conflict:
            current = self.store.get(campaign_id, consistent=True)
            raise StateConflict(campaign_id, str((current or {}).get("status")), "edit") from None
        if old_send_at and old_send_at != new_send_at:
            self.store.delete_schedule(campaign_id, str(old_send_at))
        changed = sorted(k for k in data if k in FIELDS) if isinstance(data, Mapping) else []
        self.audit.record(actor.name, "campaign.update", campaign_id, now, fields=",".join(changed))
        return model.public_campaign(item, self.store.segments(campaign_id))

    def get(self, campaign_id: str) -> dict[str, Any]:
        item = self._campaign(campaign_id)
        waiting = self.messages.waiting(campaign_id) if item.get("status") in STARTED else None
        return model.public_campaign(item, self.store.segments(campaign_id), waiting)

    def page(
        self, limit: int, start: dict[str, Any] | None, status: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        if status is not None and status not in {s.value for s in Status}:
            raise InvalidCampaign({"status": f"must be one of {', '.join(s.value for s in Status)}"})
        items, last = self.store.page(limit, start, status)
        return [model.public_campaign(i) for i in items], last

    def _campaign(self, campaign_id: str) -> dict[str, Any]:
        item = self.store.get(campaign_id, consistent=True)
        if item is None:
            raise CampaignNotFound(campaign_id)
        return item

    # -- preview and test sends ------------------------------------------------------
    def preview(self, campaign_id: str, data: Any) -> dict[str, Any]:
        """The message one customer would get, and whether they would get it now."""
        campaign = self._campaign(campaign_id)
        customer_id = data.get("customer_id") if isinstance(data, Mapping) else None
        if not isinstance(customer_id, str) or not customer_id:
            raise InvalidCampaign({"customer_id": "is required: the id of a customer to render for"})
        item = self.customers.get(customer_id)
        if item is None:
            raise CustomerNotFound(customer_id)
        customer = customer_from_item(item)
        now = self.clock()
        composer = self._composer(campaign)
        try:
            rendered, _link = composer.render(customer, segment_date(now))
        except RenderError as error:
            raise InvalidCampaign(error.fields) from None
        return {
            "customer_id": customer_id,
            "channel": campaign["channel"],
            "language": customer.get("language") or "id",
            **rendered.to_dict(),
            "in_segment": parse_segment(model.stored_spec_fields(campaign)["segment"], self.extra_fields).matches(
                customer, segment_date(now)
            ),
            "would_send": self._eligibility(customer, str(campaign["channel"]), campaign_id, now),
        }

    def _composer(self, campaign: Mapping[str, Any]) -> Composer:
        """The campaign's content; a stored template that today's checks refuse is the staff's 400, not a 500."""
        try:
            return Composer.for_campaign(campaign, self.unsubscribe)
        except InvalidTemplate as error:
            raise InvalidCampaign(error.fields) from None

    def _eligibility(
        self, customer: Mapping[str, Any], channel: str, campaign_id: str, now: datetime
    ) -> dict[str, Any]:
        contact = contact_of(customer, channel)
        blocked = bool(contact) and bool(suppressed_contacts(self.suppression, CONTACT_KIND[channel], [contact or ""]))
        recent = self.store.ledger(str(customer["id"])).times_except(campaign_id)
        decision = self.rules.decide(customer, channel, suppressed=blocked, recent=recent, now=now)
        if isinstance(decision, Skip):
            return {"decision": "skip", "reason": decision.reason.value}
        opening = offer_opening(self.hours, customer, now)
        if opening is not None:
            return {"decision": "defer", "until": model.stamp(opening)}
        return {"decision": "send"}

    def test_send(self, campaign_id: str, customer_ids: list[str] | None, actor: Actor) -> dict[str, Any]:
        """Send now to staff's own numbers only: customers marked `test_recipient`, never a real customer.

        No contact hours or cap apply (a test at 04:00 reaches only staff), but
        never past consent or suppression. With no `customer_ids`, every test
        recipient (at most five) gets it. `customer_ids` is the request's, validated
        by `schemas.TestSendRequest` (one to five distinct ids); whether each is a
        known test recipient is checked here.
        """
        campaign = self._campaign(campaign_id)
        if campaign.get("status") == Status.CANCELLED:
            raise StateConflict(campaign_id, Status.CANCELLED.value, "test-send")
        ids = customer_ids
        if ids is None:
            found = {str(item["id"]): item for item in self.customers.test_recipients(MAX_TEST_RECIPIENTS)}
            ids = sorted(found)
            if not ids:
                raise InvalidCampaign(
                    {"customer_ids": "no customer is marked as a test recipient (PUT /customers/{id} test_recipient)"}
                )
        else:
            found = self.customers.get_many(ids)
        problems = {f"customer_ids[{i}]": "no such customer" for i, cid in enumerate(ids) if cid not in found}
        problems.update(
            {
                f"customer_ids[{i}]": "is not a test recipient: tests go only to staff's own numbers"
                for i, cid in enumerate(ids)
                if cid in found and found[cid].get("test_recipient") is not True
            }
        )
        if problems:
            raise InvalidCampaign(problems)
        now = self.clock()
        channel = str(campaign["channel"])
        composer = self._composer(campaign)
        customers = [customer_from_item(found[cid]) for cid in ids]
        suppressed = suppressed_contacts(
            self.suppression, CONTACT_KIND[channel], [contact_of(c, channel) or "" for c in customers]
        )
        test_id = uuid.uuid4().hex[:12]
        results: list[dict[str, Any]] = []
        envelopes = []
        for customer in customers:
            blocked = contact_of(customer, channel) in suppressed
            decision = self.rules.decide(customer, channel, suppressed=blocked, recent=[], now=now)
            if isinstance(decision, Skip):
                results.append({"customer_id": customer["id"], "status": "skipped", "reason": decision.reason.value})
                continue
            try:
                envelope = composer.envelope(
                    customer, segment_date(now), occasion="campaign_test", occasion_ref=f"{campaign_id}#{test_id}"
                )
            except RenderError as error:
                detail = next(iter(error.fields.values()))
                results.append(
                    {"customer_id": customer["id"], "status": "skipped", "reason": "render_error", "detail": detail}
                )
                continue
            envelopes.append(envelope)
            results.append({"customer_id": customer["id"], "status": "queued", "message_id": envelope.message_id})
        if envelopes:
            self.dispatcher.dispatch(envelopes)
        queued = sum(1 for r in results if r["status"] == "queued")
        self.audit.record(actor.name, "campaign.test", campaign_id, now, recipients=len(ids), queued=queued)
        return {"test_id": test_id, "results": results}

    # -- audience --------------------------------------------------------------------
    def audience(self, campaign_id: str) -> dict[str, Any]:
        """How many customers the segment matches now, how many could be sent promotions, and a few of them."""
        campaign = self._campaign(campaign_id)
        return self.audience_of(str(campaign["channel"]), model.stored_spec_fields(campaign)["segment"])

    def audience_of(self, channel: str, segment_data: Any, at: datetime | None = None) -> dict[str, Any]:
        """The audience of a filter not yet saved (the console's segment builder counts as staff type).

        Streams the table (the pushdown filter narrows it) within a time
        budget; past the budget the counts are lower bounds (`exact` false).
        With `at`, also how the contact policy would treat the consenting
        audience at that moment: `send_now` customers, and `parked`, one
        entry per opening (`until`, the zone, how many), in the customer's
        own zone, so staff see "sent Mon 08:00 WIB for 1,204 customers".
        InvalidCampaign names each bad path of the filter as `segment.<path>`.
        """
        from chalicelib.campaigns.segments import InvalidSegment

        try:
            segment = parse_segment(segment_data, self.extra_fields)
        except InvalidSegment as error:
            raise InvalidCampaign(error.fields) from None  # each path starts "segment."
        today = segment_date(self.clock())
        started = self.monotonic()
        count = with_consent = scanned = 0
        zones: dict[str, int] = {}
        sample: list[dict[str, Any]] = []
        exact = True
        for items, last_key in self.customers.segment(0, 1, None, 1000, scan_filter(segment)):
            for item in items:
                scanned += 1
                customer = customer_from_item(item)
                if not segment.matches(customer, today):
                    continue
                count += 1
                if "promotions" in customer["consents"].get(channel, []) and contact_of(customer, channel):
                    with_consent += 1
                    zone = str(customer.get("timezone") or "")
                    zones[zone] = zones.get(zone, 0) + 1
                if len(sample) < SAMPLE_SIZE:
                    sample.append({key: customer.get(key) for key in SAMPLE_FIELDS})
            if last_key and self.monotonic() - started > self.audience_budget_seconds:
                exact = False
                break
        found: dict[str, Any] = {
            "count": count,
            "with_consent": with_consent,
            "exact": exact,
            "scanned": scanned,
            "sample": sample,
        }
        if at is not None:
            found["timing"] = self._timing(zones, at)
        return found

    def _timing(self, zones: Mapping[str, int], at: datetime) -> dict[str, Any]:
        """The consenting audience by zone, sent at `at` or parked until its offer window opens there."""
        from chalicelib.core.zones import DEFAULT_ZONE, ZONE_LABELS

        send_now = 0
        parked: dict[tuple[str, str], int] = {}
        for zone, number in zones.items():
            opening = offer_opening(self.hours, {"timezone": zone or None}, at)
            if opening is None:
                send_now += number
                continue
            key = (model.stamp(opening), ZONE_LABELS.get(zone, ZONE_LABELS[DEFAULT_ZONE]))
            parked[key] = parked.get(key, 0) + number
        return {
            "at": model.stamp(at),
            "send_now": send_now,
            "parked": [{"until": until, "zone": zone, "count": n} for (until, zone), n in sorted(parked.items())],
        }

    # -- drafts the console edits --------------------------------------------------------
    def preview_draft(self, channel: str, template: Any, name: str, customer_id: str | None = None) -> dict[str, Any]:
        """A template not yet saved, rendered for a customer of the audience (or Sapa's sample customer).

        InvalidCampaign names the template's field and line, as a save would.
        """
        from chalicelib.campaigns.content import (
            SAMPLE_CUSTOMERS,
            SAMPLE_FILLERS,
            SAMPLE_UNSUBSCRIBE_URL,
            parse_content,
            sample_context,
        )
        from chalicelib.campaigns.inline_template import build_context

        try:
            content = parse_content(template, channel)
        except InvalidTemplate as error:
            raise InvalidCampaign(error.fields) from None
        today = segment_date(self.clock())
        item = self.customers.get(customer_id) if customer_id else None
        if item is not None:
            customer: Mapping[str, Any] = customer_from_item(item)
            context = build_context(
                customer, campaign_name=name or "Promo", unsubscribe_url=SAMPLE_UNSUBSCRIBE_URL, today=today
            )
        else:
            customer = SAMPLE_CUSTOMERS[0]
            context = sample_context(customer, SAMPLE_FILLERS[0], campaign_name=name or "Promo", today=today)
        try:
            rendered = content.render(context, str(customer.get("language") or "id"))
        except RenderError as error:
            raise InvalidCampaign(error.fields) from None
        return {"customer_id": customer.get("id"), "customer_name": customer.get("name"), **rendered.to_dict()}
