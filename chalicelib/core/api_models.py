"""The shapes every part of the API shares: the error body, a page of items and the paging query."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from chalicelib.core.http import DEFAULT_LIMIT, MAX_LIMIT

T = TypeVar("T")


class ErrorBody(BaseModel):
    """Every 4xx: a code to branch on, a sentence for people, and the fields at fault by dotted location."""

    model_config = ConfigDict(extra="forbid")

    error: str = Field(description="machine-readable code, e.g. validation_error, not_found, conflict")
    message: str
    fields: dict[str, str] | None = Field(default=None, description='{"a.b": "what is wrong"} when input was invalid')


class Page(BaseModel, Generic[T]):
    """The one list shape: `next` is an opaque cursor for the following page, or null on the last."""

    items: list[T]
    next: str | None


class Health(BaseModel):
    status: str = Field(description='"ok", or "unavailable" with the failing dependencies')
    stage: str
    version: str
    failing: list[str] | None = None


# -- query-string fields: a query string is text, an empty value is the same as none --------------


def limit_field(default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> Any:
    """`?limit=`: the page size, in the wording of `http.limit_param`."""

    def check(value: Any) -> int:
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise PydanticCustomError("limit", "must be an integer") from None
        if not 1 <= number <= maximum:
            raise PydanticCustomError("limit", f"must be between 1 and {maximum}")
        return number

    return Annotated[int, Field(ge=1, le=maximum, description="items per page"), BeforeValidator(check)]


def one_of(*values: str) -> Any:
    """An optional filter that takes one of these values (empty: no filter)."""

    def check(value: Any) -> str | None:
        if value in (None, ""):
            return None
        if value not in values:
            raise PydanticCustomError("one_of", f"must be one of {', '.join(values)}")
        return str(value)

    return Annotated[Literal[values] | None, BeforeValidator(check)]  # type: ignore[valid-type]


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


Limit = limit_field()
EventLimit = limit_field(200, 200)
Cursor = Annotated[str | None, BeforeValidator(_blank_is_none), Field(description="the `next` of the previous page")]
Text = Annotated[str | None, BeforeValidator(_blank_is_none)]


class PageQuery(BaseModel):
    """`?limit=&cursor=` on every list."""

    model_config = ConfigDict(extra="forbid")

    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor = None
