"""What staff may submit as a campaign, and how its live figures add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.campaigns import model
from chalicelib.campaigns.model import InvalidCampaign, counts, validate_spec

NOW = datetime(2025, 6, 15, 3, 0, tzinfo=UTC)
WHATSAPP_INLINE = {
    "body": "Halo {{ customer.first_name }}",
    "whatsapp_template": {"name": "promo_teks", "language": "id"},
}


def spec(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Promo Juni",
        "channel": "whatsapp",
        "template": WHATSAPP_INLINE,
        "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
    }
    data.update(overrides)
    return data


def errors(data: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(InvalidCampaign) as caught:
        validate_spec(data, now=NOW, **kwargs)
    return caught.value.fields


def test_a_valid_campaign_keeps_its_canonical_segment() -> None:
    parsed = validate_spec(spec(name="  Promo Juni "), now=NOW)

    assert parsed.name == "Promo Juni"
    assert parsed.segment == {"field": "city", "op": "eq", "value": "Jakarta"}
    assert parsed.send_at is None


def test_every_missing_field_is_named_at_once() -> None:
    assert set(errors({})) == {"name", "channel", "template", "segment"}


def test_unknown_fields_channels_and_bodies_are_refused() -> None:
    assert "budget" in errors(spec(budget=10))
    assert "channel" in errors(spec(channel="sms"))
    assert errors([1, 2]) == {"body": "must be a JSON object"}


def test_segment_errors_carry_their_json_path() -> None:
    found = errors(spec(segment={"all": [{"field": "gaji", "op": "eq", "value": 1}, {"field": "city", "op": "like"}]}))

    assert "unknown field 'gaji'" in found["segment.all[0].field"]
    assert "unknown op 'like'" in found["segment.all[1].op"]


def test_declared_tenant_fields_may_be_used_in_segments() -> None:
    data = spec(segment={"field": "loan_amount", "op": "gte", "value": 100_000_000})

    assert "segment.field" in errors(data)
    assert validate_spec(data, now=NOW, extra_fields=["loan_amount"]).segment["field"] == "loan_amount"


def test_whatsapp_inline_templates_must_name_an_approved_template() -> None:
    found = errors(spec(template={"body": "Halo"}))

    assert "Meta-approved" in found["template.whatsapp_template"]


def test_email_inline_templates_need_a_subject() -> None:
    assert "template.subject" in errors(spec(channel="email", template={"body": "Halo"}))


def test_named_templates_must_exist_for_the_channel() -> None:
    assert validate_spec(spec(template="promo_dp_ringan"), now=NOW).template == "promo_dp_ringan"
    assert validate_spec(spec(channel="email", template="promo_dp_ringan"), now=NOW).channel == "email"
    problem = errors(spec(template="promo_tidak_ada"))["template"]
    assert "no whatsapp template named 'promo_tidak_ada'" in problem
    assert "promo_dp_ringan" in problem
    assert "template" in errors(spec(template="../unsubscribe/page"))


@pytest.mark.parametrize(
    ("send_at", "message"),
    [
        ("2025-06-16T09:00:00", "UTC offset"),
        ("2025-06-14T09:00:00+07:00", "in the future"),
        ("besok pagi", "ISO 8601"),
        ("2027-01-01T00:00:00Z", "within a year"),
        (1718000000, "ISO 8601"),
    ],
)
def test_send_at_must_be_a_future_instant_with_an_offset(send_at: Any, message: str) -> None:
    assert message in errors(spec(send_at=send_at))["send_at"]


def test_send_at_is_stored_in_utc() -> None:
    parsed = validate_spec(spec(send_at="2025-06-16T09:00:00+07:00"), now=NOW)

    assert parsed.send_at == datetime(2025, 6, 16, 2, 0, tzinfo=UTC)


def test_a_patch_merges_onto_the_stored_campaign() -> None:
    stored = {"id": "cmp_1", **model.spec_attributes(validate_spec(spec(send_at="2025-06-16T02:00:00Z"), now=NOW))}

    renamed = validate_spec({"name": "Promo Juli"}, now=NOW, existing=stored)
    unscheduled = validate_spec({"send_at": None}, now=NOW, existing=stored)
    # The stored send_at is not re-judged by an edit that leaves it alone, even once it has passed.
    later = validate_spec({"name": "x"}, now=NOW + timedelta(days=2), existing=stored)

    assert renamed.name == "Promo Juli"
    assert renamed.template == WHATSAPP_INLINE
    assert renamed.send_at == datetime(2025, 6, 16, 2, 0, tzinfo=UTC)
    assert unscheduled.send_at is None
    assert later.send_at is not None


def test_changing_the_channel_revalidates_the_template() -> None:
    stored = {"id": "cmp_1", **model.spec_attributes(validate_spec(spec(), now=NOW))}

    assert "template.subject" in errors({"channel": "email"}, existing=stored)


def test_counts_add_segment_progress_to_delivery_figures() -> None:
    item = {
        "channel": "email",
        model.SENT: 7,
        model.FAILED: 3,
        model.RETRIED: 1,
        model.RELEASED: 2,
        model.CANCELLED: 1,
        model.SKIP_PREFIX + "no_consent": 1,
        model.CLICKED: 2,
    }
    segments = [
        {model.TARGETED: 10, model.QUEUED: 5, model.DEFERRED: 3, model.SKIP_PREFIX + "no_consent": 2},
        {model.TARGETED: 4, model.QUEUED: 4, model.SKIP_PREFIX + "render_error": 0},
    ]
    waiting = {"deferred": 1, "not_before": {"earliest": "2025-06-16T01:00:00Z", "latest": "2025-06-16T01:00:00Z"}}

    figures = counts(item, segments, waiting)

    assert figures["targeted"] == 14
    assert figures["queued"] == 5 + 4 + 2  # at the fan-out, and later when their contact hours opened
    assert figures["deferred"] == 1  # what waits now, read from the message log
    assert figures["not_before"]["earliest"] == "2025-06-16T01:00:00Z"
    assert figures["cancelled"] == 1
    assert figures["skipped"] == {"no_consent": 3, "suppressed": 0, "frequency_cap": 0, "invalid_contact": 0}
    assert figures["failed"] == 2
    assert figures["clicked"] == 2


def test_clicks_and_unsubscribes_are_shown_only_where_the_channel_reports_them() -> None:
    assert "clicked" not in counts({"channel": "whatsapp"}, [])
    assert "unsubscribed" in counts({"channel": "email"}, [])
