"""What the scrm API (webhooks, inbox, standard replies, leads, metrics) takes and answers, as pydantic models."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from chalicelib.core.api_models import Cursor, EventLimit, PageQuery, Text, one_of

MAX_REPLY_TEXT = 4096  # WhatsApp's limit for a text message body
MAX_REPLY_TITLE = 100
MAX_AGENT_NAME = 100
MAX_TEMPLATE_NAME = 512
MAX_TEMPLATE_PARAMETERS = 10
MAX_PARAMETER_TEXT = 1024

StatusFilter = one_of("open", "answered", "resolved")
ChannelFilter = one_of("whatsapp", "instagram", "facebook", "web")
CategoryFilter = one_of("complaint", "question", "lead", "praise", "other")
SentimentFilter = one_of("negative", "neutral", "positive")
TopicFilter = one_of(
    "installment", "due_date", "bpkb", "stnk_tax", "insurance", "early_payoff", "promo", "app", "other"
)
LanguageFilter = one_of("id", "en")


class MetaHandshakeQuery(BaseModel):
    """Meta's subscription handshake: `hub.challenge` is echoed when `hub.verify_token` matches."""

    model_config = ConfigDict(extra="forbid")

    hub_mode: Text = Field(default=None, alias="hub.mode")
    hub_verify_token: Text = Field(default=None, alias="hub.verify_token")
    hub_challenge: Text = Field(default=None, alias="hub.challenge")


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


