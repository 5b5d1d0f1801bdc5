"""Named campaign templates from templates/campaigns/ and inline ones render to the same shape."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.campaigns.content import InlineContent, NamedContent, parse_content
from chalicelib.campaigns.inline_template import InvalidTemplate, build_context

TODAY = date(2025, 6, 15)


def context(**customer: object) -> dict:
    data = {
        "id": "cus_1",
        "name": "BUDI SANTOSO",
        "city": "Bandung",
        "language": "id",
        "attributes": {"vehicle_brand": "Toyota", "vehicle_model": "Avanza", "contract_start": "2021-03-10"},
    }
    data.update(customer)
    return build_context(
        data, campaign_name="Promo <Juni>", unsubscribe_url="https://sapa.example/u/t?a=1&b=2", today=TODAY
    )


def test_a_named_whatsapp_template_maps_to_the_approved_template_with_params() -> None:
    content = parse_content("promo_dp_ringan", "whatsapp")

    rendered = content.render(context(), "id")

    assert isinstance(content, NamedContent)
    assert rendered.whatsapp_template == {
        "name": "promo_dp_ringan",
        "language": "id",
        "params": ["Budi", "Toyota Avanza", "Bandung"],
    }
    assert rendered.text.startswith("Halo Budi, terima kasih sudah mempercayakan Toyota Avanza")


def test_named_templates_follow_the_customer_language_and_fall_back_to_indonesian() -> None:
    content = parse_content("promo_dp_ringan", "whatsapp")

    assert content.render(context(), "en").text.startswith("Hi Budi")
    assert content.render(context(), "jv").text.startswith("Halo Budi")


def test_missing_customer_values_fall_back_to_friendly_words() -> None:
    rendered = parse_content("promo_dp_ringan", "whatsapp").render(context(name=None, city=None, attributes={}), "id")

    assert rendered.whatsapp_template is not None
    assert rendered.whatsapp_template["params"] == ["Pelanggan", "kendaraan Anda", "kota Anda"]


def test_a_named_email_has_subject_text_and_escaped_html() -> None:
    rendered = parse_content("promo_dp_ringan", "email").render(context(), "id")

    assert rendered.subject == "Budi, promo DP ringan untuk upgrade kendaraan Anda"
    assert "selama 4 tahun" in rendered.text
    assert "https://sapa.example/u/t?a=1&b=2" in rendered.text
    assert rendered.html is not None
    assert "Tim Promo &lt;Juni&gt;" in rendered.html
    assert "a=1&amp;b=2" in rendered.html


def test_inline_whatsapp_text_becomes_the_single_template_parameter() -> None:
    content = parse_content(
        {"body": "Halo {{ customer.first_name }}!", "whatsapp_template": {"name": "promo_teks", "language": "id"}},
        "whatsapp",
    )

    rendered = content.render(context(), "id")

    assert isinstance(content, InlineContent)
    assert rendered.text == "Halo Budi!"
    assert rendered.whatsapp_template == {"name": "promo_teks", "language": "id", "params": ["Halo Budi!"]}


def test_unknown_named_templates_are_refused_with_what_exists() -> None:
    with pytest.raises(InvalidTemplate) as caught:
        parse_content("promo_lain", "email")

    assert "available: promo_dp_ringan" in caught.value.fields["template"]
