"""The holiday calendar: library dates, default greetings, staff overrides and their validation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chalicelib.greetings.holidays_calendar import (
    Holiday,
    HolidayOverride,
    InvalidOverride,
    calendar_for_year,
    cancel_override,
    days_off,
    holidays_on,
    key_for_name,
    library_holidays,
    parse_override,
    split_estimated,
)


def on(calendar: list[Holiday], day: date) -> list[Holiday]:
    return [h for h in calendar if h.date == day]


def by_key(calendar: list[Holiday], key: str) -> list[Holiday]:
    return [h for h in calendar if h.key == key]


# --- names and keys ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Tahun Baru Masehi", "tahun_baru"),
        ("Tahun Baru Imlek", "imlek"),
        ("Tahun Baru Islam", "tahun_baru_islam"),
        ("Hari Suci Nyepi", "nyepi"),
        ("Hari Raya Idul Fitri (perkiraan)", "idul_fitri"),
        ("Idulfitri 1448 H", "idul_fitri"),
        ("Hari kedua dari Hari Raya Idul Fitri", "idul_fitri_hari_kedua"),
        ("Hari Raya Idul Adha", "idul_adha"),
        ("Hari Raya Waisak", "waisak"),
        ("Hari Kemerdekaan Republik Indonesia", "kemerdekaan"),
        ("Hari Raya Natal", "natal"),
        ("Isra Mikraj Nabi Muhammad", "isra_miraj"),
        ("Kenaikan Yesus Kristus", "kenaikan_yesus"),
        ("Maulid Nabi Muhammad", "maulid"),
        ("Wafat Yesus Kristus", "jumat_agung"),
        ("Kebangkitan Yesus Kristus", "paskah"),
        ("Hari Buruh Internasional", "hari_buruh"),
        ("Hari Lahir Pancasila", "pancasila"),
        ("Cuti Bersama Hari Raya Idul Fitri", "cuti_bersama"),
        ("Ulang Tahun Perusahaan!", "ulang_tahun_perusahaan"),
    ],
)
def test_names_map_to_stable_keys(name: str, key: str) -> None:
    assert key_for_name(name) == key


def test_estimated_suffix_is_detected_and_stripped() -> None:
    assert split_estimated("Hari Raya Idul Fitri (perkiraan)") == ("Hari Raya Idul Fitri", True)
    assert split_estimated("Hari Raya Natal") == ("Hari Raya Natal", False)


# --- library defaults ----------------------------------------------------------


def test_2027_idul_fitri_is_estimated_and_greeted_once_though_it_spans_two_days() -> None:
    cal = calendar_for_year(2027)
    first, second = by_key(cal, "idul_fitri") + by_key(cal, "idul_fitri_hari_kedua")
    assert (first.date, second.date) == (date(2027, 3, 10), date(2027, 3, 11))
    assert first.name == "Hari Raya Idul Fitri"
    assert first.estimated
    assert second.estimated
    assert first.greet
    assert first.template == "holiday/idul_fitri"
    assert not second.greet
    assert first.multi_day_group == second.multi_day_group is not None
    assert [h.key for h in cal if h.greet].count("idul_fitri") == 1


def test_natal_and_independence_day_are_greeted_and_not_estimated() -> None:
    cal = calendar_for_year(2027)
    (natal,) = on(cal, date(2027, 12, 25))
    (merdeka,) = on(cal, date(2027, 8, 17))
    assert (natal.key, natal.greet, natal.estimated, natal.source) == ("natal", True, False, "library")
    assert (merdeka.key, merdeka.greet, merdeka.template) == ("kemerdekaan", True, "holiday/kemerdekaan")


def test_default_greeted_holidays_in_2027() -> None:
    greeted = {h.key for h in calendar_for_year(2027) if h.greet}
    assert greeted == {"tahun_baru", "imlek", "nyepi", "idul_fitri", "waisak", "idul_adha", "kemerdekaan", "natal"}


def test_other_public_holidays_are_listed_but_not_greeted() -> None:
    cal = calendar_for_year(2027)
    for key in ("isra_miraj", "jumat_agung", "hari_buruh", "kenaikan_yesus", "pancasila", "maulid"):
        assert by_key(cal, key), key
        assert not any(h.greet for h in by_key(cal, key)), key
        assert all(h.template is None for h in by_key(cal, key)), key


def test_defaults_greet_everyone_on_the_customers_consented_channel() -> None:
    (natal,) = holidays_on(date(2027, 12, 25))
    assert natal.audience is None
    assert natal.channels is None


def test_cuti_bersama_only_on_request_and_never_greeted() -> None:
    assert not by_key(calendar_for_year(2027), "cuti_bersama")
    cuti = by_key(calendar_for_year(2027, include_cuti_bersama=True), "cuti_bersama")
    assert cuti
    assert not any(h.greet for h in cuti)


def test_holidays_on_returns_only_greeted_holidays_for_that_date() -> None:
    assert [h.key for h in holidays_on(date(2027, 3, 10))] == ["idul_fitri"]
    assert holidays_on(date(2027, 3, 11)) == []  # second day of Idul Fitri
    assert holidays_on(date(2027, 5, 1)) == []  # Hari Buruh: a day off, not an occasion
    assert holidays_on(date(2027, 3, 12)) == []


def test_to_dict_is_the_api_shape() -> None:
    (idul_fitri,) = holidays_on(date(2027, 3, 10))
    assert idul_fitri.to_dict() == {
        "date": "2027-03-10",
        "name": "Hari Raya Idul Fitri",
        "key": "idul_fitri",
        "source": "library",
        "greet": True,
        "audience": None,
        "template": "holiday/idul_fitri",
        "channels": None,
        "estimated": True,
        "day_off": True,
    }


def test_national_holidays_are_the_calendars_days_off_with_staff_overrides() -> None:
    added = HolidayOverride(date(2027, 7, 1), name="Libur Pemilu Daerah", greet=False)
    working = HolidayOverride(date(2027, 12, 22), name="Hari Ibu", greet=True, day_off=False)

    off = days_off(2027, [added, working])

    assert date(2027, 8, 17) in off  # Hari Kemerdekaan, from the library
    assert date(2027, 7, 1) in off  # declared by staff
    assert date(2027, 12, 22) not in off  # a greeting occasion on a working day
    assert date(2027, 8, 16) not in off


def test_library_holidays_are_the_unmerged_defaults() -> None:
    assert library_holidays(2028) == calendar_for_year(2028, [])


# --- overrides -----------------------------------------------------------------


def test_override_adds_a_holiday_on_a_free_date() -> None:
    anniversary = HolidayOverride(
        date(2027, 7, 1),
        name="Ulang Tahun Perusahaan",
        greet=True,
        channels=("email",),
    )
    cal = calendar_for_year(2027, [anniversary])
    (added,) = on(cal, date(2027, 7, 1))
    assert (added.key, added.source, added.greet) == ("ulang_tahun_perusahaan", "override", True)
    assert added.template == "holiday/ulang_tahun_perusahaan"
    assert added.channels == ("email",)
    assert added.to_dict()["channels"] == ["email"]
    assert holidays_on(date(2027, 7, 1), [anniversary]) == [added]


def test_override_moves_idul_fitri_to_the_official_date() -> None:
    official = HolidayOverride(date(2027, 3, 11), name="Hari Raya Idul Fitri 1448 H", greet=True)
    cal = calendar_for_year(2027, [official])

    assert on(cal, date(2027, 3, 10)) == []  # the estimate is gone
    (moved,) = on(cal, date(2027, 3, 11))
    assert (moved.key, moved.source, moved.estimated, moved.greet) == ("idul_fitri", "override", False, True)
    (second,) = on(cal, date(2027, 3, 12))  # the second day moves along
    assert (second.key, second.source, second.greet) == ("idul_fitri_hari_kedua", "override", False)
    assert len(by_key(cal, "idul_fitri")) == 1

    assert holidays_on(date(2027, 3, 10), [official]) == []
    assert [h.key for h in holidays_on(date(2027, 3, 11), [official])] == ["idul_fitri"]


def test_override_on_the_library_date_edits_in_place() -> None:
    muslims_only = {"field": "religion", "op": "eq", "value": "islam"}
    edit = HolidayOverride(date(2027, 5, 17), name="Idul Adha", greet=True, audience=muslims_only)
    cal = calendar_for_year(2027, [edit])
    (adha,) = by_key(cal, "idul_adha")
    assert (adha.date, adha.source, adha.audience, adha.estimated) == (
        date(2027, 5, 17),
        "override",
        muslims_only,
        False,
    )
    assert adha.name == "Idul Adha"


def test_override_can_turn_a_default_greeting_off_or_on() -> None:
    quiet_natal = HolidayOverride(date(2027, 12, 25), name="Hari Raya Natal", greet=False)
    labour = HolidayOverride(date(2027, 5, 1), name="Hari Buruh", greet=True, template="holiday/custom-may_day")
    assert holidays_on(date(2027, 12, 25), [quiet_natal]) == []
    (may_day,) = holidays_on(date(2027, 5, 1), [labour])
    assert (may_day.key, may_day.template) == ("hari_buruh", "holiday/custom-may_day")


def test_move_replaces_the_nearest_occurrence_when_a_kind_falls_twice_a_year() -> None:
    # Isra Mikraj falls on 5 Jan and 26 Dec 2027; moving the December one leaves January alone.
    moved = HolidayOverride(date(2027, 12, 27), name="Isra Mikraj", greet=False)
    cal = calendar_for_year(2027, [moved])
    assert [(h.date, h.source) for h in by_key(cal, "isra_miraj")] == [
        (date(2027, 1, 5), "library"),
        (date(2027, 12, 27), "override"),
    ]


def test_explicit_key_adds_instead_of_moving() -> None:
    eve = HolidayOverride(date(2027, 12, 24), name="Malam Natal", greet=True, key="malam_natal")
    cal = calendar_for_year(2027, [eve])
    assert [(h.date, h.key) for h in cal if h.greet and h.date.month == 12] == [
        (date(2027, 12, 24), "malam_natal"),
        (date(2027, 12, 25), "natal"),
    ]


def test_explicit_key_can_move_a_holiday_under_a_new_name() -> None:
    moved = HolidayOverride(date(2027, 3, 9), name="Lebaran", greet=True, key="idul_fitri")
    cal = calendar_for_year(2027, [moved])
    assert [(h.date, h.name) for h in by_key(cal, "idul_fitri")] == [(date(2027, 3, 9), "Lebaran")]


def test_cancel_keeps_the_holiday_listed_but_stops_the_greeting() -> None:
    cancel = HolidayOverride.cancel(date(2027, 12, 25))
    cal = calendar_for_year(2027, [cancel])
    (natal,) = on(cal, date(2027, 12, 25))
    assert (natal.key, natal.source, natal.greet, natal.template) == ("natal", "override", False, None)
    assert holidays_on(date(2027, 12, 25), [cancel]) == []


def test_cancelling_the_first_day_of_idul_fitri_does_not_greet_on_the_second() -> None:
    cancel = cancel_override("2027-03-10")
    assert holidays_on(date(2027, 3, 10), [cancel]) == []
    assert holidays_on(date(2027, 3, 11), [cancel]) == []


def test_cancelling_a_free_date_changes_nothing() -> None:
    assert calendar_for_year(2027, [HolidayOverride.cancel(date(2027, 7, 1))]) == calendar_for_year(2027)


def test_overrides_only_affect_their_own_year() -> None:
    moved_2027 = HolidayOverride(date(2027, 3, 11), name="Idul Fitri", greet=True)
    assert calendar_for_year(2028, [moved_2027]) == calendar_for_year(2028)


def test_last_override_for_a_date_wins() -> None:
    first = HolidayOverride(date(2027, 7, 1), name="Satu", greet=True)
    second = HolidayOverride(date(2027, 7, 1), name="Dua", greet=True)
    assert [h.name for h in on(calendar_for_year(2027, [first, second]), date(2027, 7, 1))] == ["Dua"]


def test_a_non_cancelled_override_needs_a_name_or_key() -> None:
    with pytest.raises(ValueError):
        HolidayOverride(date(2027, 7, 1), greet=True)


def test_override_round_trips_through_its_stored_form() -> None:
    override = parse_override("2027-03-11", {"name": "Idul Fitri", "greet": True, "channels": ["whatsapp"]})
    assert HolidayOverride.from_dict(override.to_dict()) == override


# --- PUT body validation -------------------------------------------------------


def fields_of(date_str: str, body: Any) -> dict[str, str]:
    with pytest.raises(InvalidOverride) as caught:
        parse_override(date_str, body)
    assert isinstance(caught.value, ValueError)
    return caught.value.fields


def test_valid_body_parses_into_an_override() -> None:
    body = {
        "name": "  Hari Raya Idul Fitri ",
        "greet": True,
        "audience": {"field": "religion", "op": "eq", "value": "islam"},
        "template": "holiday/idul_fitri",
        "channels": ["whatsapp", "email"],
    }
    override = parse_override("2027-03-11", body)
    assert override == HolidayOverride(
        date=date(2027, 3, 11),
        name="Hari Raya Idul Fitri",
        greet=True,
        audience={"field": "religion", "op": "eq", "value": "islam"},
        template="holiday/idul_fitri",
        channels=("whatsapp", "email"),
    )
    assert override.resolved_key == "idul_fitri"


def test_minimal_body_uses_defaults() -> None:
    override = parse_override("2027-07-01", {"name": "Hari Pelanggan", "greet": False})
    assert (override.audience, override.template, override.channels, override.cancelled) == (None, None, None, False)


@pytest.mark.parametrize("bad_date", ["2027-02-29", "2027-13-01", "27-03-10", "20270310", ""])
def test_date_must_be_a_real_yyyy_mm_dd(bad_date: str) -> None:
    assert "date" in fields_of(bad_date, {"name": "X", "greet": True})


def test_every_bad_field_is_named_at_once() -> None:
    fields = fields_of(
        "2027-03-11",
        {
            "name": "x" * 101,
            "greet": "yes",
            "audience": {"field": "religion"},
            "template": "Holiday/Idul Fitri",
            "channels": ["sms"],
            "key": "Idul Fitri",
            "colour": "green",
        },
    )
    assert set(fields) == {"name", "greet", "audience", "template", "channels", "key", "colour"}
    assert "101" not in fields["name"]
    assert "100" in fields["name"]
    assert "op" in fields["audience"]
    assert "value" in fields["audience"]
    assert "sms" in fields["channels"]
    assert fields["colour"] == "unknown field"


def test_name_and_greet_are_required() -> None:
    assert fields_of("2027-03-11", {}) == {"name": "required", "greet": "required"}


@pytest.mark.parametrize("name", ["", "   ", 42, None])
def test_name_must_be_a_non_empty_string(name: object) -> None:
    assert "name" in fields_of("2027-03-11", {"name": name, "greet": True})


@pytest.mark.parametrize("channels", [[], "whatsapp", ["whatsapp", "whatsapp"], [1]])
def test_channels_must_be_a_non_empty_list_of_known_channels(channels: object) -> None:
    assert "channels" in fields_of("2027-03-11", {"name": "X", "greet": True, "channels": channels})


@pytest.mark.parametrize("audience", ["islam", ["religion"], {"field": "", "op": "eq", "value": "islam"}])
def test_audience_must_be_a_filter_object(audience: object) -> None:
    assert "audience" in fields_of("2027-03-11", {"name": "X", "greet": True, "audience": audience})


def test_body_must_be_an_object() -> None:
    assert fields_of("2027-03-11", ["name"]) == {"body": "must be a JSON object"}


def test_fields_echoed_from_a_get_are_accepted_if_consistent() -> None:
    echoed = {"date": "2027-03-11", "name": "Idul Fitri", "greet": True, "source": "library", "estimated": True}
    assert parse_override("2027-03-11", echoed).date == date(2027, 3, 11)
    assert "date" in fields_of("2027-03-11", {**echoed, "date": "2027-03-10"})


def test_cancel_override_validates_the_date() -> None:
    assert cancel_override("2027-12-25") == HolidayOverride.cancel(date(2027, 12, 25))
    with pytest.raises(InvalidOverride) as caught:
        cancel_override("25-12-2027")
    assert set(caught.value.fields) == {"date"}
