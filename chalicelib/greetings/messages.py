"""Turn a customer and an occasion into the message to send, or a call to make.

Channel rule: WhatsApp when the customer consented to greetings there, else
e-mail when consented, else a telegreeting call (when there is a phone).
Every text is rendered from templates/; WhatsApp business-initiated messages
use the Meta-approved template mapped in templates/whatsapp_templates.json,
and the jinja2 rendering is what the message log shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from chalicelib.core import rendering
from chalicelib.customers.consent import allows
from chalicelib.customers.model import customer_from_item
from chalicelib.greetings.birthdays import years_between
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id

GREETING_CHANNELS = ("whatsapp", "email")
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Occasion:
    """What is being greeted: a birthday or one holiday, on one local date."""

    kind: str  # "birthday" or "holiday"
    day: date
    holiday_key: str | None = None
    holiday_name: str | None = None
    template: str | None = None  # an override's template folder under templates/greetings/
    channels: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        return "birthday" if self.kind == "birthday" else f"holiday:{self.holiday_key}"


@dataclass(frozen=True)
class CallTask:
    customer_id: str
    name: str
    phone: str
    occasion: str
    day: date
    language: str
    script: str
    kind: str = "telegreeting"  # or "reminder": a collection call from the reminder ladder


Decision = Envelope | CallTask | str  # a message, a call, or the reason nobody is contacted


@lru_cache(maxsize=1)
def whatsapp_templates() -> dict[str, Any]:
    return json.loads((rendering.TEMPLATES_DIR / "whatsapp_templates.json").read_text())


def context_for(customer: Mapping[str, Any], occasion: Occasion, unsubscribe_url: str) -> dict[str, Any]:
    public = customer_from_item(customer)
    attributes = public.get("attributes") or {}
    vehicle = " ".join(str(attributes[k]) for k in ("vehicle_brand", "vehicle_model") if attributes.get(k)) or None
    years = None
    start = attributes.get("contract_start")
    if isinstance(start, str):
        try:
            years = years_between(date.fromisoformat(start), occasion.day)
        except ValueError:
            years = None
    view = {
        **public,
        "first_name": rendering.first_name(public.get("name")),
        "vehicle": vehicle,
        "years_as_customer": years,
    }
    language = public.get("language") if public.get("language") in LANGUAGES else "id"
    view["vehicle_or_default"] = vehicle or ("kendaraan Anda" if language == "id" else "your vehicle")
    holiday = {"key": occasion.holiday_key, "name": occasion.holiday_name, "year": occasion.day.year}
    return {"customer": view, "holiday": holiday, "unsubscribe_url": unsubscribe_url, "today": occasion.day}


def _folder(occasion: Occasion) -> str:
    if occasion.template:
        custom = f"greetings/{occasion.template}"
        if rendering.exists(f"{custom}/whatsapp.id.txt.j2"):
            return custom
    return f"greetings/{occasion.kind}"


def resolve(path: str, context: Mapping[str, Any]) -> str:
    """A template parameter named by its dotted path in the render context (`customer.name`); blank when absent."""
    value: Any = context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return "" if value is None else str(value)


def choose_channel(customer: Mapping[str, Any], allowed: tuple[str, ...] | None) -> str | None:
    for channel in GREETING_CHANNELS:
        if allowed is not None and channel not in allowed:
            continue
        contact = customer.get("phone") if channel == "whatsapp" else customer.get("email")
        if contact and allows(customer.get("consents"), channel, "greetings"):
            return channel
    return None


def decide(customer: Mapping[str, Any], occasion: Occasion, unsubscribe_url: Callable[[str], str]) -> Decision:
    """The envelope to queue, the call to make, or why this customer is not contacted."""
    language = customer.get("language") if customer.get("language") in LANGUAGES else "id"
    channel = choose_channel(customer, occasion.channels)
    customer_id = str(customer["id"])
    context = context_for(customer, occasion, unsubscribe_url(customer_id) if channel == "email" else "")
    folder = _folder(occasion)
    if channel is None:
        if not customer.get("phone"):
            return "unreachable"
        script = rendering.render(f"telegreeting/{occasion.kind}.{language}.txt.j2", context)
        return CallTask(
            customer_id,
            str(customer.get("name", "")),
            str(customer["phone"]),
            occasion.name,
            occasion.day,
            language,
            script,
        )
    if channel == "whatsapp":
        text = rendering.render(f"{folder}/whatsapp.{language}.txt.j2", context)
        mapping = whatsapp_templates()[occasion.kind][language]
        template = {
            "name": mapping["name"],
            "language": mapping["language"],
            "params": [resolve(p, context) for p in mapping["params"]],
        }
        subject = html = None
    else:
        text = rendering.render(f"{folder}/email.{language}.txt.j2", context)
        subject = rendering.render(f"{folder}/email.{language}.subject.j2", context)
        html = rendering.render(f"{folder}/email.{language}.html.j2", context)
        template = None
    return Envelope(
        message_id=message_id(customer_id, occasion.name, occasion.day.isoformat(), channel),
        customer_id=customer_id,
        channel=channel,
        purpose="greeting",
        occasion=occasion.kind,
        occasion_ref=occasion.day.isoformat(),
        language=language,
        text=text,
        subject=subject,
        html=html,
        whatsapp_template=template,
        unsubscribe_url=context["unsubscribe_url"] or None,
        extra={"holiday": occasion.holiday_key} if occasion.holiday_key else {},
    )
