"""What a customer body may hold, as one pydantic model: `CustomerBody` checks and normalises every field.

The API (`POST /customers`, `PUT /customers/{id}`), the CSV import and
`sapa import` all go through `chalicelib.customers.model.validate_customer`,
which validates with this model and turns the result into a `CustomerInput`;
the OpenAPI document describes the request with the same class, so what the
document says a field takes is what is checked.

Every field has a "plain" validator: its function is the whole check, run
once per value with no second pass of pydantic's own type validation (the
import validates every row), and `json_schema_input_type` is what the
document shows. Problems are raised as `PydanticCustomError` in Sapa's words;
attributes and consents raise one error per bad key, so the field names stay
"attributes.branch" and "consents.sms". `validate_customer` translates them
with `chalicelib.core.errors.pydantic_fields`.

The validation context (all optional) carries what a body alone cannot say:
`partial` (a PUT: only what is present is checked, nothing is required),
`today` (for birth dates) and `sent` (the keys the caller sent, for the
consent-needs-a-contact check of a partial body).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from chalicelib.customers import regions
from chalicelib.customers.fields import (
    ATTRIBUTE_LIST_MAX,
    ATTRIBUTE_STRING_MAX,
    CHANNELS,
    DATE_ATTRIBUTES,
    DATE_ERROR,
    EXTERNAL_ID_MAX,
    KNOWN_STRING_ATTRIBUTES,
    LANGUAGES,
    LATEST_ZONE,
    MAX_ATTRIBUTES,
    MIN_BIRTH_YEAR,
    NAME_MAX,
    PHONE_ERROR,
    PLACE_MAX,
    PURPOSES,
    RESERVED_ATTRIBUTE_KEYS,
)

ERROR_TYPE = "customer_field"

_EXTERNAL_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ATTRIBUTE_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Separators people type in phone numbers; letters are refused so "0812-CALL-ME"
# and Excel's "6.28123E+12" are not turned into some other valid number.
_PHONE_CHARS = re.compile(r"[0-9+\-().\s]+")
_WHITESPACE = re.compile(r"\s+")
_STATUS_SEPARATORS = re.compile(r"[\s-]+")

# What the document shows each field takes (the validators below decide).
Consents = dict[Literal["whatsapp", "email"], list[Literal["greetings", "promotions"]] | None]
Scalar = str | int | float | bool
_EXTERNAL_ID_TYPE = Annotated[str, Field(pattern=rf"^[A-Za-z0-9._-]{{1,{EXTERNAL_ID_MAX}}}$")] | None
_NAME_TYPE = Annotated[str, Field(max_length=NAME_MAX)] | None
_PLACE_TYPE = Annotated[str, Field(max_length=PLACE_MAX)] | None
_DATE_TYPE = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None
_ATTRIBUTES_TYPE = Annotated[dict[str, Scalar | list[Scalar] | None], Field(max_length=MAX_ATTRIBUTES)] | None


def _bad(message: str) -> PydanticCustomError:
    return PydanticCustomError(ERROR_TYPE, message)


def _many(problems: list[tuple[str, str]], title: str) -> ValidationError:
    """One error per (location under the field, message): pydantic prefixes the field's own name."""
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(type=_bad(message), loc=(where,) if where else (), input=None)
            for where, message in problems
        ],
    )


