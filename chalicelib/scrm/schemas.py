"""What the scrm API (webhooks, inbox, standard replies, leads, metrics) takes and answers, as pydantic models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

MAX_REPLY_TEXT = 4096  # WhatsApp's limit for a text message body
MAX_REPLY_TITLE = 100


class MetaHandshakeQuery(BaseModel):
    """Meta's subscription handshake: `hub.challenge` is echoed when `hub.verify_token` matches."""

    model_config = ConfigDict(extra="forbid")

    hub_mode: str | None = Field(default=None, alias="hub.mode")
    hub_verify_token: str | None = Field(default=None, alias="hub.verify_token")
    hub_challenge: str | None = Field(default=None, alias="hub.challenge")


class MetaSignature(BaseModel):
    signature: str | None = Field(
        default=None,
        alias="X-Hub-Signature-256",
        description="sha256=<HMAC of the raw body with the app secret>; a bad or missing one is a 403",
    )


class MetaEvent(BaseModel):
    """A webhook delivery as Meta sends it (WhatsApp, Messenger, Instagram, page feed); read from the raw bytes."""

    model_config = ConfigDict(extra="allow")

    object: str | None = None
    entry: list[dict[str, Any]] | None = None


class WebhookAccepted(BaseModel):
    received: bool
    queued: bool


class ConversationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500, description="items per page")
    cursor: str | None = Field(default=None, description="the `next` of the previous page")
    status: Literal["open", "answered", "resolved"] | None = None
    channel: Literal["whatsapp", "instagram", "facebook"] | None = None
    category: Literal["complaint", "question", "lead", "praise", "other"] | None = None
    priority: int | None = Field(default=None, ge=1, le=4, description="1 is the most urgent")
    assignee: str | None = None


class ConversationPageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=200, ge=1, le=200, description="events per page")
    cursor: str | None = Field(default=None, description="the `next` of the previous page")


class Conversation(BaseModel):
    """A conversation in the inbox: who, on which channel, what it is about and where it stands."""

    model_config = ConfigDict(extra="allow")

    id: str
    channel: str | None = None
    status: str | None = None
    topics: list[str] = Field(default_factory=list)


class ConversationDetail(Conversation):
    events: list[dict[str, Any]]
    next: str | None


class ReplyRequest(BaseModel):
    """An agent's answer: `text`, or the id of a standard reply (`reply_id`)."""

    model_config = ConfigDict(extra="allow")

    text: str | None = Field(default=None, max_length=MAX_REPLY_TEXT)
    reply_id: str | None = None


class IdempotencyKey(BaseModel):
    key: str | None = Field(
        default=None, alias="Idempotency-Key", description="the same key answers the same reply once"
    )


class ReplySent(BaseModel):
    model_config = ConfigDict(extra="allow")

    message_id: str
    status: str
    channel: str | None
    conversation: Conversation


class AssignRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    agent: str = Field(min_length=1, max_length=100)


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    customer_id: str = Field(min_length=1)


def _text(limit: int) -> Any:
    def validate(value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise PydanticCustomError("text", f"required text of at most {limit} characters")
        return value.strip()

    return BeforeValidator(validate)


def _topic(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 50):
        raise PydanticCustomError("topic", "must be a short label")
    return value.strip() if isinstance(value, str) else None


def _language(value: Any) -> str:
    if value not in ("id", "en"):
        raise PydanticCustomError("language", "must be id or en")
    return str(value)


class StandardReplyBody(BaseModel):
    """A standard reply agents pick instead of typing the same answer again."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, _text(MAX_REPLY_TITLE)] = Field(min_length=1, max_length=MAX_REPLY_TITLE)
    text: Annotated[str, _text(MAX_REPLY_TEXT)] = Field(min_length=1, max_length=MAX_REPLY_TEXT)
    language: Annotated[Literal["id", "en"], BeforeValidator(_language)] = "id"
    topic: Annotated[str | None, BeforeValidator(_topic)] = Field(default=None, min_length=1, max_length=50)


class StandardReply(BaseModel):
    id: str
    title: str | None
    text: str | None
    language: str | None
    topic: str | None
    created_by: str | None
    created_at: str | None


class ReplyListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500, description="items per page")
    cursor: str | None = Field(default=None, description="the `next` of the previous page")
    language: Literal["id", "en"] | None = None


class Lead(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str


class MetricsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str | None = Field(default=None, alias="from", description="YYYY-MM-DD; a week before `to` when left out")
    to: str | None = Field(default=None, description="YYYY-MM-DD; today when left out; at most 92 days after `from`")
    sla_hours: float | None = Field(default=None, gt=0, le=720, description="first-response target in hours")


class MetricsReport(BaseModel):
    model_config = ConfigDict(extra="allow")

    from_: str = Field(alias="from")
    to: str
    days: list[dict[str, Any]]
