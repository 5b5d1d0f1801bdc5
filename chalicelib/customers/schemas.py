"""Request bodies of the customers API, as pydantic models: one place that says what a field may hold."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.access.audit import ACTION
from chalicelib.core.api_models import PageQuery
from chalicelib.customers.consent import PURPOSES

# The request of POST /customers and PUT /customers/{id}: the model that validates it, named here for the document.
from chalicelib.customers.validation import CustomerBody as CustomerBody

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.access.audit import AuditFilter
    from chalicelib.customers.search import CustomerFilters

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


# -- what the customers API takes and answers (the document's models) --------------------------------


class Customer(BaseModel):
    """A customer as staff see it: every field present, null when unset."""

    model_config = ConfigDict(extra="allow")

    id: str | None
    external_id: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    birth_date: str | None = None
    province: str | None = None
    city: str | None = None
    timezone: str | None = None
    language: str | None = None
    attributes: dict[str, object] = Field(default_factory=dict)
    test_recipient: bool = False
    consents: dict[str, list[str]] = Field(default_factory=dict)
    consents_withdrawn: dict[str, list[str]] = Field(default_factory=dict)
    created_at: str | None = None
    updated_at: str | None = None


def _not_blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _zone(value: Any) -> Any:
    from chalicelib.customers.regions import normalize_timezone

    if value is None or not isinstance(value, str):
        return value
    zone = normalize_timezone(value)
    if zone is None:
        raise PydanticCustomError("zone", "must be WIB, WITA or WIT (or Asia/Jakarta, Asia/Makassar, Asia/Jayapura)")
    return zone


def _consent(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    channel, _, purpose = value.strip().lower().partition(":")
    if channel not in ("whatsapp", "email") or purpose not in PURPOSES:
        raise PydanticCustomError(
            "consent", "must be <channel>:<purpose>, channel whatsapp or email, purpose greetings or promotions"
        )
    return f"{channel}:{purpose}"


def _attribute(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    key, colon, wanted = value.partition(":")
    if not colon or not key.strip() or not wanted.strip():
        raise PydanticCustomError("attribute", "must be <key>:<value>, e.g. branch:Makassar")
    return f"{key.strip()}:{wanted.strip()}"


SearchText = Annotated[Annotated[str, Field(max_length=200)] | None, BeforeValidator(_blank_is_none)]
ZoneFilter = Annotated[
    str | None,
    BeforeValidator(_zone),
    BeforeValidator(_blank_is_none),
    Field(default=None, description="WIB, WITA, WIT or the IANA zone"),
]
ConsentFilter = Annotated[
    str | None,
    BeforeValidator(_consent),
    BeforeValidator(_blank_is_none),
    Field(default=None, description="<channel>:<purpose> the customer consented to, e.g. whatsapp:promotions"),
]
AttributeFilter = Annotated[
    Annotated[str, Field(max_length=600)] | None,
    BeforeValidator(_attribute),
    BeforeValidator(_blank_is_none),
    Field(default=None, description="<key>:<value> of one attribute, e.g. branch:Makassar"),
]


class CustomerFilterQuery(BaseModel):
    """What narrows a customer search: one box (`q`) and the filters, all combined with AND."""

    model_config = ConfigDict(extra="forbid")

    q: SearchText = Field(
        default=None,
        description="part of a name (any case), or exactly a phone number in any notation, an external id "
        "or an e-mail address",
    )
    phone: Annotated[str | None, BeforeValidator(_not_blank)] = Field(
        default=None, min_length=1, description="any notation: normalised before the lookup"
    )
    external_id: Annotated[str | None, BeforeValidator(_not_blank)] = Field(default=None, min_length=1)
    email: Annotated[Annotated[str, Field(max_length=320)] | None, BeforeValidator(_not_blank)] = None
    province: SearchText = Field(default=None, description="any accepted spelling (Jabar, Jawa Barat)")
    zone: ZoneFilter = None
    consent: ConsentFilter = None
    city: SearchText = None
    vehicle: SearchText = Field(default=None, description="part of the vehicle brand or model, e.g. avanza")
    attribute: AttributeFilter = None

    def filters(self) -> CustomerFilters:
        """The search in the record's terms; a phone or e-mail that is not one is a ValueError naming the field."""
        from chalicelib.customers.regions import canonical_province
        from chalicelib.customers.search import CustomerFilters, normalised

        phone = normalised("phone", self.phone) if self.phone else None
        if self.phone and not phone:
            raise ValueError("phone", "not a valid Indonesian or international phone number")
        email = normalised("email", self.email) if self.email else None
        if self.email and not email:
            raise ValueError("email", "not a valid email address")

        def pair(value: str | None) -> tuple[str, str] | None:
            if not value:
                return None
            first, _, second = value.partition(":")
            return first, second

        return CustomerFilters(
            q=self.q,
            phone=phone,
            external_id=self.external_id,
            email=email,
            province=(canonical_province(self.province) or self.province) if self.province else None,
            zone=self.zone,
            consent=pair(self.consent),
            city=self.city,
            vehicle=self.vehicle,
            attribute=pair(self.attribute),
        )