def _context(info: ValidationInfo) -> Mapping[str, Any]:
    return info.context or {}


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _optional(check: Callable[[Any], Any], *, required: bool = False) -> Callable[[Any, ValidationInfo], Any]:
    """None and "" (or only spaces) are "no value"; external_id and name must have one unless partial."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        if _is_empty(value):
            if required and not _context(info).get("partial"):
                raise _bad("is required")
            return None
        return check(value)

    return validate


class Phone(str):
    """An E.164 number that knows whether WhatsApp can reach it (a landline it cannot)."""

    mobile: bool

    def __new__(cls, e164: str, mobile: bool) -> Phone:
        number = super().__new__(cls, e164)
        number.mobile = mobile
        return number


# --- field checks: the normalised value, or PydanticCustomError -----------------------------------


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _bad("must be a string")
    return value.strip()


def _external_id(value: Any) -> str:
    text = _string(value)
    if not _EXTERNAL_ID.fullmatch(text):
        raise _bad(f"must be 1-{EXTERNAL_ID_MAX} characters of letters, digits, '.', '_' or '-'")
    return text


def _text(value: Any, limit: int) -> str:
    """Trimmed, NFC, whitespace runs collapsed: WhatsApp template parameters reject newlines and tabs."""
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", _string(value)))
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise _bad("must not contain control characters")
    if len(text) > limit:
        raise _bad(f"must be at most {limit} characters")
    return text


def _phone(value: Any) -> Phone:
    """Region ID by default; "0062..." is read as "+62..."."""
    import phonenumbers  # here, not at the top: ~30 ms of a cold start otherwise

    text = _string(value)
    if not _PHONE_CHARS.fullmatch(text):
        raise _bad(PHONE_ERROR)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        raise _bad(PHONE_ERROR) from None
    if not phonenumbers.is_valid_number(number):
        raise _bad(PHONE_ERROR)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    mobile_types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return Phone(e164, phonenumbers.number_type(number) in mobile_types)


def _email(value: Any) -> str:
    from email_validator import EmailNotValidError, validate_email  # ~50 ms: only when an e-mail is checked

    text = _string(value)
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        reason = str(error)
        local = text.partition("@")[0]
        if len(local) > 1 and local in reason:  # keep the address itself out of reports and logs
            raise _bad("not a valid email address") from None
        raise _bad(f"not a valid email address: {reason}") from None
    return str(result.normalized)


def _date(value: Any) -> date:
    text = _string(value)
    if not _DATE.fullmatch(text):
        raise _bad(DATE_ERROR)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(DATE_ERROR) from None


def _birth_date(value: Any, today: date) -> str:
    born = _date(value)
    if born.year < MIN_BIRTH_YEAR:
        raise _bad(f"must be in {MIN_BIRTH_YEAR} or later")
    if born > today:
        raise _bad("must not be in the future")
    return born.isoformat()


def _province(value: Any) -> str:
    """The official spelling when known (so segments match), otherwise as typed."""
    text = _text(value, PLACE_MAX)
    return regions.canonical_province(text) or text


def _timezone(value: Any) -> str:
    zone = regions.normalize_timezone(_string(value))
    if zone is None:
        raise _bad(f"must be one of {', '.join(regions.TIMEZONES)} (or WIB, WITA, WIT)")
    return zone


def _language(value: Any) -> str:
    text = _string(value).lower()
    if text not in LANGUAGES:
        raise _bad(f"must be one of {', '.join(LANGUAGES)}")
    return text


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _bad("must be true or false")
    return value


def _attributes(raw: Any) -> dict[str, Any]:
    """Segment attributes: scalar or list-of-scalar values; None and "" are dropped as "no value"."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _bad("must be an object")
    problems: list[tuple[str, str]] = []
    result: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _ATTRIBUTE_KEY.fullmatch(key):
            problems.append((str(key), "key must be a lower-case letter then up to 39 of a-z, 0-9, _"))
            continue
        if key in RESERVED_ATTRIBUTE_KEYS:
            problems.append((key, "is a customer field, not an attribute"))
            continue
        try:
            cleaned = _attribute_value(key, value)
        except PydanticCustomError as bad:
            problems.append((key, bad.message()))
            continue
        if cleaned is not None:
            result[key] = cleaned
    if len(result) > MAX_ATTRIBUTES:
        problems.append(("", f"at most {MAX_ATTRIBUTES} keys"))
    if problems:
        raise _many(problems, "attributes")
    return result


def _attribute_value(key: str, value: Any) -> Any:
    if _is_empty(value):
        return None
    if key in DATE_ATTRIBUTES:
        return _date(value).isoformat()
    if key in KNOWN_STRING_ATTRIBUTES:
        text = _text(value, ATTRIBUTE_STRING_MAX)
        # "Paid Off", "paid-off" and "paid_off" are one status to a segment.
        return _STATUS_SEPARATORS.sub("_", text.lower()) if key == "contract_status" else text
    if isinstance(value, list):
        if len(value) > ATTRIBUTE_LIST_MAX:
            raise _bad(f"lists may hold at most {ATTRIBUTE_LIST_MAX} values")
        items = []
        for element in value:
            if element is None or isinstance(element, (list, dict)):
                raise _bad("list values must be strings, numbers or booleans")
            items.append(_scalar(element))
        return items
    return _scalar(value)


