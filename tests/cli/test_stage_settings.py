"""A deployed stage needs its own public URL and sender; the local stage runs on the examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sapa_cli.stage_settings import EXAMPLE_VALUES, StageSettingsMissing, resolve

REAL = {"SAPA_PUBLIC_URL": "https://sapa.bank-contoh.co.id", "SAPA_EMAIL_SENDER": "halo@bank-contoh.co.id"}


def _config(tmp_path: Path, stage_env: dict[str, str], top_env: dict[str, str] | None = None) -> Path:
    path = tmp_path / "config.json"
    config = {"environment_variables": top_env or {}, "stages": {"prod": {"environment_variables": stage_env}}}
    path.write_text(json.dumps(config))
    return path


def test_the_local_stage_needs_nothing_and_gets_the_examples(tmp_path: Path) -> None:
    settings = resolve("local", config_path=tmp_path / "none.json", environ={})

    assert (settings.public_url, settings.email_sender) == tuple(EXAMPLE_VALUES.values())


def test_a_stage_takes_them_from_its_chalice_config(tmp_path: Path) -> None:
    config = _config(tmp_path, REAL, top_env={"SAPA_PUBLIC_URL": "https://shadowed.bank-contoh.co.id"})

    settings = resolve("prod", config_path=config, environ={})

    assert settings.public_url == REAL["SAPA_PUBLIC_URL"]
    assert (settings.email_sender, settings.sender_domain) == ("halo@bank-contoh.co.id", "bank-contoh.co.id")
    assert settings.environment() == REAL


def test_the_command_line_wins_over_the_environment_which_wins_over_the_config(tmp_path: Path) -> None:
    config = _config(
        tmp_path, {"SAPA_PUBLIC_URL": "https://config.bank-contoh.co.id", "SAPA_EMAIL_SENDER": "a@b.co.id"}
    )
    environ = {"SAPA_PUBLIC_URL": "https://env.bank-contoh.co.id", "SAPA_EMAIL_SENDER": "env@bank-contoh.co.id"}

    settings = resolve(
        "prod", config_path=config, environ=environ, overrides={"SAPA_PUBLIC_URL": "https://cli.bank-contoh.co.id"}
    )

    assert (settings.public_url, settings.email_sender) == ("https://cli.bank-contoh.co.id", "env@bank-contoh.co.id")


def test_missing_settings_are_all_named_at_once(tmp_path: Path) -> None:
    with pytest.raises(StageSettingsMissing) as refused:
        resolve("prod", config_path=_config(tmp_path, {}), environ={"SAPA_PUBLIC_URL": "  "})

    message = str(refused.value)
    assert "SAPA_PUBLIC_URL is not set" in message
    assert "SAPA_EMAIL_SENDER is not set" in message
    assert "stages.prod.environment_variables" in message


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("SAPA_PUBLIC_URL", "https://sapa.example", "still the example value"),
        ("SAPA_EMAIL_SENDER", "halo@sapa.example", "still the example value"),
        ("SAPA_PUBLIC_URL", "https://crm.sapa.example/", "reserved example domain"),
        ("SAPA_PUBLIC_URL", "https://localhost:8000", "reserved example domain"),
        ("SAPA_EMAIL_SENDER", "halo@bank.test", "reserved example domain"),
        ("SAPA_PUBLIC_URL", "http://sapa.bank-contoh.co.id", "must be an https:// URL"),
        ("SAPA_PUBLIC_URL", "sapa.bank-contoh.co.id", "must be an https:// URL"),
        ("SAPA_EMAIL_SENDER", "Sapa <halo@bank-contoh.co.id>", "must be an e-mail address"),
        ("SAPA_EMAIL_SENDER", "halo", "must be an e-mail address"),
    ],
)
def test_examples_and_values_no_deployment_can_use_are_refused(tmp_path: Path, name: str, value: str, why: str) -> None:
    with pytest.raises(StageSettingsMissing) as refused:
        resolve("prod", config_path=_config(tmp_path, {**REAL, name: value}), environ={})

    assert why in str(refused.value)
    assert name in str(refused.value)
