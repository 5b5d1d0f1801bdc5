"""What the campaigns API takes and answers, as pydantic models (the OpenAPI document's and the handlers')."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.campaigns.limits import CHANNELS, FIELDS, MAX_TEST_RECIPIENTS, NAME_MAX, READ_ONLY
from chalicelib.core.api_models import PageQuery, one_of
from chalicelib.core.errors import PYDANTIC_MESSAGES, ValidationFailed

M = TypeVar("M", bound=BaseModel)

Status = Literal["draft", "scheduled", "sending", "paused", "completed", "cancelled"]

StatusFilter = one_of("draft", "scheduled", "sending", "paused", "completed", "cancelled")


UNKNOWN_FIELD = f"unknown field; allowed: {', '.join(FIELDS)}"
SEND_AT_FORMAT = "must be an ISO 8601 time with a UTC offset, e.g. 2025-06-16T09:00:00+07:00"
REQUIRED: tuple[str, ...] = ("name", "channel", "template", "segment")


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("name", "is required: non-empty text")
    if len(value.strip()) > NAME_MAX:
        raise PydanticCustomError("name", f"must be at most {NAME_MAX} characters")
    return value.strip()


def _channel(value: Any) -> str:
    if value not in CHANNELS:
        raise PydanticCustomError("channel", f"is required: one of {', '.join(CHANNELS)}")
    return str(value)


def _template(value: Any) -> str | dict[str, Any]:
    if value is None:
        raise PydanticCustomError("template", "is required: a template name or an inline template object")
    if not isinstance(value, str | Mapping):
        raise PydanticCustomError("template", "must be a template name or an inline template object")
    return value if isinstance(value, str) else dict(value)


def _segment(value: Any, info: ValidationInfo) -> dict[str, Any]:
    """The filter in its canonical form (`segments.parse_segment`, with the tenant's own fields from the context)."""
    from chalicelib.campaigns.segments import InvalidSegment, parse_segment

    if value is None:
        raise PydanticCustomError("segment", 'is required: a filter object ({} or {"all": []} for everyone)')
    try:
        return parse_segment(value, tuple((info.context or {}).get("extra_fields", ()))).to_dict()
    except InvalidSegment as error:
        raise PydanticCustomError("segment", "is not a valid filter", {"fields": error.fields}) from None


def _send_at(value: Any) -> datetime | None:
    """An instant with its UTC offset, in UTC; whether it lies ahead is the campaign's rule (`model.validate_spec`)."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("send_at", SEND_AT_FORMAT)
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PydanticCustomError("send_at", SEND_AT_FORMAT) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PydanticCustomError(
            "send_at", "must include a UTC offset (+07:00 for WIB): a bare time is ambiguous across zones"
        )
    return moment.astimezone(UTC)


Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), BeforeValidator(_name)]
Channel = Annotated[Literal["whatsapp", "email"], BeforeValidator(_channel)]
Template = Annotated[
    str | dict[str, Any],
    Field(description="a stored template's key, or an inline template (text, subject, html)"),
    BeforeValidator(_template),
]
SegmentFilter = Annotated[dict[str, Any], Field(description="the audience filter"), BeforeValidator(_segment)]
SendAt = Annotated[
    datetime | None,
    Field(description="ISO 8601 with a UTC offset, in the future and within a year; null: not scheduled"),
    BeforeValidator(_send_at),
]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _kept() -> Any:
    """A PATCH field that may be left out (the stored value is kept) but not set to null: no default to document."""
    return Field(default=None, json_schema_extra=_no_default)


class CampaignChanges(BaseModel):
    """`PATCH /campaigns/{id}`: a field left out is kept, `"send_at": null` unschedules.

    The model checks each field; `model.validate_spec` merges them onto the
    stored campaign and applies the rules that need the clock or the other
    fields (a send_at ahead of now, a template for the channel that renders
    for sample customers, an e-mail with its unsubscribe link). The fields a
    campaign is read with (`id`, `status`, ...) are ignored, so a campaign as
    read may be sent back.
    """

    model_config = ConfigDict(extra="forbid")

    name: Name = _kept()
    channel: Channel = _kept()
    template: Template = _kept()
    segment: SegmentFilter = _kept()
    send_at: SendAt = None

    @model_validator(mode="before")
    @classmethod
    def _writable(cls, data: Any) -> Any:
        return {key: value for key, value in _json_object(data).items() if key not in READ_ONLY}


class CampaignBody(CampaignChanges):
    """`POST /campaigns`: all but `send_at` required (without it, a draft); checked as `CampaignChanges` is."""

    name: Name
    channel: Channel
    template: Template
    segment: SegmentFilter
    send_at: SendAt = None

    @model_validator(mode="before")
    @classmethod
    def _required(cls, data: Any) -> Any:
        """A missing field is refused in the same words as a null one ("is required: ...")."""
        return {**dict.fromkeys(REQUIRED), **data} if isinstance(data, Mapping) else data


def read_campaign(
    data: Any, model: type[CampaignChanges], extra_fields: Iterable[str] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields the request sets that its model accepts, and what is wrong with each of the others.

    Both at once, so the campaign's own rules can still judge the good fields
    and the answer names every bad field together.
    """
    context = {"extra_fields": tuple(extra_fields)}
    try:
        body = model.model_validate(data, context=context)
        return {key: getattr(body, key) for key in body.model_fields_set}, {}
    except ValidationError as error:
        errors = problems(error, unknown=UNKNOWN_FIELD)
    if not isinstance(data, Mapping):
        return {}, errors
    bad = {re.split(r"[.\[]", name, maxsplit=1)[0] for name in errors}
    rest = CampaignChanges.model_validate(
        {k: v for k, v in data.items() if k in FIELDS and k not in bad}, context=context
    )
    return {key: getattr(rest, key) for key in rest.model_fields_set}, errors


class Campaign(BaseModel):
    """A campaign as staff see it; `counts` and `fanout` once it has been read with its progress."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str | None
    channel: str | None
    template: Any = None
    segment: Any = None
    send_at: str | None = None
    status: str | None = None
    status_reason: str | None = None
    created_by: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class CampaignListQuery(PageQuery):
    status: StatusFilter = None


class Audience(BaseModel):
    """How many customers the segment matches now, how many may be sent promotions, and a sample of five."""

    model_config = ConfigDict(extra="allow")

    count: int
    with_consent: int
    exact: bool
    scanned: int
    sample: list[dict[str, Any]]


def _customer_id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise PydanticCustomError("customer_id", "is required: the id of a customer to render for")
    return value


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    customer_id: Annotated[
        str, Field(min_length=1, description="the customer to render the message for"), BeforeValidator(_customer_id)
    ]


class Preview(BaseModel):
    """The message one customer would get, and whether they would get it now."""

    model_config = ConfigDict(extra="allow")

    customer_id: str
    channel: str
    language: str


def _customer_ids(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise PydanticCustomError("customer_ids", f"is required: a list of 1 to {MAX_TEST_RECIPIENTS} customer ids")
    if len(value) > MAX_TEST_RECIPIENTS:
        raise PydanticCustomError("customer_ids", f"at most {MAX_TEST_RECIPIENTS} customers per test send")
    bad = {
        f"customer_ids[{i}]": "must be a customer id" for i, v in enumerate(value) if not isinstance(v, str) or not v
    }
    if bad:
        raise PydanticCustomError("customer_ids", "must be customer ids", {"fields": bad})
    if len(set(value)) != len(value):
        raise PydanticCustomError("customer_ids", "must not repeat a customer")
    return list(value)


class TestSendRequest(BaseModel):
    """No body (or no `customer_ids`): every customer marked `test_recipient`."""

    model_config = ConfigDict(extra="allow")

    customer_ids: Annotated[
        list[str] | None,
        Field(min_length=1, max_length=MAX_TEST_RECIPIENTS),
        BeforeValidator(_customer_ids),
    ] = Field(default=None, description="distinct ids of customers marked `test_recipient`")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        return _json_object(data)


class TestSend(BaseModel):
    model_config = ConfigDict(extra="allow")

    test_id: str
    results: list[dict[str, Any]]


class PauseRequest(BaseModel):
    """Why the campaign pauses (shown as its `status_reason`); the body may be left out."""

    model_config = ConfigDict(extra="allow")

    reason: str | None = None


# -- errors ----------------------------------------------------------------------------------


def _json_object(data: Any) -> Any:
    if not isinstance(data, Mapping):
        raise PydanticCustomError("body", "must be a JSON object")
    return data


def problems(error: ValidationError, unknown: str = PYDANTIC_MESSAGES["extra_forbidden"]) -> dict[str, str]:
    """A pydantic error as Sapa's `fields`: a validator that names several fields (a segment's paths) names each."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        named = (item.get("ctx") or {}).get("fields")
        if isinstance(named, Mapping):
            for name, problem in named.items():
                fields.setdefault(str(name), str(problem))
            continue
        kind = str(item.get("type"))
        name = ".".join(str(part) for part in item.get("loc", ())) or "body"
        message = unknown if kind == "extra_forbidden" else PYDANTIC_MESSAGES.get(kind, str(item.get("msg", "invalid")))
        fields.setdefault(name, message.removeprefix("Value error, "))
    return fields


def parse(model: type[M], data: Any, context: Mapping[str, Any] | None = None) -> M:
    """Validate data with one of these models; a 400 naming each field otherwise."""
    try:
        return model.model_validate(data, context=dict(context or {}))
    except ValidationError as error:
        raise ValidationFailed(problems(error)) from None
