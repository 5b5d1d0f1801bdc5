"""Staff-written templates: validation at parse time, sandboxed rendering, filters."""

from __future__ import annotations

import time
import tracemalloc
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
    RenderLimits,
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
    assert message == "template.body: line 1: the template tried to use something that is not allowed"


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


# -- bounded rendering -------------------------------------------------------
#
# Staff templates run once per recipient inside the fan-out; each of these ran for seconds or built megabytes.


def timed_render_error(body: str, channel: Any = None, **fields: Any) -> tuple[str, float]:
    template = InlineTemplate.parse({"body": body, **fields}, channel=channel)
    started = time.monotonic()
    with pytest.raises(RenderError) as caught:
        template.render(context())
    return caught.value.fields["template.body"], time.monotonic() - started


def test_nested_range_loops_stop_at_the_work_budget_at_once() -> None:
    body = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}"
    message, seconds = timed_render_error(body + "{% endfor %}")

    assert message.startswith("line 1: the template does too much work")
    assert seconds < 0.5


@pytest.mark.parametrize(
    "body",
    [
        "{{ customer.name|center(5000000) }}",
        "{{ customer.name.center(5000000) }}",
        "{{ customer.name.ljust(5000000) }}",
        "{{ customer.name.zfill(5000000) }}",
        "{{ customer.name|indent(5000000) }}",
        "{{ customer.name|wordwrap(5000000) }}",
        "{{ (customer.name|e).center(5000000) }}",  # Markup wraps str's methods
    ],
)
def test_huge_widths_are_refused_before_anything_is_padded(body: str) -> None:
    message, seconds = timed_render_error(body)

    assert message == "line 1: widths are limited to 1000"
    assert seconds < 0.5


@pytest.mark.parametrize(
    "body",
    [
        "{{ '%50000000s'|format('x') }}",
        "{{ '%50000000s' % 'x' }}",
        "{{ '%.50000000f' % 1.5 }}",
        "{{ '{:>50000000}'.format('x') }}",
    ],
)
def test_huge_format_widths_are_refused_before_anything_is_formatted(body: str) -> None:
    message, seconds = timed_render_error(body)

    assert "format" in message
    assert "limited to 1000" in message
    assert seconds < 0.5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ '%*s' % (50000000, 'x') }}", "'*' widths are not supported"),
        ("{{ '{:>{w}}'.format('x', w=50000000) }}", "widths taken from arguments"),
        ("{{ ('%s' * 1600) % ((('x' * 5000),) * 1600) }}", "longer than 100,000"),
        ("{{ ('%(a)s' * 1600) % {'a': 'x' * 10000} }}", "longer than 100,000"),
        ("{{ ('%s' * 1600)|format(*((('x' * 5000),) * 1600)) }}", "longer than 100,000"),
        ("{{ ('{0}' * 2500).format('x' * 10000) }}", "longer than 100,000"),
        ("{{ ('{a}' * 2000).format_map({'a': 'x' * 10000}) }}", "longer than 100,000"),
        ("{{ ('x' * 5000)|list|join('y' * 5000) }}", "longer than 100,000"),
        ("{{ ('y' * 5000).join(('x' * 5000)|list) }}", "longer than 100,000"),
        ("{{ ('x' * 10000)|replace('x', 'y' * 10000) }}", "longer than 100,000"),
        ("{{ ('x' * 10000).replace('x', 'y' * 10000) }}", "longer than 100,000"),
        ("{{ ('x ' * 5000)|wordwrap(1, wrapstring='y' * 1000) }}", "longer than 100,000"),
        ("{{ ('x' * 10000).expandtabs(1000) ~ ('\t' * 1000).expandtabs(1000) }}", "longer than 100,000"),
        ("{{ ('\t' * 10000).expandtabs(tabsize=1000) }}", "longer than 100,000"),
        ("{{ [1]|batch(5000000, 0)|list }}", "linecount is limited to 1000"),
        ("{{ [1]|slice(5000000)|list }}", "slices is limited to 1000"),
        ("{{ [['x'] * 10000] * 100 | sum(start=[]) }}", "sum() adds numbers only"),
        ("{{ customer.name.translate({66: 'x' * 10000}) }}", "not available"),
        (
            "{% set a = 'x' * 10000 %}{% set a = a ~ a %}{% set a = a ~ a %}{% set a = a ~ a %}{% set a = a ~ a %}"
            "{{ a }}",
            "longer than 100,000",
        ),
        ("{% set a = 'x' * 10000 %}{% set a = a + a + a + a + a + a + a + a + a + a + a %}{{ a }}", "longer than"),
        ("{% set n = 10 ** 100 %}{% set n = n * n * n * n %}{{ n }}", "a number is too large"),
        ("{{ (10 ** 100) ** 100 }}", "a number is too large"),
    ],
)
def test_other_ways_to_build_huge_values_are_refused(body: str, message: str) -> None:
    problem, seconds = timed_render_error(body, subject="s", channel="email")

    assert message in problem
    assert seconds < 0.5


