"""Finding customers: one box for a name, a phone in any notation, an external id or an e-mail, and filters."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

from chalicelib.customers import search as search_module

ADMIN = {"Authorization": "Bearer test-admin-token"}


@pytest.fixture
def people(api, customer_data) -> dict[str, dict[str, Any]]:
    made = {}
    for key, body in {
        "budi": customer_data("K-1"),
        "siti": customer_data(
            "K-2",
            name="Siti Rahmawati",
            phone="081398765432",
            email="Siti.R@contoh.co.id",
            province="Jabar",
            city="Bandung",
            attributes={"vehicle_brand": "Daihatsu", "vehicle_model": "Xenia", "branch": "Bandung-01"},
            consents={"whatsapp": ["greetings"], "email": []},
        ),
        "agus": customer_data(
            "K-3",
            name="Agus Budiman",
            phone="+62 813 1111 2222",
            email=None,
            province="Papua",
            city="Jayapura",
            attributes={"vehicle_brand": "Toyota", "vehicle_model": "Rush"},
            consents={"whatsapp": [], "email": []},
        ),
    }.items():
        status, made[key] = api("POST", "/customers", body, ADMIN)
        assert status == 201
    return made


def _find(api, **params: str) -> tuple[int, Any]:
    return api("GET", "/customers?" + urllib.parse.urlencode(params), None, ADMIN)


def _names(body: Any) -> set[str]:
    return {item["name"] for item in body["items"]}


def test_q_finds_part_of_a_name_in_any_case(api, people) -> None:
    status, found = _find(api, q="BUDI")

    assert status == 200
    assert _names(found) == {"Budi Santoso", "Agus Budiman"}


@pytest.mark.parametrize("typed", ["081398765432", "+62 813 9876 5432", "6281398765432", "0813-9876-5432"])
def test_q_finds_a_phone_in_any_notation(api, people, typed) -> None:
    _, found = _find(api, q=typed)

    assert _names(found) == {"Siti Rahmawati"}


def test_q_finds_an_external_id_and_an_email_exactly(api, people) -> None:
    assert _names(_find(api, q="K-3")[1]) == {"Agus Budiman"}
    assert _names(_find(api, q="siti.r@CONTOH.co.id")[1]) == {"Siti Rahmawati"}
    assert _names(_find(api, email="Siti.R@contoh.co.id")[1]) == {"Siti Rahmawati"}


def test_an_exact_lookup_reads_an_index_not_the_table(api, people, monkeypatch) -> None:
    def no_scan(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("an exact key must not page through the table")

    monkeypatch.setattr(search_module.CustomerRepository, "page", no_scan)

    assert _names(_find(api, q="+6281398765432")[1]) == {"Siti Rahmawati"}
    assert _names(_find(api, q="budi.santoso@contoh.co.id")[1]) == {"Budi Santoso"}


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"province": "Jawa Barat"}, {"Siti Rahmawati"}),
        ({"province": "jabar"}, {"Siti Rahmawati"}),
        ({"zone": "WIT"}, {"Agus Budiman"}),
        ({"zone": "Asia/Makassar"}, {"Budi Santoso"}),
        ({"consent": "whatsapp:promotions"}, {"Budi Santoso"}),
        ({"consent": "whatsapp:greetings"}, {"Budi Santoso", "Siti Rahmawati"}),
        ({"city": "bandung"}, {"Siti Rahmawati"}),
        ({"vehicle": "toyota"}, {"Budi Santoso", "Agus Budiman"}),
        ({"vehicle": "xenia"}, {"Siti Rahmawati"}),
        ({"attribute": "branch:Bandung-01"}, {"Siti Rahmawati"}),
        ({"q": "budi", "zone": "WIT"}, {"Agus Budiman"}),
        ({"q": "K-1", "city": "Bandung"}, set()),
    ],
)
def test_filters_narrow_the_list(api, people, params, names) -> None:
    status, found = _find(api, **params)

    assert status == 200
    assert _names(found) == names


@pytest.mark.parametrize(
    "params",
    [{"provinsi": "Bali"}, {"zone": "CET"}, {"consent": "sms:promotions"}, {"attribute": "branch"}, {"phone": "12"}],
)
def test_unknown_or_malformed_parameters_are_a_400_naming_them(api, people, params) -> None:
    status, body = _find(api, **params)

    assert status == 400
    assert set(body["fields"]) == set(params)


def test_a_search_pages_with_the_cursor_and_never_repeats_anyone(api, people) -> None:
    seen: list[str] = []
    status, found = _find(api, q="a", limit="1")
    while True:
        assert status == 200
        seen += [item["name"] for item in found["items"]]
        if not found["next"]:
            break
        status, found = _find(api, q="a", limit="1", cursor=found["next"])

    assert sorted(seen) == ["Agus Budiman", "Budi Santoso", "Siti Rahmawati"]


def test_a_search_that_reads_its_budget_answers_a_short_page_with_a_cursor(api, people, monkeypatch) -> None:
    monkeypatch.setattr(search_module, "SCAN_BUDGET", 1)
    monkeypatch.setattr(search_module, "SCAN_PAGE", 1)

    pages = 0
    _, found = _find(api, city="Jayapura")
    names = _names(found)
    while found["next"]:
        pages += 1
        _, found = _find(api, city="Jayapura", cursor=found["next"])
        names |= _names(found)

    assert names == {"Agus Budiman"}
    assert pages >= 2
