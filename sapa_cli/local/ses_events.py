"""What SES does after it accepts a message, for the local stack: Send, then Delivery, Bounce or Complaint.

moto's SES accepts mail and keeps it, and publishes nothing for a
configuration set's event destination. This simulator reads the local AWS
endpoint's outbox (`sapa_cli.local.ses_outbox`) and, for each message sent
with Sapa's configuration set, publishes the events SES's event publishing
would to that set's SNS topic, in SES's own JSON shape (`eventType`, `mail`,
`delivery` / `bounce` / `complaint`, as in the SES developer guide's
examples). moto's SNS then delivers them to the `email-events` queue through
the same subscription as in AWS (raw message delivery, as the template sets
it), and the `record_email_event` consumer moves the message log.

Which outcome a recipient gets:
- SES's mailbox simulator addresses behave as they do in SES:
  `bounce@simulator.amazonses.com` hard-bounces (550 5.1.1 user unknown),
  `complaint@simulator.amazonses.com` is delivered and then complains,
  `suppressionlist@simulator.amazonses.com` bounces as on the suppression
  list, `success@...` is delivered (`bounce+label@...` works too).
- Every other address: a bounce or a complaint for a configurable share
  (`--email-bounce-rate`, `--email-complaint-rate`), chosen by a hash of the
  address, so the same recipient always gets the same outcome.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses
from typing import Any

from chalicelib.outbound.local_mail import OutboxSource, OutboxUnavailable, parse

SIMULATOR_DOMAIN = "simulator.amazonses.com"
REPORTING_MTA = "a8-70.smtp-out.ap-southeast-3.amazonses.com"
BOUNCE_DIAGNOSTIC = "smtp; 550 5.1.1 user unknown"
SUPPRESSED_DIAGNOSTIC = (
    "Amazon SES did not send the message to this address because it is on the suppression list for your account. "
    "For more information about removing addresses from the suppression list, see the Amazon SES Developer Guide "
    "at https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html"
)
COMPLAINT_USER_AGENT = "Yahoo!-Mail-Feedback/2.0"
MAX_HEADERS = 40


@dataclass(frozen=True)
class EventRates:
    """The local stack's SES behaviour (`sapa local --email-bounce-rate ...`)."""

    bounce: float = 0.0
    complaint: float = 0.0
    delay_seconds: float = 1.0

    @classmethod
    def from_env(cls, env: dict[str, str]) -> EventRates:
        def number(name: str, default: float, high: float | None = None) -> float:
            raw = (env.get(name) or "").strip()
            if not raw:
                return default
            value = float(raw)
            if value < 0 or (high is not None and value > high):
                raise ValueError(f"{name}={raw} is out of range")
            return value

        return cls(
            bounce=number("SAPA_EMAIL_BOUNCE_RATE", 0.0, 1.0),
            complaint=number("SAPA_EMAIL_COMPLAINT_RATE", 0.0, 1.0),
            delay_seconds=number("SAPA_EMAIL_EVENT_DELAY_SECONDS", 1.0),
        )