@pytest.mark.parametrize(
    "body",
    [
        "{{ customer.name|center(5000000) }}",
        "{{ '%50000000s'|format('x') }}",
        "{{ ('%s' * 1600) % ((('x' * 5000),) * 1600) }}",
        "{{ ('{0}' * 2500).format('x' * 10000) }}",
        "{{ ('x' * 5000)|list|join('y' * 5000) }}",
        "{{ ('x' * 10000).replace('x', 'y' * 10000) }}",
        "{{ ('\t' * 10000).expandtabs(tabsize=1000) }}",
    ],
)
def test_amplifiers_are_refused_before_they_allocate_the_result(body: str) -> None:
    template = InlineTemplate.parse({"body": body, "subject": "s"}, channel="email")
    tracemalloc.start()
    try:
        with pytest.raises(RenderError):
            template.render(context())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 2_000_000  # the results would have been 5 to 100 MB


def test_buffered_blocks_count_against_what_a_render_may_print() -> None:
    body = "{% set x %}{% for i in range(1000) %}{{ 'x' * 5000 }}{% endfor %}{% endset %}{{ x | length }}"
    message, seconds = timed_render_error(body, subject="s", channel="email")

    assert "prints more than 1,000,000 characters" in message
    assert seconds < 0.5


def test_loop_text_counts_against_what_a_render_may_print() -> None:
    body = "{% set x %}{% for i in range(1000) %}" + "x" * 5000 + "{% endfor %}{% endset %}{{ x | length }}"
    message, _ = timed_render_error(body, subject="s", channel="email")

    assert "prints more than" in message


def test_the_budget_covers_the_whole_render_not_each_part() -> None:
    body = "{% for i in range(100) %}{% endfor %}ok"  # about 100 steps per rendering of the body
    limits = RenderLimits(max_steps=150)
    whatsapp = InlineTemplate.parse({"body": body}, channel="whatsapp")
    email = InlineTemplate.parse({"body": body, "subject": "Promo"}, channel="email")  # body rendered twice

    assert whatsapp.render(context(), limits).text == "ok"
    with pytest.raises(RenderError, match="too much work"):
        email.render(context(), limits)


def test_a_render_past_its_wall_clock_budget_stops() -> None:
    ticks = iter(range(1000))
    limits = RenderLimits(max_seconds=0.5, monotonic=lambda: next(ticks) / 10)  # every step takes 0.1 s
    template = InlineTemplate.parse({"body": "{% for i in range(10) %}{{ i }}{% endfor %}"})

    with pytest.raises(RenderError) as caught:
        template.render(context(), limits)

    assert caught.value.fields == {
        "template.body": "line 1: the template took longer than 0.5 s to render for one customer"
    }


def test_the_output_is_capped_while_it_streams_not_after_it_is_built() -> None:
    # The second line would fail; streaming stops at the first, once the message is already too long.
    template = InlineTemplate.parse(
        {"body": "{{ 'x' * 2000 }}\n{{ 1 / 0 }}", "whatsapp_template": {"name": "promo_teks", "language": "id"}},
        channel="whatsapp",
    )

    with pytest.raises(RenderError) as caught:
        template.render(context())

    assert caught.value.fields == {
        "template.body": "the rendered message is too long: a WhatsApp template parameter allows 1024 characters"
    }


