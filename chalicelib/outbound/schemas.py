"""Request bodies of the outbound API (halt, contact policy), as pydantic models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.outbound.contact_policy import ContactPolicy, Window


class HaltRequest(BaseModel):
    """`POST /outbound/halt`: why everything stops, for the audit log and everyone's header."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=500)


class ContactPolicyChange(BaseModel):
    """`PUT /settings/contact-policy`: every purpose's window; `version` guards against a concurrent save."""

    model_config = ConfigDict(extra="forbid")

    purposes: ContactPolicy
    version: int | None = Field(default=None, ge=0, description="the version read; a newer save is a 409")


class HaltState(BaseModel):
    """Whether outbound is halted, since when, by whom and why."""

    halted: bool
    since: str | None
    by: str | None
    reason: str | None


class OutboundStatus(HaltState):
    waiting: dict[str, int] = Field(description="messages held by the halt, per channel")
    queued: int = Field(description="messages in the outbound queue (approximate)")


class Resumed(HaltState):
    released: int = Field(description="held messages released now; the rest follow within a minute")


class PublicWindow(Window):
    """A purpose's window as read back, with the regulation behind it (null when none applies)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regulation: str | None


class StoredContactPolicy(BaseModel):
    purposes: dict[str, PublicWindow]
    source: str = Field(description='"default" until an admin saves one, then "saved"')
    version: int
    updated_at: str | None
    updated_by: str | None
