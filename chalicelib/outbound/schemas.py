"""Request bodies of the outbound API (halt, contact policy), as pydantic models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.outbound.contact_policy import ContactPolicy


class HaltRequest(BaseModel):
    """`POST /outbound/halt`: why everything stops, for the audit log and everyone's header."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=500)


class ContactPolicyChange(BaseModel):
    """`PUT /settings/contact-policy`: every purpose's window; `version` guards against a concurrent save."""

    model_config = ConfigDict(extra="forbid")

    purposes: ContactPolicy
    version: int | None = Field(default=None, ge=0, description="the version read; a newer save is a 409")