def share(address: str) -> float:
    """A number in [0, 1) fixed for this address: the same recipient always gets the same outcome."""
    digest = hashlib.sha256(address.strip().lower().encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def outcome(address: str, rates: EventRates) -> str:
    """delivery, bounce, suppressed or complaint (a complaint follows a delivery)."""
    local, _, domain = address.strip().lower().rpartition("@")
    if domain == SIMULATOR_DOMAIN:
        mailbox = local.split("+", 1)[0]
        return {"bounce": "bounce", "complaint": "complaint", "suppressionlist": "suppressed"}.get(mailbox, "delivery")
    drawn = share(address)
    if drawn < rates.bounce:
        return "bounce"
    if drawn < rates.bounce + rates.complaint:
        return "complaint"
    return "delivery"


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _feedback_id() -> str:
    return f"0100018{secrets.token_hex(6)}-{secrets.token_hex(4)}-{secrets.token_hex(2)}-000000"


def mail_object(record: dict[str, Any]) -> dict[str, Any]:
    """The event's `mail`: the original message as SES describes it (headers, common headers, tags as lists)."""
    mail = parse(record)
    source = str(record.get("source") or "")
    account = str(record.get("sending_account_id") or "123456789012")
    region = str(record.get("region") or "ap-southeast-3")
    tags: dict[str, list[str]] = {
        "ses:operation": ["SendEmail"],
        "ses:from-domain": [source.rpartition("@")[2]],
        "ses:caller-identity": ["local"],
        "ses:source-ip": ["127.0.0.1"],
    }
    if record.get("configuration_set"):
        tags["ses:configuration-set"] = [str(record["configuration_set"])]
    tags.update({name: [value] for name, value in mail.tags.items()})
    common: dict[str, Any] = {
        "from": [mail.sender],
        "to": [f"{name} <{addr}>" if name else addr for name, addr in getaddresses([mail.header("To") or ""])],
        "messageId": record.get("id"),
        "subject": mail.subject,
    }
    if mail.header("Date"):
        common["date"] = mail.header("Date")
    return {
        "timestamp": record.get("sent_at"),
        "source": source,
        "sourceArn": f"arn:aws:ses:{region}:{account}:identity/{source.rpartition('@')[2]}",
        "sendingAccountId": account,
        "messageId": record.get("id"),
        "destination": list(mail.to),
        "headersTruncated": len(mail.headers) > MAX_HEADERS,
        "headers": [{"name": name, "value": value} for name, value in mail.headers[:MAX_HEADERS]],
        "commonHeaders": common,
        "tags": tags,
    }


def events_for(record: dict[str, Any], recipient: str, rates: EventRates, accepted: datetime) -> list[dict[str, Any]]:
    """SES's event-publishing notifications for one recipient of one accepted message, in order."""
    mail = mail_object(record)
    done = accepted + timedelta(seconds=rates.delay_seconds)
    send = {"eventType": "Send", "mail": mail, "send": {}}
    kind = outcome(recipient, rates)
    delivery = {
        "eventType": "Delivery",
        "mail": mail,
        "delivery": {
            "timestamp": _iso(done),
            "processingTimeMillis": int(rates.delay_seconds * 1000),
            "recipients": [recipient],
            "smtpResponse": "250 2.0.0 OK  1733155200 local.sapa - gsmtp",
            "reportingMTA": REPORTING_MTA,
            "remoteMtaIp": "127.0.0.1",
        },
    }
    if kind == "delivery":
        return [send, delivery]
    if kind in ("bounce", "suppressed"):
        bounce = {
            "eventType": "Bounce",
            "mail": mail,
            "bounce": {
                "feedbackId": _feedback_id(),
                "bounceType": "Permanent",
                "bounceSubType": "General" if kind == "bounce" else "OnAccountSuppressionList",
                "bouncedRecipients": [
                    {
                        "emailAddress": recipient,
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnosticCode": BOUNCE_DIAGNOSTIC if kind == "bounce" else SUPPRESSED_DIAGNOSTIC,
                    }
                ],
                "timestamp": _iso(done),
                "reportingMTA": f"dns; {REPORTING_MTA}",
            },
        }
        return [send, bounce]
    complaint = {
        "eventType": "Complaint",
        "mail": mail,
        "complaint": {
            "feedbackId": _feedback_id(),
            "complaintSubType": None,
            "complainedRecipients": [{"emailAddress": recipient}],
            "timestamp": _iso(done + timedelta(seconds=rates.delay_seconds)),
            "userAgent": COMPLAINT_USER_AGENT,
            "complaintFeedbackType": "abuse",
            "arrivalDate": _iso(done),
        },
    }
    return [send, delivery, complaint]


@dataclass(order=True)
class _Due:
    at: datetime
    order: int
    body: str = field(compare=False)


class SesEventSimulator:
    """Reads the outbox after a cursor; publishes each message's events once their time has come."""

    def __init__(
        self,
        fetch: OutboxSource,
        publish: Callable[[str], None],
        rates: EventRates,
        configuration_set: str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        log: Callable[[str], None] = print,
    ) -> None:
        self.fetch = fetch
        self.publish = publish
        self.rates = rates
        self.configuration_set = configuration_set
        self.clock = clock
        self.log = log
        self.after = 0
        self._due: list[_Due] = []
        self._order = 0

    def poll_once(self) -> int:
        """Schedule the events of the messages accepted since the last poll; returns how many messages."""
        records = self.fetch(self.after)
        for record in records:
            self.after = max(self.after, int(record.get("seq") or 0))
            if record.get("configuration_set") != self.configuration_set:
                continue  # SES publishes events only through a configuration set's destinations
            now = self.clock()
            for recipient in record.get("destinations") or []:
                for step, event in enumerate(events_for(record, str(recipient), self.rates, now)):
                    self._order += 1
                    at = now + timedelta(seconds=self.rates.delay_seconds * min(step, 2))
                    self._due.append(_Due(at, self._order, json.dumps(event, ensure_ascii=False)))
        return len(records)

    def flush(self) -> int:
        """Publish every event whose time has come, in order; returns how many."""
        now = self.clock()
        ready = sorted(d for d in self._due if d.at <= now)
        for due in ready:
            self.publish(due.body)
            self._due.remove(due)
        return len(ready)

    def run(self, stop: threading.Event, every: float = 0.5) -> None:
        while not stop.is_set():
            try:
                self.poll_once()
                self.flush()
            except OutboxUnavailable:
                pass  # the endpoint is starting or stopping
            except Exception as error:  # noqa: BLE001 - keep simulating, as SES keeps sending events
                self.log(f"[runner] SES events: {type(error).__name__}: {error}")
            stop.wait(every)


def sns_publisher(sns: Any, topic_arn: str) -> Callable[[str], None]:
    def publish(body: str) -> None:
        sns.publish(TopicArn=topic_arn, Message=body)

    return publish
