"""One step for one installment or service date: the message to queue, the call to make, or why nobody is.

Reminders rest on the contract (UU PDP Pasal 20 huruf b), so they need no
greeting or promotion consent; they still never use a channel the customer
withdrew from (`customers.consent.reachable_for_contract`). The idempotency
key is (customer, step, installment or service date) without the channel:
each step reaches a customer once whatever retries happen, even if the
channel chosen would differ on a retry. Every text is a template under
templates/reminders/; WhatsApp uses the Meta-approved utility templates
mapped in templates/whatsapp_templates.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.core import rendering
from chalicelib.customers.consent import reachable_for_contract
from chalicelib.greetings.messages import CallTask, resolve, whatsapp_templates
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id, stamp
from chalicelib.reminders.ladder import Ladder, LadderStep, when

LANGUAGES = ("id", "en")
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip


def long_date(day: date, language: str) -> str:
    """ "5 Desember 2026" / "5 December 2026": a date as the customer reads it, never ISO."""
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Due:
    """What the index returned for one step: an unpaid installment or an open service date of a contract."""

    item: Mapping[str, Any]
    step: LadderStep

    @property
    def contract_no(self) -> str:
        return str(self.item["contract_no"])

    @property
    def customer_id(self) -> str:
        return str(self.item["customer_id"])

    @property
    def ref(self) -> str:
        """Which occurrence the step is for: one installment, or one service date (a new tax year is new)."""
        if self.step.kind == "installment":
            return f"{self.contract_no}#{int(self.item['number']):03d}"
        return f"{self.contract_no}#{self.step.kind}#{self.item['date']}"

    @property
    def occasion(self) -> str:
        return f"reminder:{self.step.key}" if self.step.kind == "installment" else f"service:{self.step.key}"


Decision = Envelope | CallTask | str


def _vehicle_text(vehicle: Any, language: str) -> str:
    if isinstance(vehicle, Mapping):
        words = [str(vehicle.get(k)) for k in ("brand", "model") if vehicle.get(k)]
        plate = vehicle.get("plate")
        text = " ".join(words)
        if plate:
            text = f"{text} {plate}".strip()
        if text:
            return text
    return "kendaraan Anda" if language == "id" else "your vehicle"


def context_for(customer: Mapping[str, Any], due: Due, contract: Mapping[str, Any], ladder: Ladder) -> dict[str, Any]:
    language = language_of(customer)
    item = due.item
    permille = ladder.late_fee_permille_per_day
    percent = f"{permille / 10:.1f}".rstrip("0").rstrip(".")
    late_fee = {
        "id": f"Keterlambatan dikenakan denda {percent.replace('.', ',')}% per hari dari angsuran." if permille else "",
        "en": f"A late charge of {percent}% of the installment applies per day." if permille else "",
    }
    view: dict[str, Any] = {
        "customer": {
            "name": str(customer.get("name") or ""),
            "first_name": rendering.first_name(customer.get("name")),
        },
        "contract": {
            "contract_no": due.contract_no,
            "virtual_account": str(contract.get("virtual_account") or ""),
            "vehicle_text": _vehicle_text(contract.get("vehicle"), language),
            "product": contract.get("product"),
        },
        "step": {"name": due.step.step, "when": when(due.step.days), "days": due.step.days,
                 "overdue": due.step.overdue},
        "late_fee": late_fee,
    }  # fmt: skip
    if due.step.kind == "installment":
        pay_by = date.fromisoformat(str(item["pay_by"]))
        view["installment"] = {
            "number": int(item["number"]),
            "amount_text": rendering.rupiah(item["amount"]),
            "pay_by": pay_by.isoformat(),
            "pay_by_text": long_date(pay_by, language),
            "due_date": str(item.get("due_date") or pay_by.isoformat()),
        }
    else:
        on = date.fromisoformat(str(item["date"]))
        storage = date.fromordinal(on.toordinal() + ladder.bpkb_storage_fee_after_days)
        view["service"] = {
            "kind": due.step.kind,
            "date": on.isoformat(),
            "date_text": long_date(on, language),
            "storage_fee_text": long_date(storage, language),
        }
    return view


def language_of(customer: Mapping[str, Any]) -> str:
    return str(customer.get("language")) if customer.get("language") in LANGUAGES else "id"


def _template_name(step: LadderStep) -> str:
    if step.kind == "installment":
        return "reminder_installment_overdue" if step.overdue else "reminder_installment"
    return f"reminder_{step.kind}"


def decide(
    customer: Mapping[str, Any] | None,
    due: Due,
    contract: Mapping[str, Any],
    ladder: Ladder,
    opening: datetime | None,
    call_day: date,
) -> Decision:
    """The envelope (waiting until `opening` when the window is closed), a call task, or the reason for none."""
    if customer is None:
        return "customer_erased"
    if str(customer.get("id")) != due.customer_id:
        return "customer_mismatch"
    step = due.step
    channel = next((c for c in step.channels if reachable_for_contract(customer, c)), None)
    language = language_of(customer)
    context = context_for(customer, due, contract, ladder)
    if channel is None:
        if step.call_task and customer.get("phone"):
            return CallTask(
                customer_id=due.customer_id,
                name=str(customer.get("name") or ""),
                phone=str(customer["phone"]),
                occasion=f"{due.occasion}:{due.ref}",
                day=call_day,
                language=language,
                script=rendering.render(f"telereminder/overdue.{language}.txt.j2", context),
                kind="reminder",
            )
        return "unreachable"
    folder = f"reminders/{step.kind}"
    subject = template = None
    if channel == "whatsapp":
        text = rendering.render(f"{folder}/whatsapp.{language}.txt.j2", context)
        mapping = whatsapp_templates()[_template_name(step)][language]
        template = {
            "name": mapping["name"],
            "language": mapping["language"],
            "params": [resolve(p, context) for p in mapping["params"]],
        }
    else:
        text = rendering.render(f"{folder}/email.{language}.txt.j2", context)
        subject = rendering.render(f"{folder}/email.{language}.subject.j2", context)
    extra: dict[str, Any] = {"step": step.step, "when": when(step.days), "contract_no": due.contract_no}
    if step.kind == "installment":
        extra["installment_no"] = int(due.item["number"])
    else:
        extra["service"] = step.kind
        extra["service_date"] = str(due.item["date"])
    return Envelope(
        # Without the channel: one step reaches the customer once, on whichever channel it was first given.
        message_id=message_id(due.customer_id, due.occasion, due.ref, "reminder"),
        customer_id=due.customer_id,
        channel=channel,
        purpose=step.purpose,
        occasion="reminder" if step.kind == "installment" else "service",
        occasion_ref=due.ref,
        language=language,
        text=text,
        subject=subject,
        whatsapp_template=template,
        not_before=stamp(opening) if opening else None,
        extra=extra,
    )
