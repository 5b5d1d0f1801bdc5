"""Request bodies of the customers API, as pydantic models: one place that says what a field may hold."""

from __future__ import annotations

import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.customers.consent import PURPOSES

EVIDENCE_MAX = 500


class ConsentRecord(BaseModel):
    """`POST /customers/{id}/consents`: staff record one customer's grant or withdrawal, with the proof.

    UU PDP Pasal 22 asks the controller to prove consent, so a grant recorded
    by staff needs its evidence (a signed form's number, a call recording's
    id); it is stored in the consent history and the audit log.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    channel: Literal["whatsapp", "email"]
    purposes: list[Literal["greetings", "promotions"]] = Field(min_length=1, max_length=len(PURPOSES))
    granted: bool
    evidence: str = Field(min_length=3, max_length=EVIDENCE_MAX)

    @field_validator("evidence")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
            raise ValueError("must not contain control characters")
        return value
