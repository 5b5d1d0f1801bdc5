"""The SES adapter: one SESv2 SendEmail per message, HTML and plain text.

Promotional mail carries `List-Unsubscribe` and `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` (RFC 8058), which Gmail and Yahoo require of bulk
senders; a raw MIME message is the portable way to set them.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.outbound.provider import Disposition, ProviderError, SendResult

# SES errors that will not get better by retrying the same message.
PERMANENT_CODES = frozenset(
    {"MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException", "BadRequestException"}
)
THROTTLING_CODES = frozenset(
    {"TooManyRequestsException", "Throttling", "ThrottlingException", "LimitExceededException"}
)


@dataclass(frozen=True)
class OutboundEmail:
    to: str
    subject: str
    text: str
    html: str | None = None
    unsubscribe_url: str | None = None
    message_id: str | None = None  # Sapa's id, echoed in SES events as a tag

    def __repr__(self) -> str:
        return f"OutboundEmail(to=***, message_id={self.message_id!r})"


def build_mime(message: OutboundEmail, sender: str, sender_name: str) -> bytes:
    mime = EmailMessage()
    mime["From"] = Address(display_name=sender_name, addr_spec=sender)
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = make_msgid(domain=sender.split("@")[-1])
    if message.unsubscribe_url:
        mime["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    return bytes(mime)


class SesEmailSender:
    def __init__(self, sesv2: Any, sender: str, sender_name: str, configuration_set: str | None) -> None:
        self.sesv2 = sesv2
        self.sender = sender
        self.sender_name = sender_name
        self.configuration_set = configuration_set

    def send(self, message: OutboundEmail) -> SendResult:
        kwargs: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [message.to]},
            "Content": {"Raw": {"Data": build_mime(message, self.sender, self.sender_name)}},
        }
        if self.configuration_set:
            kwargs["ConfigurationSetName"] = self.configuration_set
        if message.message_id:
            kwargs["EmailTags"] = [{"Name": "sapa_message_id", "Value": message.message_id}]
        try:
            result = self.sesv2.send_email(**kwargs)
        except ClientError as error:
            raise classify(error) from error
        except BotoCoreError as error:
            raise ProviderError("transport", "SES could not be reached", Disposition.RETRY) from error
        provider_id = result.get("MessageId")
        if not provider_id:
            raise ProviderError("no_message_id", "SES answered without a MessageId", Disposition.RETRY)
        return SendResult(provider_id=str(provider_id))


def classify(error: ClientError) -> ProviderError:
    code = error.response.get("Error", {}).get("Code", "Unknown")
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in THROTTLING_CODES:
        return ProviderError(code, "SES throttled the send", Disposition.RETRY, http_status=status)
    if code in PERMANENT_CODES or (400 <= status < 500 and status != 429):
        return ProviderError(code, f"SES refused the message ({code})", Disposition.PERMANENT, http_status=status)
    return ProviderError(code, f"SES error {code}", Disposition.RETRY, http_status=status)
