"""The shapes every part of the API shares: the error body, a page of items and the paging query."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

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


class PageQuery(BaseModel):
    """`?limit=&cursor=` on every list."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page")
    cursor: str | None = Field(default=None, description="the `next` of the previous page")


class Health(BaseModel):
    status: str = Field(description='"ok", or "unavailable" with the failing dependencies')
    stage: str
    version: str
    failing: list[str] | None = None
