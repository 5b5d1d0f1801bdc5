"""Staff-written templates: validation at parse time, sandboxed rendering, filters."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chalicelib.campaigns.inline_template import (
    EMAIL_MAX_BYTES,
    WHATSAPP_MAX_CHARS,
    InlineTemplate,
    InvalidTemplate,
    RenderedInline,
    RenderError,
    WhatsAppTemplateRef,
    build_context,
    first_name,
    rupiah,
)

TODAY = date(2025, 6, 15)


def context(**customer_overrides: Any) -> dict[str, Any]:
    customer: dict[str, Any] = {
        "id": "c1",
        "name": "BUDI SANTOSO",
        "phone": "+6281234567890",
        "city": "Bandung",
        "province": "Jawa Barat",
        "language": "id",
        "attributes": {"vehicle_brand": "Toyota", "vehicle_model": "Avanza", "contract_start": "2021-03-10"},
    }
    customer.update(customer_overrides)
    return build_context(
        customer, campaign_name="Promo Servis", unsubscribe_url="https://sapa.example/u?t=a&b=1", today=TODAY
    )


def parse_errors(data: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(InvalidTemplate) as caught:
        InlineTemplate.parse(data, **kwargs)
    return caught.value.fields


def render_error(body: str, ctx: dict[str, Any] | None = None) -> str:
    template = InlineTemplate.parse({"body": body})
    with pytest.raises(RenderError) as caught:
        template.render(ctx or context())
    return caught.value.fields["template.body"]


# -- rendering ----------------------------------------------------------------


def test_renders_whatsapp_text() -> None:
    template = InlineTemplate.parse(
        {
            "body": "Halo {{ customer.first_name }}, {{ customer.vehicle_brand }} {{ customer.vehicle_model }} Anda "
            "sudah {{ customer.years_as_customer }} tahun bersama kami.",
            "whatsapp_template": {"name": "promo_servis", "language": "id"},
        },
        channel="whatsapp",
    )
    assert template.whatsapp_template == WhatsAppTemplateRef("promo_servis", "id")
    rendered = template.render(context())
    assert rendered == RenderedInline(
        subject=None, text="Halo Budi, Toyota Avanza Anda sudah 4 tahun bersama kami.", html=None
    )


def test_email_html_variant_is_autoescaped_and_text_is_not() -> None:
    template = InlineTemplate.parse(
        {"subject": "Untuk {{ customer.first_name }}", "body": "Halo {{ customer.name }}\n{{ unsubscribe_url }}"},
        channel="email",
    )
    rendered = template.render(context(name="Budi <b>&</b>"))
    assert rendered.subject == "Untuk Budi"
    assert rendered.text == "Halo Budi <b>&</b>\nhttps://sapa.example/u?t=a&b=1"
    assert rendered.html == "Halo Budi &lt;b&gt;&amp;&lt;/b&gt;<br>\nhttps://sapa.example/u?t=a&amp;b=1"


def test_html_body_keeps_staff_markup_without_added_breaks() -> None:
    template = InlineTemplate.parse({"subject": "Promo", "body": "<p>Halo {{ customer.city }}</p>\n<p>Salam</p>"})
    assert template.render(context()).html == "<p>Halo Bandung</p>\n<p>Salam</p>"


def test_subject_from_data_stays_one_line() -> None:
    template = InlineTemplate.parse({"subject": "Halo {{ customer.name }}", "body": "x"}, channel="email")
    rendered = template.render(context(name="Budi\r\nBcc: victim@example.com"))
    assert rendered.subject == "Halo Budi Bcc: victim@example.com"
    assert "\n" not in (rendered.subject or "")


def test_missing_value_renders_empty_and_default_applies_to_absent_attributes() -> None:
    template = InlineTemplate.parse(
        {"body": "[{{ customer.city }}] {{ customer.attributes.loan_amount | default(0) | rupiah }}"}
    )
    assert template.render(context(city=None)).text == "[] Rp0"


def test_control_flow_and_today() -> None:
    body = "{% if customer.city | lower == 'bandung' %}Bandung{% else %}Lain{% endif %} {{ today.year }}"
    assert InlineTemplate.parse({"body": body}).render(context()).text == "Bandung 2025"


def test_absent_attribute_is_a_render_error_naming_it() -> None:
    message = render_error("Sisa cicilan {{ customer.attributes.installments_left }}")
    assert "installments_left" in message
    assert "default" in message


def test_rendered_whatsapp_text_over_limit_is_refused() -> None:
    template = InlineTemplate.parse({"body": "{{ customer.attributes.note }}"}, channel="whatsapp")
    ctx = context(attributes={"note": "x" * (WHATSAPP_MAX_CHARS + 1)})
    with pytest.raises(RenderError, match="WhatsApp allows 4096"):
        template.render(ctx)


def test_to_dict_round_trips() -> None:
    data = {"body": "Hi", "subject": "S", "whatsapp_template": {"name": "promo", "language": "en_US"}}
    template = InlineTemplate.parse(data)
    assert template.to_dict() == data
    assert InlineTemplate.parse(template.to_dict()) == template


# -- sandbox ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ customer.__class__ }}",
        "{{ customer['__class__'] }}",
        "{{ customer | attr('__class__') }}",
        "{{ today.__class__.__subclasses__() }}",
    ],
)
def test_dunder_access_is_rejected_at_parse_time(body: str) -> None:
    assert "'_'" in parse_errors({"body": body})["template.body"]


@pytest.mark.parametrize(
    "body",
    [
        "{{ customer.attributes['__cla' ~ 'ss__'] }}",
        "{% set n = '__class__' %}{{ (customer | attr(n)).__name__ if false else customer | attr(n) }}",
        "{{ customer.attributes.get('x', '').__class__ }}",
    ],
)
def test_dynamic_escape_attempts_fail_safely_at_render(body: str) -> None:
    try:
        template = InlineTemplate.parse({"body": body})
    except InvalidTemplate:
        return  # refused even earlier: also fine
    with pytest.raises(RenderError) as caught:
        template.render(context())
    message = str(caught.value)
    assert message == "template.body: the template tried to use something that is not allowed"


def test_printing_methods_or_objects_leaks_nothing() -> None:
    for body in ("{{ customer.name.upper }}", "{{ customer.attributes }}", "{{ today.strftime }}"):
        message = render_error(body)
        assert "0x" not in message
        assert "built-in" not in message
        assert "only text, numbers and dates" in message


def test_context_cannot_be_mutated() -> None:
    ctx = context()
    assert "not allowed" in render_error("{{ customer.attributes.update({'x': 1}) }}", ctx)
    assert "x" not in ctx["customer"]["attributes"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ 'x' * 100000 }}", "repetition"),
        ("{% for i in range(100000) %}{% endfor %}", "range() is limited"),
        ("{{ 10 ** 100000 }}", "exponents"),
        ("{{ 1 / 0 }}", "division by zero"),
        ("{{ customer.name + 1 }}", "incompatible types"),
        ("{{ 'abc' | rupiah }}", "cannot use"),
    ],
)
def test_resource_limits_and_runtime_errors_are_clear(body: str, message: str) -> None:
    assert message in render_error(body)


# -- validation ---------------------------------------------------------------


def test_syntax_error_reports_line() -> None:
    assert parse_errors({"body": "Halo {{ customer.name }"}) == {"template.body": "line 1: unexpected '}'"}
    assert parse_errors({"body": "a\nb\n{% if x %}"})["template.body"].startswith("line 3:")


def test_unknown_variables_are_rejected_at_parse_time() -> None:
    message = parse_errors({"body": "Halo\n{{ nama }} {{ kota }}"})["template.body"]
    assert message.startswith("line 2: unknown variable 'kota', 'nama'")
    assert "customer, today, unsubscribe_url" in message
    # Jinja's default globals are not available either.
    assert "lipsum" in parse_errors({"body": "{{ lipsum() }}"})["template.body"]


def test_unknown_customer_and_campaign_fields_are_rejected() -> None:
    assert "customer.nama" in parse_errors({"body": "{{ customer.nama }}"})["template.body"]
    assert "campaign.budget" in parse_errors({"body": "{{ campaign['budget'] }}"})["template.body"]


def test_loop_variables_are_not_undeclared() -> None:
    body = "{% for k, v in customer.attributes | dictsort %}{{ k }}={{ v }};{% endfor %}{{ range(2) | list | length }}"
    rendered = InlineTemplate.parse({"body": body}).render(context())
    assert rendered.text == "contract_start=2021-03-10;vehicle_brand=Toyota;vehicle_model=Avanza;2"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ customer.name | safe }}", "|safe"),
        ("{% include 'other.html' %}", "other templates"),
        ("{% macro m() %}{% endmacro %}", "macros"),
        ("{% autoescape false %}{{ customer.name }}{% endautoescape %}", "autoescape"),
        ("{{ customer.name | nosuch }}", "No filter named 'nosuch'"),
    ],
)
def test_forbidden_constructs(body: str, message: str) -> None:
    assert message in parse_errors({"body": body})["template.body"]


def test_field_validation() -> None:
    assert "template.body" in parse_errors({})
    assert "template.body" in parse_errors({"body": "   "})
    assert "template" in parse_errors("Halo")
    assert "template.extra" in parse_errors({"body": "x", "extra": 1})
    assert "template.subject" in parse_errors({"body": "x", "subject": "s" * 201})
    assert "template.subject" in parse_errors({"body": "x", "subject": "a\nb"})
    assert "template.subject" in parse_errors({"body": "x"}, channel="email")
    fields = parse_errors({"body": "x", "whatsapp_template": {"name": "Promo Servis", "language": "indonesian"}})
    assert set(fields) == {"template.whatsapp_template.name", "template.whatsapp_template.language"}


def test_body_limits_depend_on_channel() -> None:
    long_text = "x" * (WHATSAPP_MAX_CHARS + 1)
    assert "4096" in parse_errors({"body": long_text})["template.body"]
    assert "4096" in parse_errors({"body": long_text, "subject": "s"}, channel="whatsapp")["template.body"]
    InlineTemplate.parse({"body": long_text, "subject": "s"})
    InlineTemplate.parse({"body": long_text, "subject": "s"}, channel="email")
    assert "100 KB" in parse_errors({"body": "é" * (EMAIL_MAX_BYTES // 2 + 1), "subject": "s"})["template.body"]


# -- filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1500000, "Rp1.500.000"),
        (0, "Rp0"),
        (999, "Rp999"),
        (1000, "Rp1.000"),
        (2500000.5, "Rp2.500.001"),
        ("750000", "Rp750.000"),
        (-1500, "-Rp1.500"),
        (None, ""),
    ],
)
def test_rupiah(value: Any, expected: str) -> None:
    assert rupiah(value) == expected


@pytest.mark.parametrize("value", [True, "Rp1.000", "nan", "inf"])
def test_rupiah_rejects_non_numbers(value: Any) -> None:
    with pytest.raises(ValueError, match="number"):
        rupiah(value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Budi Santoso", "Budi"),
        ("SITI NURHALIZA", "Siti"),
        ("bpk. agus salim", "Agus"),
        ("Ibu Dewi", "Dewi"),
        ("H. Ahmad Fauzi", "Ahmad"),
        ("Sukarno", "Sukarno"),
        ("McDonald Tan", "McDonald"),
        ("  ", ""),
        (None, ""),
    ],
)
def test_first_name(name: Any, expected: str) -> None:
    assert first_name(name) == expected


def test_filters_in_templates() -> None:
    body = "{{ customer.name | first_name }}: {{ customer.attributes.price | rupiah }}"
    ctx = context(attributes={"price": 235_000_000})
    assert InlineTemplate.parse({"body": body}).render(ctx).text == "Budi: Rp235.000.000"
