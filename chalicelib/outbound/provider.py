"""The port every channel adapter (WhatsApp, email) implements for the outbound worker.

Adapters only send and classify; they never retry. Retrying, holding and
giving up are decisions of the worker, which reads them from
`ProviderError.disposition`, so each provider's error codes stay inside its
adapter and the worker needs no knowledge of Graph or SES.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TypeVar


class Disposition(StrEnum):
    """What the worker should do with a message whose send failed."""

    RETRY = "retry"  # transient: retry soon, with backoff
    RETRY_LATER = "retry_later"  # rate limited for this recipient or number: retry after a longer delay
    HOLD_24H = "hold_24h"  # the provider will refuse again today: do not retry within 24 hours
    PERMANENT = "permanent"  # will never succeed as is: mark failed with the reason


@dataclass(frozen=True)
class SendResult:
    """Proof the provider accepted a message: its id is how delivery webhooks find it again."""

    provider_id: str


class ProviderError(Exception):
    """A send the provider did not accept, already classified for the worker.

    `reason` is short, fixed human text with no personal data, safe to store on
    the message record and show to operators. `alert` marks failures that no
    retry fixes and a person must (expired token, blocked account).
    """

    def __init__(
        self,
        code: str,
        reason: str,
        disposition: Disposition,
        *,
        retry_after_seconds: int | None = None,
        alert: bool = False,
        http_status: int | None = None,
        trace_id: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {reason} ({disposition.value})")
        self.code = code
        self.reason = reason
        self.disposition = disposition
        self.retry_after_seconds = retry_after_seconds
        self.alert = alert
        self.http_status = http_status
        self.trace_id = trace_id

    @property
    def retryable(self) -> bool:
        return self.disposition is not Disposition.PERMANENT

    def __repr__(self) -> str:
        return (
            f"ProviderError(code={self.code!r}, disposition={self.disposition.value}, "
            f"http_status={self.http_status!r}, retry_after_seconds={self.retry_after_seconds!r})"
        )


@dataclass(frozen=True)
class OutboundWhatsApp:
    """One WhatsApp message to send: a template, or free-form text inside the 24-hour window.

    `to` is E.164 (`+62812...`). Exactly one of `template_name` and `text` is set;
    outside the customer-service window only templates are allowed by Meta.
    """

    to: str
    template_name: str | None = None
    language_code: str = "id"
    body_parameters: list[str] = field(default_factory=list)
    text: str | None = None
    context_message_id: str | None = None
    # Echoed back by Meta in every status webhook: lets Sapa recognise its own message even
    # when a worker died before it could store the wamid.
    callback_data: str | None = None
    # An interactive list (the text is its body): rows of (id, title) the customer picks one of.
    list_rows: tuple[tuple[str, str], ...] = ()
    list_button: str | None = None

    def __post_init__(self) -> None:
        if (self.template_name is None) == (self.text is None):
            raise ValueError("exactly one of template_name and text must be set")
        if self.list_rows and self.text is None:
            raise ValueError("an interactive list needs a text for its body")

    @property
    def is_template(self) -> bool:
        return self.template_name is not None

    def __repr__(self) -> str:
        # The recipient and the text are personal data: keep them out of reprs, tracebacks and logs.
        kind = f"template={self.template_name!r}" if self.is_template else ("list" if self.list_rows else "text")
        return f"OutboundWhatsApp({kind}, to=***)"


MessageT_contra = TypeVar("MessageT_contra", contravariant=True)

# The message types adapters accept today; the email adapter adds its own.
OutboundMessage = OutboundWhatsApp


class Sender(Protocol[MessageT_contra]):
    """A channel adapter: sends one message or raises a classified `ProviderError`."""

    def send(self, message: MessageT_contra) -> SendResult: ...
