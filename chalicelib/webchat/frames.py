"""The frames of the widget's socket (docs/webchat-protocol.md), validated before anything reads them.

Every frame from a browser is untrusted: one that is not JSON, has an unknown
`type` or a field out of bounds is answered with an `error` frame that says
what was wrong, and nothing else happens.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

MAX_TEXT = 2000
MAX_FRAME_BYTES = 128 * 1024  # API Gateway's WebSocket frame limit
PHONE = re.compile(r"^\+?[0-9][0-9 .-]{6,18}[0-9]$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Identity(_Frame):
    id: str = Field(min_length=1, max_length=200)
    hash: str = Field(min_length=64, max_length=64)


class Hello(_Frame):
    type: Literal["hello"]
    visitor: str | None = Field(default=None, max_length=200)
    language: Literal["id", "en"] = "id"
    identity: Identity | None = None


class Prechat(_Frame):
    type: Literal["prechat"]
    name: str = Field(min_length=1, max_length=80)
    contact: str = Field(min_length=5, max_length=254)
    consent: bool = False
    consent_version: str = Field(default="", max_length=40)

    @property
    def contact_kind(self) -> str | None:
        if EMAIL.match(self.contact):
            return "email"
        if PHONE.match(self.contact):
            return "phone"
        return None


class Message(_Frame):
    type: Literal["message"]
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{8,64}$")]
    text: str = Field(min_length=1)


class Ping(_Frame):
    type: Literal["ping"]


class Csat(_Frame):
    type: Literal["csat"]
    score: int = Field(ge=1, le=5)
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{8,64}$")] | None = None


class Transcript(_Frame):
    type: Literal["transcript"]


class Delete(_Frame):
    type: Literal["delete"]


ClientFrame = Annotated[Hello | Prechat | Message | Ping | Csat | Transcript | Delete, Field(discriminator="type")]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(ClientFrame)


class FrameRefused(ValueError):
    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}

    def frame(self) -> dict[str, Any]:
        return error(self.code, self.message, self.fields)


def parse(body: str | None) -> Any:
    """The frame a socket message carries, or FrameRefused saying why not."""
    if body is None or len(body.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise FrameRefused("invalid_frame", "The frame is empty or larger than 128 KB")
    try:
        data = json.loads(body)
    except ValueError:
        raise FrameRefused("invalid_frame", "The frame is not JSON") from None
    if not isinstance(data, dict):
        raise FrameRefused("invalid_frame", "The frame is not a JSON object")
    if data.get("type") == "message" and isinstance(data.get("text"), str) and len(data["text"]) > MAX_TEXT:
        raise FrameRefused("too_long", f"A message is at most {MAX_TEXT} characters", {"text": "too long"})
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as invalid:
        fields = {".".join(str(p) for p in e["loc"][1:]) or "type": str(e["msg"]) for e in invalid.errors()}
        raise FrameRefused("invalid_frame", "The frame is not one the chat understands", fields) from None


def error(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if fields:
        frame["fields"] = fields
    return frame
