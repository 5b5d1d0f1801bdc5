"""The ladder is data: the steps the CRM team names, validated so a wrong edit cannot reach a customer."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.reminders.ladder import DEFAULT_LADDER, Ladder, LadderStep


def test_the_default_ladder_has_the_installment_steps_and_the_vehicle_services() -> None:
    installment = [s.step for s in DEFAULT_LADDER.steps if s.kind == "installment"]
    services = [(s.step, s.days) for s in DEFAULT_LADDER.steps if s.kind != "installment"]

    assert installment == ["H-7", "H-3", "H-1", "H0", "H+1", "H+3", "H+7"]
    assert ("stnk_tax", -30) in services
    assert ("stnk_tax", -7) in services
    assert ("insurance", -30) in services
    assert ("stnk_renewal", -30) in services
    assert [days for step, days in services if step == "bpkb_ready"] == [1, 60]


def test_only_installments_are_collection_contact_and_only_the_overdue_h3_becomes_a_call() -> None:
    purposes = {s.key: s.purpose for s in DEFAULT_LADDER.steps}
    calls = [s.key for s in DEFAULT_LADDER.steps if s.call_task]

    assert purposes["installment:H+1"] == "reminder"
    assert purposes["installment:H-7"] == "reminder"
    assert purposes["stnk_tax:H-30"] == "service"
    assert calls == ["installment:H+3"]


def test_a_step_twice_is_refused_naming_it() -> None:
    step = LadderStep(kind="installment", days=-3)

    with pytest.raises(ValidationError, match="installment:H-3 appear more than once"):
        Ladder(steps=(step, step))


def test_a_call_task_is_only_for_an_overdue_installment() -> None:
    with pytest.raises(ValidationError, match="only an overdue installment step"):
        LadderStep(kind="installment", days=-1, call_task=True)
    with pytest.raises(ValidationError, match="only an overdue installment step"):
        LadderStep(kind="stnk_tax", days=3, call_task=True)


def test_a_bpkb_reminder_after_storage_fees_started_is_refused() -> None:
    with pytest.raises(ValidationError, match="before storage fees start"):
        Ladder(steps=(LadderStep(kind="bpkb_ready", days=90),), bpkb_storage_fee_after_days=90)


def test_channels_are_whatsapp_or_email_without_repeats_and_days_are_bounded() -> None:
    with pytest.raises(ValidationError):
        LadderStep(kind="installment", days=1, channels=("sms",))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="must not repeat"):
        LadderStep(kind="installment", days=1, channels=("email", "email"))
    with pytest.raises(ValidationError):
        LadderStep(kind="installment", days=400)


def test_the_public_form_names_each_step_as_the_team_does() -> None:
    shown = DEFAULT_LADDER.public()["steps"]

    assert shown[0]["step"] == "H-7"
    assert shown[0]["when"] == "H-7"
    assert next(s for s in shown if s["kind"] == "stnk_tax")["step"] == "stnk_tax"


def test_the_ladder_as_shown_can_be_saved_back_but_a_step_name_that_contradicts_its_days_cannot() -> None:
    shown = DEFAULT_LADDER.public()

    assert Ladder.model_validate(shown) == DEFAULT_LADDER
    wrong = {**shown["steps"][0], "when": "H-5"}
    with pytest.raises(ValidationError, match="does not match days -7"):
        Ladder.model_validate({**shown, "steps": [wrong]})