@pytest.mark.parametrize(
    ("parse", "length", "allowed"),
    [
        ({"whatsapp_template": {"name": "promo_teks", "language": "id"}}, 1025, False),
        ({"whatsapp_template": {"name": "promo_teks", "language": "id"}}, 1024, True),
        ({}, WHATSAPP_MAX_CHARS + 1, False),  # WhatsApp text, outside a template
        ({}, WHATSAPP_MAX_CHARS, True),
    ],
)
def test_whatsapp_output_caps(parse: dict[str, Any], length: int, allowed: bool) -> None:
    template = InlineTemplate.parse({"body": "{{ customer.attributes.note }}", **parse}, channel="whatsapp")
    ctx = context(attributes={"note": "x" * length})

    if allowed:
        assert len(template.render(ctx).text) == length
    else:
        with pytest.raises(RenderError, match="too long"):
            template.render(ctx)


def test_email_text_and_html_are_capped_at_100_kb() -> None:
    template = InlineTemplate.parse({"subject": "Promo", "body": "{{ customer.attributes.note }}"}, channel="email")
    text_too_long = context(attributes={"note": "é" * (EMAIL_MAX_BYTES // 2 + 1)})  # fewer characters than bytes
    html_too_long = context(attributes={"note": "<" * (EMAIL_MAX_BYTES // 4 + 1)})  # "&lt;" in the HTML part

    with pytest.raises(RenderError) as text_error:
        template.render(text_too_long)
    with pytest.raises(RenderError) as html_error:
        template.render(html_too_long)

    assert text_error.value.fields == {
        "template.body": "the rendered message is too long: an e-mail's text part allows 100 KB"
    }
    assert html_error.value.fields == {
        "template.body": "the rendered message is too long: an e-mail's HTML part allows 100 KB"
    }


class _OutOfMemory(dict):
    """A customer record whose every lookup runs out of memory."""

    def __getitem__(self, key: Any) -> Any:
        raise MemoryError


class _TooDeep(dict):
    def __getitem__(self, key: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")


@pytest.mark.parametrize(
    ("customer", "message"),
    [
        (_OutOfMemory(), "line 2: the template failed: it needs more memory than a message may use"),
        (_TooDeep(), "line 2: the template failed: the template is too deeply nested"),
    ],
)
def test_memory_and_recursion_errors_become_render_errors_with_the_line(customer: dict, message: str) -> None:
    template = InlineTemplate.parse({"body": "Halo\n{{ customer.name }}"})

    with pytest.raises(RenderError) as caught:
        template.render({**context(), "customer": customer})

    assert caught.value.fields == {"template.body": message}


@pytest.mark.parametrize("body", ["{{ [1, 2] | dictsort }}", "{{ 'x' | xmlattr }}"])
def test_any_other_failure_of_the_template_is_a_render_error(body: str) -> None:
    assert render_error(body) == "line 1: the template failed: it could not be rendered"


def test_runtime_errors_name_the_template_line() -> None:
    assert (
        render_error("Halo\n{{ customer.first_name }}\n{{ 10 / 0 }}") == "line 3: the template failed: division by zero"
    )


def test_ordinary_formatting_still_works_within_the_limits() -> None:
    body = (
        "{% for word in ['a', 'b', 'c'] %}{{ loop.index }}{{ word|center(3) }}{% endfor %}|"
        "{{ '%05d' % 42 }}|{{ '{:>4}'.format('ab') }}|{{ ['x', 'y']|join(', ') }}|"
        "{{ customer.name|title|truncate(10, leeway=0) }}|"
        "{{ 'Halo ' ~ customer.first_name }}|{{ [1, 2, 3]|sum }}|{{ 'a-b'|replace('-', ' ') }}"
    )

    assert InlineTemplate.parse({"body": body}).render(context()).text == (
        "1 a 2 b 3 c |00042|  ab|x, y|Budi...|Halo Budi|6|a b"
    )


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
        ("{% for x in [[1]] recursive %}{{ loop(x) }}{% endfor %}", "recursive loops"),
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
