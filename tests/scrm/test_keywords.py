"""STOP must catch how people type it, and never a complaint that merely contains the word."""

from __future__ import annotations

import pytest

from chalicelib.scrm.keywords import asks_for_person, asks_office_hours, is_start, is_stop


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        "Stop.",
        " stop! ",
        "BERHENTI",
        "berhenti",
        "Berhenti berlangganan",
        "stop promo ya min",
        "tolong stop kirim pesan",
        "stopp",
        "brenti",
        "berenti aja",
        "berhentii",
        "Unsubscribe me",
        "ＳＴＯＰ",
    ],
)
def test_stop_and_its_close_variants_are_recognised(text: str) -> None:
    assert is_stop(text)


@pytest.mark.parametrize(
    "text",
    [
        "kenapa autodebet tidak berhenti?",
        "jangan stop asuransi saya",
        "saya mau berhenti kredit dan lunasi sekarang bagaimana caranya",
        "stop by the office tomorrow to pay",
        "halo",
        "",
        None,
    ],
)
def test_a_message_that_only_contains_the_word_is_not_a_stop(text: str | None) -> None:
    assert not is_stop(text)


@pytest.mark.parametrize(
    "text",
    ["Jam buka kantor cabang?", "kantor buka hari sabtu?", "What are your office hours?", "jam operasional layanan"],
)
def test_office_hours_questions_are_recognised(text: str) -> None:
    assert asks_office_hours(text)


def test_other_questions_are_not_office_hours() -> None:
    assert not asks_office_hours("Berapa sisa cicilan saya?")


@pytest.mark.parametrize("text", ["MULAI", "start", "Mulai lagi ya min", "START WA", "subscribe please"])
def test_start_on_its_own_opts_back_in(text: str) -> None:
    assert is_start(text)


@pytest.mark.parametrize(
    "text", ["kapan mulai promonya?", "stop mulai", "mulai berhenti", "Start engine mobil saya mati", None, ""]
)
def test_start_inside_a_sentence_or_next_to_stop_is_not_an_opt_in(text: str | None) -> None:
    assert not is_start(text)


@pytest.mark.parametrize(
    "text",
    ["Alamat kantor cabang Medan?", "cabang terdekat dari Cibubur dimana", "Where is the nearest branch?"],
)
def test_branch_questions_count_as_office_hours(text: str) -> None:
    assert asks_office_hours(text)


@pytest.mark.parametrize(
    "text",
    [
        "mau bicara dengan CS",
        "bisa ngobrol sama admin?",
        "tolong sambungkan ke customer service",
        "saya mau chat dengan orang saja, bukan bot",
        "tolong telpon saya",
        "Can I talk to someone?",
        "I need a real person",
    ],
)
def test_a_request_for_a_person_is_recognised(text: str) -> None:
    assert asks_for_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "Berapa sisa cicilan saya?",
        "kapan bpkb bisa diambil",
        "ada promo bulan ini?",
        "Who is the person in charge?",
        None,
    ],
)
def test_ordinary_questions_do_not_ask_for_a_person(text: str | None) -> None:
    assert not asks_for_person(text)
