"""Every setting is declared once, typed and validated: a typo or a malformed value stops the function."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.core.options import DEFAULTS, SECRETS, InvalidOptions, Options, parse
from chalicelib.core.settings import ConfigurationError, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_environment_is_every_default() -> None:
    assert parse({}) == DEFAULTS
    assert DEFAULTS.promo_cap == 2
    assert DEFAULTS.scrm_bot is True


def test_values_are_read_with_their_types() -> None:
    options = parse(
        {"SAPA_PROMO_CAP": "3", "SAPA_SES_RATE": "2.5", "SAPA_SCRM_BOT": "off", "SAPA_SEGMENT_FIELDS": "a, b"}
    )

    assert (options.promo_cap, options.ses_rate, options.scrm_bot) == (3, 2.5, False)
    assert options.segment_field_names == {"a", "b"}


def test_an_empty_variable_means_the_default() -> None:
    assert parse({"SAPA_PROMO_CAP": "", "SAPA_SCRM_HOTLINE": "  "}) == DEFAULTS


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("SAPA_PROMO_CAP", "two", "SAPA_PROMO_CAP='two': Input should be a valid integer"),
        ("SAPA_PROMO_CAP", "0", "SAPA_PROMO_CAP='0': Input should be greater than or equal to 1"),
        ("SAPA_CAMPAIGN_MAX_BOUNCE_RATE", "4", "SAPA_CAMPAIGN_MAX_BOUNCE_RATE='4': Input should be less than"),
        ("SAPA_SCRM_COMMENTS", "reply", "SAPA_SCRM_COMMENTS='reply': Input should be 'invite' or 'route'"),
        ("SAPA_SCRM_BOT", "maybe", "SAPA_SCRM_BOT='maybe': Input should be a valid boolean"),
    ],
)
def test_a_malformed_value_is_refused_naming_the_variable(variable: str, value: str, said: str) -> None:
    with pytest.raises(InvalidOptions) as refused:
        parse({variable: value})

    assert said in str(refused.value)


def test_an_unknown_sapa_variable_is_refused_with_the_closest_name() -> None:
    with pytest.raises(InvalidOptions) as refused:
        parse({"SAPA_PROMO_CAPS": "3", "WHATSAPP_PHONE_NUMBERID": "1", "PATH": "/bin"})

    assert refused.value.problems == [
        "SAPA_PROMO_CAPS is not a Sapa setting (did you mean SAPA_PROMO_CAP?)",
        "WHATSAPP_PHONE_NUMBERID is not a Sapa setting (did you mean WHATSAPP_PHONE_NUMBER_ID?)",
    ]


def test_secrets_and_the_local_stacks_variables_are_known() -> None:
    environ = dict.fromkeys(SECRETS, "x") | {"SAPA_STAGE": "dev", "SAPA_AWS_PORT": "4566", "SAPA_SEED": "0"}

    assert parse(environ) == DEFAULTS


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(InvalidOptions) as refused:
        parse({"SAPA_PROMO_CAP": "two", "SAPA_SES_RATE": "-1", "SAPA_TYPO": "1"})

    assert len(refused.value.problems) == 3


def test_settings_stop_with_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="SAPA_PROMO_CAPS is not a Sapa setting"):
        Settings.from_env({"SAPA_STAGE": "local", "SAPA_PROMO_CAPS": "3"})


def test_a_function_with_a_typo_in_its_settings_does_not_start() -> None:
    env = {"PATH": "/usr/bin:/bin", "SAPA_STAGE": "local", "SAPA_FANOUT_PAGESIZE": "10", "AWS_DEFAULT_REGION": "x"}

    started = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert started.returncode != 0
    assert "SAPA_FANOUT_PAGESIZE is not a Sapa setting (did you mean SAPA_FANOUT_PAGE_SIZE?)" in started.stderr


def test_every_setting_has_a_doc_line_and_a_stage_rule() -> None:
    for name, field in Options.model_fields.items():
        assert field.alias, name
        assert field.description, name
        assert isinstance(field.json_schema_extra, dict), name
        assert field.json_schema_extra.get("stage"), name
