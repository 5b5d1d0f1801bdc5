"""The pydantic model behind validate_customer, used on its own (as the document and a handler would)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from chalicelib.core.errors import pydantic_fields
from chalicelib.customers.validation import CustomerBody

TODAY = date(2024, 6, 15)


def fields_of(data: dict[str, object], **context: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        CustomerBody.model_validate(data, context={"today": TODAY, **context})
    return pydantic_fields(caught.value)


def test_fields_are_normalised() -> None:
    body = CustomerBody.model_validate(
        {"external_id": " X1 ", "name": "Sari", "phone": "0812-3456-7890", "province": "Jabar", "language": "EN"},
        context={"today": TODAY},
    )
    assert (body.external_id, body.phone, body.province, body.language) == ("X1", "+6281234567890", "Jawa Barat", "en")
    assert body.phone is not None
    assert body.phone.mobile
    assert body.attributes == {}
    assert body.consents == {}


def test_errors_name_nested_keys_in_sapas_words() -> None:
    fields = fields_of(
        {
            "name": "Sari",
            "nickname": "S",
            "attributes": {"Branch": "x", "contract_start": "2021-02-30"},
            "consents": {"sms": ["greetings"], "email": ["spam"]},
        }
    )
    assert fields == {
        "external_id": "is required",
        "nickname": "unknown field",
        "attributes.Branch": "key must be a lower-case letter then up to 39 of a-z, 0-9, _",
        "attributes.contract_start": "must be a date YYYY-MM-DD",
        "consents.sms": "unknown channel; expected one of whatsapp, email",
        "consents.email": "unknown purpose; expected any of greetings, promotions",
    }


def test_a_partial_body_requires_nothing_and_checks_only_the_contacts_it_sends() -> None:
    consents = {"consents": {"whatsapp": ["greetings"]}}
    assert CustomerBody.model_validate(consents, context={"partial": True, "sent": {"consents"}}).name is None
    assert fields_of({"phone": None, **consents}, partial=True, sent={"phone", "consents"}) == {
        "consents.whatsapp": "requires a phone number"
    }


def test_a_long_unknown_key_is_shortened_where_it_is_named() -> None:
    fields = fields_of({"external_id": "X1", "name": "Sari", "k" * 80: 1, "attributes": {"a" * 60: 1}})
    assert set(fields) == {"k" * 47 + "...", "attributes." + "a" * 47 + "..."}
