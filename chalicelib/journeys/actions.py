"""What one due step does for one customer: the message to queue, the call to make, or why nobody is contacted.

Who may be written to follows the purpose. A promotion needs the customer's
promotion consent on the channel, a greeting their greeting consent. A
service message rests on the contract, so it needs no marketing consent,
but it never uses a channel the customer withdrew from (a withdrawal on it
and no consent left there), and WhatsApp needs some WhatsApp opt-in.
Contact hours are the contact policy's for the purpose: a step due at night
is written waiting (`not_before`) and released when its window opens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.campaigns.inline_template import RenderError, build_context
from chalicelib.core import rendering
from chalicelib.customers.consent import allows, reachable_for_contract
from chalicelib.customers.model import customer_from_item
from chalicelib.greetings.messages import CallTask
from chalicelib.journeys import content
from chalicelib.journeys.model import LANGUAGES, Action, Journey, Step
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id, stamp

CONSENT_FOR = {"promotion": "promotions", "greeting": "greetings"}


@dataclass(frozen=True)
class Target:
    """The enrolment a step is taken for: who, which occurrence of the trigger, and its facts."""

    journey: Journey
    customer: Mapping[str, Any]  # the stored customer item
    ref: str  # the enrolment's occurrence ("<contract>", "<contract>@2027")
    facts: Mapping[str, Any]
    due: datetime


Decision = Envelope | CallTask | str


def language_of(customer: Mapping[str, Any]) -> str:
    return str(customer.get("language")) if customer.get("language") in LANGUAGES else "id"


def may_use(customer: Mapping[str, Any], channel: str, purpose: str) -> bool:
    if purpose in CONSENT_FOR:
        contact = customer.get("phone") if channel == "whatsapp" else customer.get("email")
        return bool(contact) and allows(customer.get("consents") or {}, channel, CONSENT_FOR[purpose])
    return reachable_for_contract(customer, channel)


def view(customer: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """The customer's public record with the enrolment's facts as `contract_*` attributes (conditions read these)."""
    public = customer_from_item(customer)
    attributes = dict(public.get("attributes") or {})
    attributes.update({f"contract_{k}": v for k, v in facts.items()})
    public["attributes"] = attributes
    return public


def template_context(customer: Mapping[str, Any], target: Target, unsubscribe_url: str, today: date) -> dict[str, Any]:
    public = view(customer, target.facts)
    context = build_context(public, campaign_name=target.journey.name, unsubscribe_url=unsubscribe_url, today=today)
    context["contract"] = dict(target.facts)
    context["journey"] = {"id": target.journey.id, "name": target.journey.name}
    return context


class StepActions:
    """Turns a due step into a decision; the engine records and delivers it."""

    def __init__(
        self,
        unsubscribe_url: Callable[[str, str], str],
        opening: Callable[[Mapping[str, Any], str, datetime], datetime | None],
        local_date: Callable[[Mapping[str, Any], datetime], date],
    ) -> None:
        self.unsubscribe_url = unsubscribe_url  # (customer id, consent purpose) -> signed link
        self.opening = opening  # (customer, message purpose, now) -> when its window next opens, None if open
        self.local_date = local_date

    def decide(self, step: Step, target: Target, now: datetime) -> Decision:
        if step.action.kind == "call_task":
            return self._call(step, target, now)
        return self._message(step.action, step, target, now)

    def _call(self, step: Step, target: Target, now: datetime) -> Decision:
        customer = target.customer
        if not customer.get("phone"):
            return "unreachable"
        language = language_of(customer)
        # The list of the day it fell due, or today's when it is taken late (a paused journey resumed): a list
        # of a day gone by is one nobody calls from. A retry the same day finds the task already there.
        day = max(self.local_date(customer, target.due), self.local_date(customer, now))
        context = template_context(customer, target, "", day)
        context["note"] = step.action.note
        script = rendering.render(f"telegreeting/journey.{language}.txt.j2", context)
        return CallTask(
            customer_id=str(customer["id"]),
            name=str(customer.get("name") or ""),
            phone=str(customer["phone"]),
            occasion=f"journey:{target.journey.id}:{step.id}:{target.ref}",
            day=day,
            language=language,
            script=script,
        )

    def _message(self, action: Action, step: Step, target: Target, now: datetime) -> Decision:
        customer = target.customer
        channel = next((c for c in action.channels if may_use(customer, c, action.purpose)), None)
        if channel is None:
            return "no_consent" if action.purpose in CONSENT_FOR else "unreachable"
        customer_id = str(customer["id"])
        language = language_of(customer)
        consent = CONSENT_FOR.get(action.purpose)
        unsubscribe = self.unsubscribe_url(customer_id, consent) if channel == "email" and consent else ""
        context = template_context(customer, target, unsubscribe, self.local_date(customer, now))
        try:
            rendered = content.render(action, channel, language, context)
        except RenderError:
            return "render_error"
        occasion = f"journey:{target.journey.id}:{step.id}"
        opens = self.opening(customer, action.purpose, now)
        return Envelope(
            message_id=message_id(customer_id, occasion, target.ref, channel),
            customer_id=customer_id,
            channel=channel,
            purpose=action.purpose,
            occasion="journey",
            occasion_ref=f"{target.journey.id}#{step.id}#{target.ref}",
            language=language,
            text=rendered.text,
            subject=rendered.subject,
            html=rendered.html,
            whatsapp_template=rendered.whatsapp_template,
            unsubscribe_url=unsubscribe or None,
            not_before=stamp(opens) if opens else None,
            extra={"journey": target.journey.id, "step": step.id},
        )