class CustomerListQuery(PageQuery, CustomerFilterQuery):
    """`GET /customers`: a page of everyone, or of the customers the search and filters match."""


class CustomerExportQuery(CustomerFilterQuery):
    """`GET /customers/export.csv`: the same search; `cursor` goes on from where a cut-off export stopped."""

    cursor: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, description="the Sapa-Export-Next header of the previous export"
    )


class Erased(BaseModel):
    id: str
    erased: bool
    messages_erased: int
    other_erased: int | dict[str, int] | None = None


class Message(BaseModel):
    """One message to or from a customer (the text as sent)."""

    model_config = ConfigDict(extra="allow")

    id: str
    direction: str
    channel: str | None = None
    purpose: str | None = None
    occasion: str | None = None
    occasion_date: str | None = None
    step: str | None = Field(default=None, description='a reminder\'s step ("H-3", "stnk_tax") or a journey step')
    campaign_id: str | None = None
    status: str | None = None
    reason: str | None = None
    not_before: str | None = None
    text: str | None = None
    subject: str | None = None
    language: str | None = None
    provider_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class ConsentEvent(BaseModel):
    """One grant or withdrawal in the consent history, with who recorded it and the evidence."""

    model_config = ConfigDict(extra="allow")

    channel: str | None
    purpose: str | None
    granted: bool | None
    how: str | None = Field(description="import, api, staff_recorded, unsubscribe_link, web_form, a keyword…")
    by: str | None
    evidence: str | None
    at: str | None


class ConsentHistory(BaseModel):
    items: list[ConsentEvent]
    next: str | None
    consents: dict[str, list[str]] | None
    consents_withdrawn: dict[str, list[str]] | None


class ImportReport(BaseModel):
    created: int
    updated: int
    unchanged: int
    rejected: list[dict[str, object]]
    rejected_total: int
    model_config = ConfigDict(extra="allow")


class ImportJob(BaseModel):
    """An import job: how far it is, what it did, and where its rejected rows are."""

    id: str
    status: Literal["running", "done"]
    rows_total: int
    rows_done: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    consent_kept_withdrawn: int = Field(description="rows whose consent the customer had withdrawn: kept withdrawn")
    by: str | None
    created_at: str | None
    updated_at: str | None
    finished_at: str | None
    rejected_csv: str


def _audit_text(pattern: Any, what: str) -> Any:
    def check(value: Any) -> str | None:
        if value in (None, ""):
            return None
        text = str(value).strip()
        if len(text) > 200 or (pattern is not None and not pattern.match(text)):
            raise PydanticCustomError("audit_filter", what)
        return text

    return Annotated[str | None, BeforeValidator(check)]


def _audit_day(value: Any) -> Any:
    from datetime import date

    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PydanticCustomError("date", "must be a date, YYYY-MM-DD") from None


class AuditQuery(PageQuery):
    """`GET /audit` filters: exact actor, action and target; the days (WIB) from and to, both included."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    actor: _audit_text(re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$"), "must be a staff name (a-z, 0-9, '.', '_', '-')") = (
        Field(  # type: ignore[valid-type]
            default=None, description="staff name, or `sapa` for what Sapa did itself"
        )
    )
    action: _audit_text(ACTION, "must be an action such as outbound.halt or customer.erased") = Field(  # type: ignore[valid-type]
        default=None, description="e.g. outbound.halt, settings.contact_policy, customer.erased"
    )
    target: _audit_text(None, "at most 200 characters") = Field(  # type: ignore[valid-type]
        default=None, description="what was acted on: a customer or campaign id, `outbound`, `contact-policy`"
    )
    from_: Annotated[Any, BeforeValidator(_audit_day), WithJsonSchema({"type": "string", "format": "date"})] = Field(
        default=None, alias="from", description="YYYY-MM-DD, first day (WIB) included"
    )
    to: Annotated[Any, BeforeValidator(_audit_day), WithJsonSchema({"type": "string", "format": "date"})] = Field(
        default=None, description="YYYY-MM-DD, last day (WIB) included"
    )

    @model_validator(mode="after")
    def _ordered(self) -> AuditQuery:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError("from must not be after to")
        return self

    def wanted(self) -> AuditFilter:
        from chalicelib.access.audit import AuditFilter

        return AuditFilter(self.actor, self.action, self.target, self.from_, self.to)


class AuditEntry(BaseModel):
    """Who did what to which record, when."""

    at: str
    actor: str
    action: str = Field(description="e.g. customer.erase, campaign.start, outbound.halt")
    target: str
    details: dict[str, Any]


class UnsubscribeForm(BaseModel):
    """The consent page's form posts nothing the server reads: the token in the path is the credential."""

    model_config = ConfigDict(extra="allow")