def _priority(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if not str(value).isdigit() or not 1 <= int(value) <= 4:
        raise PydanticCustomError("priority", "must be 1 (most urgent) to 4")
    return int(value)


class ConversationQuery(PageQuery):
    status: StatusFilter = None
    channel: ChannelFilter = None
    category: CategoryFilter = None
    priority: Annotated[int | None, Field(ge=1, le=4), BeforeValidator(_priority)] = Field(
        default=None, description="1 is the most urgent"
    )
    sentiment: SentimentFilter = None
    topic: TopicFilter = None
    assignee: Text = Field(default=None, description="an agent's name, or `none` for the team queue (unassigned)")
    past_sla: one_of("true", "false") = Field(  # type: ignore[valid-type]
        default=None, description="true: only open conversations waiting longer than the SLA"
    )


class ConversationPageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: EventLimit = 200
    cursor: Cursor = None


class Conversation(BaseModel):
    """A conversation in the inbox: who, on which channel, what it is about and where it stands."""

    model_config = ConfigDict(extra="allow")

    id: str
    channel: str | None = None
    customer_id: str | None = None
    sender_id: str | None = None
    sender_name: str | None = None
    category: str | None = None
    sentiment: str | None = None
    sentiment_score: float | None = None
    topics: list[str] = Field(default_factory=list)
    language: str | None = None
    priority: int | None = None
    status: str | None = None
    needs_agent: bool | None = None
    assignee: str | None = None
    preview: str | None = None
    reply_target: str | None = None
    created_at: str | None = None
    last_event_at: str | None = None
    last_inbound_at: str | None = None
    waiting_since: str | None = None
    window_at: str | None = None
    first_response_at: str | None = None
    first_response_by: str | None = None
    first_response_seconds: float | None = None
    resolved_at: str | None = None
    resolution_seconds: float | None = None
    event_count: int | None = None
    is_test: bool | None = None
    lead_id: str | None = None
    csat: int | None = Field(default=None, ge=1, le=5, description="the customer's satisfaction answer, 1 to 5")
    csat_at: str | None = None
    csat_asked_at: str | None = Field(default=None, description="when the satisfaction question was sent")


class InboxSummary(BaseModel):
    """The open queue at a glance: `mine` counts the caller's conversations."""

    open: int
    unassigned: int
    mine: int
    past_sla: int
    newest_inbound_at: str | None
    sla_hours: float


class ConversationDetail(Conversation):
    events: list[dict[str, Any]]
    next: str | None


def _reply_id(value: Any) -> str | None:
    if not value:
        return None  # left out, null or empty: the reply is its `text`
    if not isinstance(value, str):
        raise PydanticCustomError("reply_id", "must be the id of a standard reply")
    return value


def _template_name(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > MAX_TEMPLATE_NAME:
        raise PydanticCustomError("template", "must be the name of an approved template (GET /scrm/templates)")
    return value


def _parameters(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_TEMPLATE_PARAMETERS:
        raise PydanticCustomError("parameters", f"must be a list of at most {MAX_TEMPLATE_PARAMETERS} texts")
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_PARAMETER_TEXT:
            raise PydanticCustomError("parameters", f"each parameter is a text of 1 to {MAX_PARAMETER_TEXT} characters")
    return [item.strip() for item in value]


def _reply_text(value: Any, info: ValidationInfo) -> str | None:
    if value is None and (info.data.get("reply_id") or info.data.get("template")):
        return None  # the standard reply's text or the template's, looked up by the inbox
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("text", "required: the reply to send")
    if len(value) > MAX_REPLY_TEXT:
        raise PydanticCustomError("text", f"at most {MAX_REPLY_TEXT} characters")
    return value.strip()


class ReplyRequest(BaseModel):
    """An agent's answer: `text`, the id of a standard reply (`reply_id`), or an approved WhatsApp `template`
    with its `parameters` (the only kind WhatsApp allows outside the 24-hour window); `text` wins over
    `reply_id` when both are given."""

    model_config = ConfigDict(extra="allow")

    reply_id: Annotated[str | None, BeforeValidator(_reply_id)] = Field(
        default=None, description="a standard reply's id (GET /scrm/replies), sent as its text"
    )
    template: Annotated[str | None, BeforeValidator(_template_name)] = Field(
        default=None, description="an approved WhatsApp template's name (GET /scrm/templates)"
    )
    parameters: Annotated[list[str], BeforeValidator(_parameters)] = Field(
        default_factory=list, description="the template's body parameters, in order"
    )
    text: Annotated[str | None, Field(min_length=1, max_length=MAX_REPLY_TEXT), BeforeValidator(_reply_text)] = Field(
        default=None, validate_default=True, description="required unless `reply_id` is given"
    )


class WhatsAppTemplate(BaseModel):
    """An approved WhatsApp template: `parameters` names what each {{n}} of its body stands for."""

    name: str
    language: str
    occasion: str
    parameters: list[str]
    body: str | None


class TemplateList(BaseModel):
    items: list[WhatsAppTemplate]


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


def _agent(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_AGENT_NAME:
        raise PydanticCustomError("agent", f"required name of at most {MAX_AGENT_NAME} characters")
    return value


def _customer_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("customer_id", "required")
    return value


class AssignRequest(BaseModel):
    """The agent the conversation is assigned to (a name, as staff write it)."""

    model_config = ConfigDict(extra="ignore")

    agent: Annotated[str, Field(min_length=1, max_length=MAX_AGENT_NAME), BeforeValidator(_agent)]


class LinkRequest(BaseModel):
    """The known customer this conversation's sender is."""

    model_config = ConfigDict(extra="ignore")

    customer_id: Annotated[str, Field(min_length=1), BeforeValidator(_customer_id)]


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


class ReplyListQuery(PageQuery):
    language: LanguageFilter = None


class Lead(BaseModel):
    """Someone who asked about a product in a conversation: for a call back."""

    model_config = ConfigDict(extra="allow")

    id: str
    conversation_id: str | None = None
    customer_id: str | None = None
    channel: str | None = None
    name: str | None = None
    phone: str | None = None
    topics: list[str] | None = None
    language: str | None = None
    text: str | None = None
    status: str | None = None
    created_at: str | None = None


def _report_day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        raise PydanticCustomError("date", "must be a date, YYYY-MM-DD") from None
    if not 2000 <= day.year <= 2100:
        raise PydanticCustomError("date", "must be a date between 2000 and 2100")
    return day


ReportDay = Annotated[date | None, WithJsonSchema({"type": "string", "format": "date"}), BeforeValidator(_report_day)]


def _sla_hours(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        hours = float(value)
    except (TypeError, ValueError):
        hours = -1
    if not 0 < hours <= 24 * 30:
        raise PydanticCustomError("sla_hours", "must be a number of hours between 0 and 720")
    return hours


class MetricsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: ReportDay = Field(default=None, alias="from", description="YYYY-MM-DD; a week before `to` when left out")
    to: ReportDay = Field(
        default=None,
        description="YYYY-MM-DD; today when left out; at most 92 days after `from`, or 731 by month",
    )
    granularity: one_of("day", "month") = Field(  # type: ignore[valid-type]
        default=None,
        description="`day` (the default): one row per day, at most 92 days; `month`: whole months from the one "
        "holding `from` to the one holding `to`, at most 731 days, percentiles from per-month histograms",
    )
    sla_hours: Annotated[float | None, Field(gt=0, le=720), BeforeValidator(_sla_hours)] = Field(
        default=None, description="first-response target in hours"
    )


class MetricsReport(BaseModel):
    model_config = ConfigDict(extra="allow")

    granularity: str = Field(default="day", description="`day` or `month`")
    from_: str = Field(alias="from")
    to: str
    days: list[dict[str, Any]] = Field(description="one row per day (empty by month)")
    months: list[dict[str, Any]] | None = Field(default=None, description="one row per month, by month only")
    csat_average: float | None = Field(
        default=None, ge=1, le=5, description="mean satisfaction answer (1-5) in the period; null when none"
    )
    csat_response_rate: float | None = Field(
        default=None,
        ge=0,
        description="satisfaction answers per question asked in the period; null when none was asked",
    )