def _scalar(value: Any) -> str | int | float | bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) > ATTRIBUTE_STRING_MAX:
            raise _bad(f"must be at most {ATTRIBUTE_STRING_MAX} characters")
        return text
    if isinstance(value, int):
        if abs(value) >= 10**38:  # DynamoDB's number precision
            raise _bad("number is too large")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _bad("must be a finite number")
        return value
    raise _bad("must be a string, number, boolean, null or a list of those")


def _consents(raw: Any) -> dict[str, list[str]]:
    """channel -> sorted, de-duplicated purposes. Only the channels given; validate_customer fills the rest."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _bad("must be an object of channel -> list of purposes")
    problems: list[tuple[str, str]] = []
    result: dict[str, list[str]] = {}
    for channel, purposes in raw.items():
        if channel not in CHANNELS:
            problems.append((str(channel), f"unknown channel; expected one of {', '.join(CHANNELS)}"))
        elif purposes is None:
            result[channel] = []
        elif not isinstance(purposes, (list, tuple, set, frozenset)):
            problems.append((channel, "must be a list of purposes"))
        elif not all(isinstance(p, str) and p.strip().lower() in PURPOSES for p in purposes):
            problems.append((channel, f"unknown purpose; expected any of {', '.join(PURPOSES)}"))
        else:
            result[channel] = sorted({purpose.strip().lower() for purpose in purposes})
    if problems:
        raise _many(problems, "consents")
    return result


def _contact_problems(consents: Mapping[str, list[str]], info: ValidationInfo) -> list[tuple[str, str]]:
    """A consent is only usable with a contact to send to; refuse it rather than store a dead promise.

    A contact that failed its own check is missing from `info.data` and already reported:
    "requires a phone number" on top would mislead. A partial body that does not
    touch the contact leaves it to the merged record's check.
    """
    context = _context(info)
    partial = bool(context.get("partial"))
    sent = context.get("sent") or ()
    problems: list[tuple[str, str]] = []
    if consents.get("whatsapp") and "phone" in info.data and (not partial or "phone" in sent):
        phone = info.data["phone"]
        if phone is None:
            problems.append(("whatsapp", "requires a phone number"))
        elif not getattr(phone, "mobile", True):
            problems.append(("whatsapp", "requires a mobile phone number; WhatsApp cannot reach a landline"))
    email_checked = "email" in info.data and (not partial or "email" in sent)
    if consents.get("email") and email_checked and info.data["email"] is None:
        problems.append(("email", "requires an email address"))
    return problems


_check_external_id = _optional(_external_id, required=True)
_check_name = _optional(lambda value: _text(value, NAME_MAX), required=True)
_check_phone = _optional(_phone)
_check_email = _optional(_email)
_check_province = _optional(_province)
_check_city = _optional(lambda value: _text(value, PLACE_MAX))
_check_timezone = _optional(_timezone)
_check_language = _optional(_language)
_check_flag = _optional(_flag)


class CustomerBody(BaseModel):
    """`POST /customers` (an upsert by `external_id`) and `PUT /customers/{id}` (only the fields sent change).

    Phone numbers are normalised to E.164, e-mail addresses to their canonical
    form, a known province to its official name (and it sets the time zone);
    null or "" means "no value"; unknown fields are refused by name, and every
    bad field is reported at once.
    """

    model_config = ConfigDict(extra="forbid", validate_default=True)

    external_id: str | None = Field(default=None, description="required on POST; cannot change")
    name: str | None = Field(default=None, description="required on POST")
    phone: Phone | None = Field(default=None, description="Indonesian (08…, 62…, +62…) or international")
    email: str | None = None
    birth_date: str | None = Field(default=None, description="YYYY-MM-DD, 1900 or later, not in the future")
    province: str | None = Field(default=None, description="Indonesian province; abbreviations (Jabar) are read")
    city: str | None = None
    timezone: str | None = Field(default=None, description="IANA zone or WIB/WITA/WIT; from the province if omitted")
    language: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, description="segment attributes; null removes one")
    consents: dict[str, list[str]] = Field(default_factory=dict, description="channel -> purposes")
    test_recipient: bool | None = None
    id: None = Field(default=None, description="read-only: ignored when echoed back")
    created_at: None = Field(default=None, description="read-only: ignored when echoed back")
    updated_at: None = Field(default=None, description="read-only: ignored when echoed back")
    consents_withdrawn: None = Field(default=None, description="read-only: ignored when echoed back")

    @field_validator("external_id", mode="plain", json_schema_input_type=_EXTERNAL_ID_TYPE)
    @classmethod
    def _external_id(cls, value: Any, info: ValidationInfo) -> str | None:
        return _check_external_id(value, info)  # type: ignore[no-any-return]

    @field_validator("name", mode="plain", json_schema_input_type=_NAME_TYPE)
    @classmethod
    def _name(cls, value: Any, info: ValidationInfo) -> str | None:
        return _check_name(value, info)  # type: ignore[no-any-return]

    @field_validator("phone", mode="plain", json_schema_input_type=str | None)
    @classmethod
    def _phone(cls, value: Any, info: ValidationInfo) -> Phone | None:
        return _check_phone(value, info)  # type: ignore[no-any-return]

    @field_validator("email", mode="plain", json_schema_input_type=str | None)
    @classmethod
    def _email(cls, value: Any, info: ValidationInfo) -> str | None:
        return _check_email(value, info)  # type: ignore[no-any-return]

    @field_validator("birth_date", mode="plain", json_schema_input_type=_DATE_TYPE)
    @classmethod
    def _birth_date(cls, value: Any, info: ValidationInfo) -> str | None:
        if _is_empty(value):
            return None
        today = _context(info).get("today") or datetime.now(LATEST_ZONE).date()
        return _birth_date(value, today)

    @field_validator("province", mode="plain", json_schema_input_type=_PLACE_TYPE)
    @classmethod
    def _province(cls, value: Any, info: ValidationInfo) -> str | None:
        return _check_province(value, info)  # type: ignore[no-any-return]

    @field_validator("city", mode="plain", json_schema_input_type=_PLACE_TYPE)
    @classmethod
    def _city(cls, value: Any, info: ValidationInfo) -> str | None:
        return _check_city(value, info)  # type: ignore[no-any-return]

    @field_validator("timezone", mode="plain", json_schema_input_type=str | None)
    @classmethod
    def _timezone(cls, value: Any, info: ValidationInfo) -> str | None:
        return _check_timezone(value, info)  # type: ignore[no-any-return]

    @field_validator("language", mode="plain", json_schema_input_type=Literal["id", "en"] | None)
    @classmethod
    def _language(cls, value: Any, info: ValidationInfo) -> str | None:
        return _check_language(value, info)  # type: ignore[no-any-return]

    @field_validator("attributes", mode="plain", json_schema_input_type=_ATTRIBUTES_TYPE)
    @classmethod
    def _attributes(cls, value: Any) -> dict[str, Any]:
        return _attributes(value)

    @field_validator("consents", mode="plain", json_schema_input_type=Consents | None)
    @classmethod
    def _consents(cls, value: Any, info: ValidationInfo) -> dict[str, list[str]]:
        consents = _consents(value)
        problems = _contact_problems(consents, info)
        if problems:
            raise _many(problems, "consents")
        return consents

    @field_validator("test_recipient", mode="plain", json_schema_input_type=bool | None)
    @classmethod
    def _test_recipient(cls, value: Any, info: ValidationInfo) -> bool | None:
        return _check_flag(value, info)  # type: ignore[no-any-return]

    @field_validator("id", "created_at", "updated_at", mode="plain", json_schema_input_type=str | None)
    @classmethod
    def _read_only(cls, value: Any) -> None:
        return None

    @field_validator("consents_withdrawn", mode="plain", json_schema_input_type=Consents | None)
    @classmethod
    def _read_only_consents(cls, value: Any) -> None:
        return None
