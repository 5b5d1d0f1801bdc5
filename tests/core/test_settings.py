"""Configuration fails closed: no stage means no start, and a deployed stage needs its URL, sender and secrets."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.settings import ConfigurationError, Settings

DEPLOYED = {
    "SAPA_STAGE": "prod",
    "SAPA_PUBLIC_URL": "https://crm.contoh-finance.co.id",
    "SAPA_EMAIL_SENDER": "halo@contoh-finance.co.id",
    "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
    "AWS_LAMBDA_FUNCTION_NAME": "sapa-prod-api_handler",  # the API needs these four secrets
    "SAPA_COGNITO_USER_POOL_ID": "ap-southeast-3_AbCdEf123",  # the template's Refs to the staff pool
    "SAPA_COGNITO_CLIENT_ID": "4k2j3h4g5f6d7s8a9p0o1i2u3y",
}
SECRETS = {"META_APP_SECRET": "a", "META_VERIFY_TOKEN": "b", "SAPA_SIGNING_SECRET": "c", "SAPA_HASH_SALT": "d"}


class FakeSsm:
    """SSM's GetParameters: the names it knows come back, the rest are InvalidParameters."""

    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.calls: list[list[str]] = []

    def get_parameters(self, Names: list[str], WithDecryption: bool) -> dict[str, Any]:
        self.calls.append(Names)
        return {
            "Parameters": [{"Name": n, "Value": "x"} for n in Names if n in self.known],
            "InvalidParameters": [n for n in Names if n not in self.known],
        }


def test_a_runtime_without_a_stage_does_not_start() -> None:
    with pytest.raises(ConfigurationError, match="SAPA_STAGE is not set"):
        Settings.from_env({})


def test_the_local_stage_refuses_to_run_inside_lambda() -> None:
    with pytest.raises(ConfigurationError, match="runs only on the local stack"):
        Settings.from_env({"SAPA_STAGE": "local", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"})


def test_only_the_local_stage_has_a_default_url_and_sender() -> None:
    local = Settings.from_env({"SAPA_STAGE": "local", "SAPA_PORT": "8123"})
    prod = Settings.from_env({"SAPA_STAGE": "prod"})

    assert local.public_url == "http://127.0.0.1:8123"
    assert local.email_sender == "halo@sapa.example"
    with pytest.raises(ConfigurationError, match="SAPA_PUBLIC_URL is required in stage 'prod'"):
        _ = prod.public_url
    with pytest.raises(ConfigurationError, match="SAPA_EMAIL_SENDER"):
        _ = prod.email_sender


def test_the_example_values_are_not_a_configuration() -> None:
    prod = Settings.from_env({**DEPLOYED, "SAPA_PUBLIC_URL": "https://sapa.example"})

    with pytest.raises(ConfigurationError, match="example value"):
        _ = prod.public_url


def test_a_deployed_function_stops_at_its_cold_start_naming_every_missing_setting_and_secret() -> None:
    environ = {k: v for k, v in DEPLOYED.items() if k != "SAPA_EMAIL_SENDER"}
    ssm = FakeSsm({"/sapa/prod/META_APP_SECRET", "/sapa/prod/META_VERIFY_TOKEN"})

    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env(environ).check_start(lambda: ssm)

    message = str(raised.value)
    assert "SAPA_EMAIL_SENDER" in message
    assert "secret SAPA_SIGNING_SECRET is not set" in message
    assert "secret SAPA_HASH_SALT is not set" in message
    assert "META_APP_SECRET" not in message


def test_a_complete_deployed_configuration_starts_and_asks_ssm_only_for_what_the_environment_lacks() -> None:
    ssm = FakeSsm({"/sapa/prod/SAPA_HASH_SALT"})
    environ = {**DEPLOYED, **{k: v for k, v in SECRETS.items() if k != "SAPA_HASH_SALT"}}

    Settings.from_env(environ).check_start(lambda: ssm)

    assert ssm.calls == [["/sapa/prod/SAPA_HASH_SALT"]]


def test_each_function_checks_only_the_secrets_its_role_may_read() -> None:
    authorizer = {**DEPLOYED, "AWS_LAMBDA_FUNCTION_NAME": "sapa-prod-staff_auth"}
    sender = {**DEPLOYED, "AWS_LAMBDA_FUNCTION_NAME": "sapa-prod-send_outbound"}
    ssm = FakeSsm(set())

    Settings.from_env(authorizer).check_start(lambda: ssm)  # reads no secret at all
    with pytest.raises(ConfigurationError, match="WHATSAPP_ACCESS_TOKEN") as raised:
        Settings.from_env(sender).check_start(lambda: ssm)

    assert "META_PAGE_ACCESS_TOKEN" not in str(raised.value)  # optional: only social replies need it
    assert ssm.calls == [["/sapa/prod/WHATSAPP_ACCESS_TOKEN"]]


def test_the_functions_that_sign_staff_in_stop_at_their_cold_start_without_the_staff_pool() -> None:
    without_pool = {k: v for k, v in DEPLOYED.items() if not k.startswith("SAPA_COGNITO_")}
    ssm = FakeSsm({f"/sapa/prod/{name}" for name in SECRETS})

    for function in ("api_handler", "staff_auth"):
        with pytest.raises(ConfigurationError) as raised:
            Settings.from_env({**without_pool, "AWS_LAMBDA_FUNCTION_NAME": f"sapa-prod-{function}"}).check_start(
                lambda: ssm
            )
        assert "SAPA_COGNITO_USER_POOL_ID" in str(raised.value)
        assert "SAPA_COGNITO_CLIENT_ID" in str(raised.value)
    sender = {**without_pool, "AWS_LAMBDA_FUNCTION_NAME": "sapa-prod-record_email_event"}
    Settings.from_env(sender).check_start(lambda: ssm)  # never signs anyone in


def test_outside_lambda_the_start_check_does_nothing() -> None:
    """`chalice package` imports the app to build a stage; it has no secrets and needs none."""
    environ = {"SAPA_STAGE": "prod"}

    Settings.from_env(environ).check_start(lambda: pytest.fail("no SSM outside Lambda"))


def test_only_the_local_stack_may_run_on_a_shifted_clock() -> None:
    local = Settings.from_env({"SAPA_STAGE": "local", "SAPA_CLOCK_OFFSET_SECONDS": "-3600"})

    assert local.options.clock_offset_seconds == -3600
    with pytest.raises(ConfigurationError, match="only the local stack may run on a shifted clock"):
        Settings.from_env({"SAPA_STAGE": "prod", "SAPA_CLOCK_OFFSET_SECONDS": "3600"})
