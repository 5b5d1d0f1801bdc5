"""What the campaigns API takes and answers, as pydantic models (the OpenAPI document's and the handlers')."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.campaigns.model import MAX_TEST_RECIPIENTS
from chalicelib.core.api_models import Cursor, Limit, one_of
from chalicelib.core.errors import PYDANTIC_MESSAGES, ValidationFailed

M = TypeVar("M", bound=BaseModel)

Status = Literal["draft", "scheduled", "sending", "paused", "completed", "cancelled"]

StatusFilter = one_of("draft", "scheduled", "sending", "paused", "completed", "cancelled")


class CampaignBody(BaseModel):
    """`POST /campaigns` (all but `send_at` required) and `PATCH /campaigns/{id}` (a field left out is kept).

    `validate_spec` checks it together (template rules depend on the channel)
    and renders the template for sample customers: what cannot render, or an
    e-mail without its unsubscribe link, is refused now.
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=120)
    channel: Literal["whatsapp", "email"] | None = None
    template: str | dict[str, Any] | None = Field(
        default=None, description="a stored template's key, or an inline template (text, subject, html)"
    )
    segment: dict[str, Any] | None = Field(default=None, description="the audience filter")
    send_at: str | None = Field(
        default=None, description="ISO 8601 with a UTC offset, in the future; null unschedules (PATCH)"
    )


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


class CampaignListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Limit = 50
    cursor: Cursor = None
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
