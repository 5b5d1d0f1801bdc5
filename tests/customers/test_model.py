"""Customer validation, normalisation, item mapping and hashing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.customers.masking import mask_email, mask_phone
from chalicelib.customers.model import (
    DATE_ERROR,
    PHONE_ERROR,
    CustomerInput,
    InvalidCustomer,
    content_hash,
    customer_from_item,
    customer_id_for,
    merge_update,
    validate_customer,
)

TODAY = date(2024, 6, 15)
NOW = datetime(2024, 6, 15, 3, 4, 5, tzinfo=UTC)


def valid(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "external_id": "KTR-0001",
        "name": "Budi Santoso",
        "phone": "081234567890",
        "email": "budi@example.com",
        "birth_date": "1985-08-17",
        "province": "Jawa Barat",
        "city": "Bandung",
        "attributes": {"vehicle_brand": "Toyota", "contract_status": "active"},
        "consents": {"whatsapp": ["greetings"], "email": ["greetings", "promotions"]},
    }
    data.update(overrides)
    return data


def check(data: dict[str, Any], *, partial: bool = False) -> CustomerInput:
    return validate_customer(data, partial=partial, today=TODAY)


def errors_of(data: dict[str, Any], *, partial: bool = False) -> dict[str, str]:
    with pytest.raises(InvalidCustomer) as caught:
        check(data, partial=partial)
    return caught.value.fields


# --- ids ---------------------------------------------------------------------------------------------


def test_customer_id_is_deterministic_and_distinct() -> None:
    first = customer_id_for("KTR-0001")
    assert first == customer_id_for("KTR-0001")
    assert first != customer_id_for("KTR-0002")
    assert first != customer_id_for("ktr-0001")  # external ids are case-sensitive
    assert first.startswith("cus_")
    assert len(first) == 30
    assert first[4:].isalnum()
    assert first[4:].islower()


def test_id_follows_external_id() -> None:
    customer = check(valid())
    assert customer.id == customer_id_for("KTR-0001")
    assert customer.to_item(NOW)["id"] == customer.id


# --- phone -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "081234567890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "(0812) 3456-7890",
        "81234567890",
        "0062 812 3456 7890",
    ],
)
def test_phone_formats_normalise_to_one_e164(phone: str) -> None:
    assert check(valid(phone=phone)).phone == "+6281234567890"


def test_international_numbers_are_accepted() -> None:
    assert check(valid(phone="+65 9123 4567")).phone == "+6591234567"


@pytest.mark.parametrize(
    "phone", ["12345", "0812", "not a phone", "0812-CALL-ME", "6.28123E+12", "+62 000 0000 0000", 81234567890]
)
def test_invalid_phone_is_named(phone: Any) -> None:
    fields = errors_of(valid(phone=phone, consents={}))
    assert set(fields) == {"phone"}


def test_invalid_phone_message() -> None:
    assert errors_of(valid(phone="12345", consents={}))["phone"] == PHONE_ERROR


def test_landline_is_a_contact_but_not_a_whatsapp_target() -> None:
    assert check(valid(phone="(021) 5550123", consents={})).phone == "+62215550123"
    fields = errors_of(valid(phone="(021) 5550123"))
    assert set(fields) == {"consents.whatsapp"}
    assert "mobile" in fields["consents.whatsapp"]


@pytest.mark.parametrize("phone", [None, "", "   "])
def test_phone_is_optional(phone: str | None) -> None:
    customer = check(valid(phone=phone, consents={"email": ["greetings"]}))
    assert customer.phone is None
    assert "phone" not in customer.to_item(NOW)


# --- email -------------------------------------------------------------------------------------------


def test_email_is_normalised_without_dns() -> None:
    assert check(valid(email="  Budi.Santoso@Example.CO.ID ")).email == "Budi.Santoso@example.co.id"


@pytest.mark.parametrize(
    "email", ["budi", "budi@", "budi@localhost", "Budi <budi@example.com>", "büdi@example.com", 42]
)
def test_invalid_email_is_named(email: Any) -> None:
    fields = errors_of(valid(email=email, consents={}))
    assert set(fields) == {"email"}


def test_email_errors_do_not_echo_the_address() -> None:
    fields = errors_of(valid(email="budi.santoso@exa mple.com", consents={}))
    assert "budi.santoso" not in fields["email"]


# --- other fields ------------------------------------------------------------------------------------


def test_all_bad_fields_are_reported_together() -> None:
    fields = errors_of(
        {
            "external_id": "has spaces",
            "name": "",
            "phone": "12",
            "email": "nope",
            "birth_date": "17/08/1985",
            "timezone": "UTC",
            "language": "fr",
            "nickname": "Bud",
        }
    )
    assert set(fields) == {"external_id", "name", "phone", "email", "birth_date", "timezone", "language", "nickname"}
    assert fields["birth_date"] == DATE_ERROR
    assert fields["name"] == "is required"
    assert fields["nickname"] == "unknown field"
    assert str(InvalidCustomer(fields)).count(":") >= len(fields)


def test_invalid_customer_is_a_value_error() -> None:
    assert issubclass(InvalidCustomer, ValueError)


def test_body_must_be_an_object() -> None:
    with pytest.raises(InvalidCustomer) as caught:
        validate_customer(["not", "a", "dict"])  # type: ignore[arg-type]
    assert set(caught.value.fields) == {"body"}


@pytest.mark.parametrize("external_id", ["A", "abc.DEF_123-x", "9" * 64])
def test_external_id_accepted(external_id: str) -> None:
    assert check(valid(external_id=external_id)).external_id == external_id


@pytest.mark.parametrize("external_id", ["9" * 65, "a b", "a/b", "ä", 123])
def test_external_id_rejected(external_id: Any) -> None:
    assert set(errors_of(valid(external_id=external_id))) == {"external_id"}


def test_external_id_and_name_required() -> None:
    fields = errors_of({"phone": "081234567890"})
    assert fields == {"external_id": "is required", "name": "is required"}


def test_name_is_trimmed_and_collapsed() -> None:
    assert check(valid(name="  Budi \n\t Santoso  ")).name == "Budi Santoso"


def test_name_length() -> None:
    assert check(valid(name="x" * 120)).name == "x" * 120
    assert "name" in errors_of(valid(name="x" * 121))


def test_read_only_fields_are_ignored() -> None:
    customer = check(valid(id="cus_whatever", created_at="2020-01-01T00:00:00Z"))
    assert customer.id == customer_id_for("KTR-0001")


@pytest.mark.parametrize(
    ("birth_date", "problem"),
    [
        ("1985-02-30", DATE_ERROR),
        ("17-08-1985", DATE_ERROR),
        ("1985-8-17", DATE_ERROR),
        ("1985-08-17T00:00:00", DATE_ERROR),
        ("1899-12-31", "must be in 1900 or later"),
        ("2024-06-16", "must not be in the future"),
    ],
)
def test_bad_birth_date(birth_date: str, problem: str) -> None:
    assert errors_of(valid(birth_date=birth_date)) == {"birth_date": problem}


def test_birth_date_edges() -> None:
    assert check(valid(birth_date="1900-01-01")).birth_date == "1900-01-01"
    assert check(valid(birth_date="2024-06-15")).birth_date == "2024-06-15"
    assert check(valid(birth_date="2000-02-29")).birth_date == "2000-02-29"


def test_birth_date_today_defaults_to_the_latest_indonesian_clock() -> None:
    tomorrow_in_jayapura = datetime.now(timezone(timedelta(hours=9))).date() + timedelta(days=1)
    with pytest.raises(InvalidCustomer):
        validate_customer(valid(birth_date=tomorrow_in_jayapura.isoformat()))


def test_timezone_derived_from_province() -> None:
    assert check(valid(province="Sulsel")).timezone == "Asia/Makassar"
    assert check(valid(province="Papua Selatan")).timezone == "Asia/Jayapura"
    customer = check(valid(province="NTB"))
    assert customer.province == "Nusa Tenggara Barat"
    assert customer.timezone == "Asia/Makassar"


def test_explicit_timezone_wins_over_province() -> None:
    assert check(valid(province="Papua", timezone="Asia/Jakarta")).timezone == "Asia/Jakarta"
    assert check(valid(province="Papua", timezone="wita")).timezone == "Asia/Makassar"


def test_unknown_province_is_kept_and_defaults_to_wib() -> None:
    customer = check(valid(province="  Atlantis  "))
    assert customer.province == "Atlantis"
    assert customer.timezone == "Asia/Jakarta"


def test_defaults_when_nothing_given() -> None:
    customer = check({"external_id": "X1", "name": "Sari"})
    assert customer.timezone == "Asia/Jakarta"
    assert customer.language == "id"
    assert customer.attributes == {}
    assert customer.consents == {"whatsapp": [], "email": []}


@pytest.mark.parametrize(("language", "expected"), [("id", "id"), ("EN", "en"), (" en ", "en")])
def test_language(language: str, expected: str) -> None:
    assert check(valid(language=language)).language == expected


# --- attributes --------------------------------------------------------------------------------------


def test_attributes_accept_scalars_and_lists() -> None:
    attributes = {
        "vehicle_model": " Avanza ",
        "tenor_months": 36,
        "rate": 1.25,
        "is_vip": True,
        "tags": ["loyal", 2, False],
        "branch": None,
        "note": "",
        "contract_start": "2021-03-01",
        "contract_status": "Paid Off",
    }
    customer = check(valid(attributes=attributes))
    assert customer.attributes == {
        "vehicle_model": "Avanza",
        "tenor_months": 36,
        "rate": 1.25,
        "is_vip": True,
        "tags": ["loyal", 2, False],
        "contract_start": "2021-03-01",
        "contract_status": "paid_off",
    }


def test_attribute_errors_name_each_key() -> None:
    fields = errors_of(
        valid(
            attributes={
                "Vehicle": "x",
                "1st": "x",
                "a" * 41: "x",
                "nested": {"a": 1},
                "deep": [[1]],
                "contract_start": "2021-02-30",
                "vehicle_brand": ["Toyota"],
                "phone": "0812",
                "nan": float("nan"),
            }
        )
    )
    assert set(fields) == {
        "attributes.Vehicle",
        "attributes.1st",
        "attributes." + "a" * 41,
        "attributes.nested",
        "attributes.deep",
        "attributes.contract_start",
        "attributes.vehicle_brand",
        "attributes.phone",
        "attributes.nan",
    }
    assert fields["attributes.contract_start"] == DATE_ERROR


def test_attribute_limits() -> None:
    assert len(check(valid(attributes={f"k{i}": i for i in range(50)})).attributes) == 50
    assert errors_of(valid(attributes={f"k{i}": i for i in range(51)})) == {"attributes": "at most 50 keys"}
    assert set(errors_of(valid(attributes=["a"]))) == {"attributes"}


# --- consents ----------------------------------------------------------------------------------------


def test_consents_are_normalised() -> None:
    customer = check(valid(consents={"whatsapp": ["Promotions", "greetings", "greetings"]}))
    assert customer.consents == {"whatsapp": ["greetings", "promotions"], "email": []}


def test_empty_consent_lists_are_allowed() -> None:
    customer = check(valid(phone=None, email=None, consents={"whatsapp": [], "email": None}))
    assert customer.consents == {"whatsapp": [], "email": []}


def test_unknown_channel_and_purpose_are_named() -> None:
    fields = errors_of(valid(consents={"sms": ["greetings"], "email": ["spam"], "whatsapp": "greetings"}))
    assert set(fields) == {"consents.sms", "consents.email", "consents.whatsapp"}


def test_consents_must_be_an_object() -> None:
    assert set(errors_of(valid(consents=["whatsapp"]))) == {"consents"}


def test_consent_needs_a_contact() -> None:
    fields = errors_of(valid(phone=None, email="", consents={"whatsapp": ["greetings"], "email": ["promotions"]}))
    assert fields == {"consents.whatsapp": "requires a phone number", "consents.email": "requires an email address"}


def test_bad_contact_is_reported_once() -> None:
    fields = errors_of(valid(phone="12", email="nope"))
    assert set(fields) == {"phone", "email"}


# --- partial -----------------------------------------------------------------------------------------


def test_partial_requires_nothing_and_fills_no_defaults() -> None:
    customer = check({"city": "Makassar"}, partial=True)
    assert customer.partial
    assert customer.provided == {"city"}
    assert customer.city == "Makassar"
    assert customer.external_id is None
    assert customer.language is None
    assert customer.timezone is None
    with pytest.raises(ValueError):
        customer.to_item(NOW)


def test_partial_still_validates_what_is_there() -> None:
    assert set(errors_of({"phone": "12", "consents": {"sms": []}}, partial=True)) == {"phone", "consents.sms"}


def test_partial_derives_zone_when_province_changes() -> None:
    assert check({"province": "Maluku"}, partial=True).timezone == "Asia/Jayapura"


def test_partial_skips_cross_checks_for_absent_contacts() -> None:
    assert check({"consents": {"whatsapp": ["greetings"]}}, partial=True).consents == {"whatsapp": ["greetings"]}
    fields = errors_of({"phone": None, "consents": {"whatsapp": ["greetings"]}}, partial=True)
    assert set(fields) == {"consents.whatsapp"}


def test_merge_update_patches_and_revalidates() -> None:
    stored = check(valid()).to_item(NOW)
    patch = {
        "province": "Papua Tengah",
        "attributes": {"branch": "Nabire", "vehicle_brand": None},
        "consents": {"email": []},
    }
    merged = merge_update(stored, patch, today=TODAY)
    assert merged.province == "Papua Tengah"
    assert merged.timezone == "Asia/Jayapura"  # moved, so re-derived
    assert merged.attributes == {"contract_status": "active", "branch": "Nabire"}
    assert merged.consents == {"whatsapp": ["greetings"], "email": []}  # WhatsApp untouched
    assert merged.provided == {"province", "attributes", "consents"}
    item = merged.to_item(NOW + timedelta(days=1), created_at=stored["created_at"])
    assert item["created_at"] == stored["created_at"]
    assert item["updated_at"] != stored["updated_at"]


def test_merge_update_checks_the_merged_record() -> None:
    stored = check(valid()).to_item(NOW)
    with pytest.raises(InvalidCustomer) as caught:
        merge_update(stored, {"phone": None}, today=TODAY)
    assert set(caught.value.fields) == {"consents.whatsapp"}


def test_merge_update_cannot_change_external_id() -> None:
    stored = check(valid()).to_item(NOW)
    with pytest.raises(InvalidCustomer) as caught:
        merge_update(stored, {"external_id": "OTHER"}, today=TODAY)
    assert set(caught.value.fields) == {"external_id"}
    assert merge_update(stored, {"external_id": "KTR-0001"}, today=TODAY).external_id == "KTR-0001"


# --- items -------------------------------------------------------------------------------------------


def test_to_item_shape() -> None:
    item = check(valid(attributes={"rate": 1.1, "tenor": 36}, timezone="WITA")).to_item(NOW)
    assert item["birthday_key"] == "08-17#Asia/Makassar"
    assert item["phone"] == "+6281234567890"
    assert item["attributes"] == {"rate": Decimal("1.1"), "tenor": 36}
    assert item["created_at"] == item["updated_at"] == "2024-06-15T03:04:05Z"
    assert item["consents"] == {"whatsapp": ["greetings"], "email": ["greetings", "promotions"]}
    assert all(value is not None for value in item.values())


def test_to_item_omits_absent_values_for_sparse_indexes() -> None:
    item = check({"external_id": "X1", "name": "Sari"}).to_item(NOW)
    assert set(item) == {
        "id",
        "external_id",
        "name",
        "timezone",
        "language",
        "attributes",
        "consents",
        "created_at",
        "updated_at",
    }


def test_to_item_converts_timestamps_to_utc_and_rejects_naive() -> None:
    jakarta = datetime(2024, 6, 15, 10, 4, 5, tzinfo=timezone(timedelta(hours=7)))
    assert check(valid()).to_item(jakarta)["created_at"] == "2024-06-15T03:04:05Z"
    with pytest.raises(ValueError):
        check(valid()).to_item(datetime(2024, 6, 15))


def test_customer_from_item_public_shape() -> None:
    item = check(valid(attributes={"tenor": 36, "rate": 1.5})).to_item(NOW)
    # What DynamoDB hands back: Decimals for numbers, possibly sets for purposes.
    item["attributes"] = {"tenor": Decimal("36"), "rate": Decimal("1.5"), "tags": ["a", Decimal("2")]}
    item["consents"] = {"whatsapp": {"promotions", "greetings"}}
    public = customer_from_item(item)
    assert "birthday_key" not in public
    assert public["attributes"] == {"tenor": 36, "rate": 1.5, "tags": ["a", 2]}
    assert type(public["attributes"]["tenor"]) is int
    assert public["consents"] == {"whatsapp": ["greetings", "promotions"], "email": []}
    assert public["city"] == "Bandung"
    assert public["id"] == customer_id_for("KTR-0001")
    assert public["created_at"] == "2024-06-15T03:04:05Z"


def test_customer_from_item_fills_absent_fields_with_null() -> None:
    public = customer_from_item(check({"external_id": "X1", "name": "Sari"}).to_item(NOW))
    assert public["phone"] is None
    assert public["email"] is None
    assert public["birth_date"] is None


def test_round_trip_through_public_shape_is_stable() -> None:
    item = check(valid()).to_item(NOW)
    again = validate_customer(customer_from_item(item), today=TODAY).to_item(NOW)
    assert again == item


# --- content hash ------------------------------------------------------------------------------------


def test_content_hash_ignores_key_order_timestamps_and_number_types() -> None:
    item = check(valid(attributes={"tenor": 36, "rate": 2.0})).to_item(NOW)
    reordered = dict(reversed(list(item.items())))
    reordered["attributes"] = {"rate": Decimal("2"), "tenor": Decimal("36")}
    reordered["consents"] = {"email": {"promotions", "greetings"}, "whatsapp": ["greetings"]}
    reordered["updated_at"] = "2030-01-01T00:00:00Z"
    assert content_hash(reordered) == content_hash(item)
    assert content_hash(customer_from_item(item)) == content_hash(item)


def test_same_input_hashes_the_same_however_written() -> None:
    a = check(valid(phone="0812-3456-7890", province="jabar"))
    b = check(valid(phone="+62 812 3456 7890", province="Jawa Barat"))
    assert content_hash(a.to_item(NOW)) == content_hash(b.to_item(NOW + timedelta(hours=1)))


@pytest.mark.parametrize(
    "change",
    [
        {"name": "Budi S."},
        {"phone": "081298765432"},
        {"email": "sari@example.com"},
        {"birth_date": "1985-08-18"},
        {"city": "Bogor"},
        {"timezone": "Asia/Makassar"},
        {"language": "en"},
        {"attributes": {"vehicle_brand": "Honda"}},
        {"consents": {"whatsapp": ["greetings", "promotions"]}},
    ],
)
def test_content_hash_changes_when_a_field_changes(change: dict[str, Any]) -> None:
    before = content_hash(check(valid()).to_item(NOW))
    assert content_hash(check(valid(**change)).to_item(NOW)) != before


# --- masking -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+6281234567890", "+62******7890"),
        ("0812 3456 7890", "+62******7890"),
        ("+6591234567", "+65******4567"),
        ("12", "******"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("budi@example.com", "b***@example.com"),
        ("B@example.com", "B***@example.com"),
        ("not-an-email", "***"),
        ("@example.com", "***@example.com"),
        (None, ""),
    ],
)
def test_mask_email(email: str | None, masked: str) -> None:
    assert mask_email(email) == masked
