"""Named campaign templates from templates/campaigns/ and inline ones render to the same shape."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.campaigns.content import InlineContent, NamedContent, available_templates, check_samples, parse_content
from chalicelib.campaigns.inline_template import InvalidTemplate, RenderError, build_context

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


# -- what fits a channel ------------------------------------------------------


def test_named_whatsapp_parameters_are_capped_at_1024_characters() -> None:
    content = parse_content("promo_dp_ringan", "whatsapp")

    with pytest.raises(RenderError) as caught:
        content.render(context(city="Kota " * 300), "id")

    assert caught.value.fields == {
        "template": "the rendered message is too long: a WhatsApp template parameter allows 1024 characters "
        "(parameter 3)"
    }


def test_named_email_parts_are_capped_at_100_kb() -> None:
    content = parse_content("promo_dp_ringan", "email")

    with pytest.raises(RenderError) as caught:
        content.render(context(city="Bandung " * 13_000), "id")

    assert "an e-mail's" in caught.value.fields["template"]
    assert "allows 100 KB" in caught.value.fields["template"]


class _OutOfMemory(dict):
    """A customer record whose every lookup runs out of memory."""

    def __getitem__(self, key: object) -> object:
        raise MemoryError


def test_a_named_template_that_runs_out_of_memory_is_a_render_error() -> None:
    content = parse_content("promo_dp_ringan", "whatsapp")

    with pytest.raises(RenderError) as caught:
        content.render({**context(), "customer": _OutOfMemory()}, "id")

    assert caught.value.fields == {"template": "whatsapp.id.params.j2 failed: MemoryError"}


# -- sample customers, before a campaign is saved ------------------------------


def refused(raw: object, channel: str) -> dict[str, str]:
    with pytest.raises(InvalidTemplate) as caught:
        check_samples(parse_content(raw, channel), channel, campaign_name="Promo Juni", today=TODAY)
    return caught.value.fields


def whatsapp(body: str) -> dict:
    return {"body": body, "whatsapp_template": {"name": "promo_teks", "language": "id"}}


def test_a_template_that_cannot_render_for_a_sample_customer_is_refused_with_its_line() -> None:
    assert refused(whatsapp("Halo {{ customer.first_name }}\n{{ 10 / 0 }}"), "whatsapp") == {
        "template.body": "line 2: the template failed: division by zero (rendering for a sample customer)"
    }


def test_samples_have_every_field_and_stand_in_for_attributes_real_customers_may_lack() -> None:
    body = (
        "{{ customer.first_name }} {{ customer.city }} {{ customer.province }} {{ customer.vehicle_model }} "
        "{{ customer.years_as_customer + 1 }} {{ customer.attributes.branch|upper }} "
        "{{ customer.attributes.sisa_angsuran }}x {{ customer.attributes.pinjaman|rupiah }}"
    )

    check_samples(parse_content(whatsapp(body), "whatsapp"), "whatsapp", campaign_name="Promo", today=TODAY)
    # A text method on an unknown attribute: the number stand-in fails, the text one renders.
    check_samples(
        parse_content(whatsapp("{{ customer.attributes.kode.split('-')[0] }}"), "whatsapp"),
        "whatsapp",
        campaign_name="Promo",
        today=TODAY,
    )


def test_a_sample_too_long_for_the_channel_is_refused() -> None:
    assert "allows 1024 characters" in refused(whatsapp("{{ 'x' * 1025 }}"), "whatsapp")["template.body"]


def test_a_promotional_email_without_the_unsubscribe_link_is_refused() -> None:
    fields = refused({"subject": "Promo", "body": "Halo {{ customer.first_name }}, ada promo!"}, "email")

    assert fields == {
        "template.body": "a promotional e-mail must include the unsubscribe link: add {{ unsubscribe_url }} to the body"
    }


def test_a_link_that_is_never_printed_does_not_count() -> None:
    body = "Halo{% if customer.city == 'Atlantis' %} {{ unsubscribe_url }}{% endif %}"

    assert "unsubscribe" in refused({"subject": "Promo", "body": body}, "email")["template.body"]


def test_an_email_with_the_unsubscribe_link_is_accepted() -> None:
    body = '<p>Halo {{ customer.first_name }}</p><p><a href="{{ unsubscribe_url }}">Berhenti</a></p>'

    check_samples(parse_content({"subject": "Promo", "body": body}, "email"), "email", campaign_name="x", today=TODAY)


class _Exhausting:
    """Content that always stops at a limit, counting how often it was tried."""

    def __init__(self) -> None:
        self.renders = 0

    def render(self, context: object, language: str) -> object:
        self.renders += 1
        raise RenderError("template.body", "line 1: the template does too much work", exhausted=True)


def test_a_sample_stopped_by_a_limit_is_refused_without_trying_another_stand_in() -> None:
    content = _Exhausting()

    with pytest.raises(InvalidTemplate) as caught:
        check_samples(content, "whatsapp", campaign_name="Promo", today=TODAY)

    assert content.renders == 1  # at most one budget spent per save
    assert caught.value.fields == {
        "template.body": "line 1: the template does too much work (rendering for a sample customer)"
    }


@pytest.mark.parametrize("name", available_templates("email"))
def test_every_named_email_template_carries_the_unsubscribe_link(name: str) -> None:
    check_samples(parse_content(name, "email"), "email", campaign_name="Promo Juni", today=TODAY)


@pytest.mark.parametrize("name", available_templates("whatsapp"))
def test_every_named_whatsapp_template_renders_for_the_samples(name: str) -> None:
    check_samples(parse_content(name, "whatsapp"), "whatsapp", campaign_name="Promo Juni", today=TODAY)
