"""Configuration read from the environment, and secrets from SSM; it fails closed.

Names of tables and queues are derived from the stage, so the variables a
function needs are `SAPA_STAGE` and, outside the local stage, its public URL
and e-mail sender. Secrets come from the environment when set (local runs,
CI) and otherwise from SSM Parameter Store under `/sapa/<stage>/<name>`
through Powertools Parameters, cached for five minutes.

Nothing defaults to the local stage: a runtime without `SAPA_STAGE` stops,
and the local stage (with its published development secrets) refuses to run
inside a real Lambda. In Lambda, `check_start` stops the function at its cold
start when a required setting or secret is missing, with a message that says
which one and where to put it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from chalicelib.core import resources
from chalicelib.core.options import InvalidOptions, Options, parse

VERSION = "0.1.0"

# Well-known development values for the local stage only; every other stage
# refuses to start without real secrets.
LOCAL_SECRET_DEFAULTS: dict[str, str] = {
    "META_APP_SECRET": "local-meta-app-secret",
    "META_VERIFY_TOKEN": "local-verify-token",
    "SAPA_ADMIN_TOKEN": "local-admin-token",
    "SAPA_SIGNING_SECRET": "local-signing-secret",
    "SAPA_HASH_SALT": "local-hash-salt",
    "SAPA_WEBCHAT_SECRET": "local-webchat-secret",
    "WHATSAPP_ACCESS_TOKEN": "local-whatsapp-token",
    "META_PAGE_ACCESS_TOKEN": "local-whatsapp-token",
}

SECRET_CACHE_SECONDS = 300


LOCAL_STAGE = "local"
LOCAL_PUBLIC_URL = "http://127.0.0.1:8000"
LOCAL_EMAIL_SENDER = "halo@sapa.example"
LOCAL_PHONE_NUMBER_ID = "100000000000001"  # the WhatsApp sandbox's
EXAMPLE_VALUES = frozenset({"https://sapa.example", "http://sapa.example", "halo@sapa.example"})
REQUIRED_OUTSIDE_LOCAL = ("SAPA_PUBLIC_URL", "SAPA_EMAIL_SENDER")
STAFF_POOL_IDS = ("SAPA_COGNITO_USER_POOL_ID", "SAPA_COGNITO_CLIENT_ID")
"""Set by the template on every function (Refs to the staff pool); checked at the cold start of those that sign in."""
"""Settings every deployed stage must set: unsubscribe links and the From address go to real people."""
OPTIONAL_SECRETS = frozenset({"META_PAGE_ACCESS_TOKEN"})
"""Secrets a function may run without (replies on Instagram and Messenger fail, with an alert, until it is set)."""


class MissingSecret(RuntimeError):
    """A secret is neither in the environment nor in SSM."""


class ConfigurationError(RuntimeError):
    """Sapa cannot run with this configuration; the message says what to set."""


def in_lambda(env: dict[str, str]) -> bool:
    """True inside a real Lambda runtime (Chalice sets AWS_EXECUTION_ENV everywhere, the runtime API only there)."""
    return bool(env.get("AWS_LAMBDA_RUNTIME_API"))


@dataclass(frozen=True)
class Settings:
    """The stage, its validated options (`chalicelib.core.options`) and its secrets."""

    stage: str
    environ: dict[str, str]
    options: Options

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        stage = env.get("SAPA_STAGE", "").strip()
        if not stage:
            raise ConfigurationError(
                "SAPA_STAGE is not set. A deployed stage sets it in .chalice/config.json; "
                "the local stack (make run) sets SAPA_STAGE=local itself."
            )
        if stage == LOCAL_STAGE and in_lambda(env):
            raise ConfigurationError(
                "SAPA_STAGE=local inside AWS Lambda: the local stage accepts published development secrets "
                "and runs only on the local stack"
            )
        try:
            options = parse(env)
        except InvalidOptions as error:
            raise ConfigurationError(
                "Sapa cannot start: " + "; ".join(error.problems) + " (the settings are listed in the README)"
            ) from None
        if options.clock_offset_seconds and stage != LOCAL_STAGE:
            raise ConfigurationError(
                f"SAPA_CLOCK_OFFSET_SECONDS is set in stage {stage!r}: only the local stack may run on a shifted "
                "clock (contact hours and schedules follow the real time everywhere else)"
            )
        return cls(stage=stage, environ=env, options=options)

    # -- names -------------------------------------------------------------
    def table_name(self, logical: str) -> str:
        return resources.table_name(self.stage, logical)

    def queue_name(self, logical: str) -> str:
        return resources.queue_name(self.stage, logical)

    @cached_property
    def payload_bucket(self) -> str:
        return self.options.payload_bucket or f"{resources.prefix(self.stage)}-payloads"

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    @property
    def public_url(self) -> str:
        """Where Sapa's public pages (unsubscribe, consent) live; required outside the local stage."""
        default = f"http://127.0.0.1:{self.options.port}" if self.is_local else None
        return self._required("SAPA_PUBLIC_URL", self.options.public_url, default).rstrip("/")

    @property
    def email_sender(self) -> str:
        """The From address of every e-mail; required outside the local stage."""
        local_default = LOCAL_EMAIL_SENDER if self.is_local else None
        return self._required("SAPA_EMAIL_SENDER", self.options.email_sender, local_default)

    @property
    def whatsapp_phone_number_id(self) -> str:
        """The number WhatsApp messages go out from; the sandbox's in the local stage, required elsewhere."""
        local_default = LOCAL_PHONE_NUMBER_ID if self.is_local else None
        return self._required("WHATSAPP_PHONE_NUMBER_ID", self.options.whatsapp_phone_number_id, local_default)

    def _required(self, name: str, value: str | None, local_default: str | None) -> str:
        value = (value or "").strip()
        if value and (self.is_local or value not in EXAMPLE_VALUES):
            return value
        if local_default is not None:
            return local_default
        raise ConfigurationError(
            f"{name} is required in stage {self.stage!r} (set it in the stage's environment_variables "
            "in .chalice/config.json); the example value is not accepted"
        )

    def problems(self, secrets: tuple[str, ...] = (), ssm: Any | None = None, staff_pool: bool = False) -> list[str]:
        """Everything missing for this stage to run a function that needs `secrets` (and the staff pool's ids)."""
        if self.is_local:
            return []
        found: list[str] = []
        for name in REQUIRED_OUTSIDE_LOCAL + (STAFF_POOL_IDS if staff_pool else ()):
            try:
                self._required(name, getattr(self.options, Options.variables()[name]), None)
            except ConfigurationError as error:
                found.append(str(error))
        needed = [name for name in secrets if name not in OPTIONAL_SECRETS]
        missing = [name for name in needed if not self.environ.get(name)]
        if missing and ssm is not None:
            paths = {f"/sapa/{self.stage}/{name}": name for name in missing}
            result = ssm.get_parameters(Names=list(paths), WithDecryption=False)
            absent = [paths[p] for p in result.get("InvalidParameters", [])]
            found += [f"secret {name} is not set (environment or SSM /sapa/{self.stage}/{name})" for name in absent]
        return found

    def check_start(self, ssm: Callable[[], Any]) -> None:
        """At a Lambda's cold start: stop with every missing setting named, before any request is served.

        The secrets checked are the ones this function's role may read
        (`chalicelib.core.permissions`), found by its name `sapa-<stage>-<function>`.
        """
        if self.is_local or not in_lambda(self.environ):
            return
        from chalicelib.core import permissions

        function = self.environ.get("AWS_LAMBDA_FUNCTION_NAME", "").removeprefix(f"{resources.prefix(self.stage)}-")
        needs = permissions.FUNCTIONS.get(function)
        signs_in = needs is not None and (
            bool(needs.staff_pool) or any("staff#*" in access.partitions for access in needs.tables)
        )  # the console signs in; the authorizer verifies Cognito tokens
        found = self.problems(needs.secrets if needs else (), ssm(), staff_pool=signs_in)
        if found:
            raise ConfigurationError("Sapa cannot start: " + "; ".join(found))

    # -- secrets -----------------------------------------------------------
    def secret(self, name: str) -> str:
        value = self.environ.get(name)
        if value:
            return value
        if self.is_local and name in LOCAL_SECRET_DEFAULTS:
            return LOCAL_SECRET_DEFAULTS[name]
        return self._ssm_secret(name)

    def optional_secret(self, name: str) -> str | None:
        try:
            return self.secret(name)
        except MissingSecret:
            return None

    def _ssm_secret(self, name: str) -> str:
        # Imported here: only deployed stages pay for Powertools Parameters.
        from aws_lambda_powertools.utilities import parameters

        path = f"/sapa/{self.stage}/{name}"
        try:
            value = parameters.get_parameter(path, decrypt=True, max_age=SECRET_CACHE_SECONDS)
        except parameters.exceptions.GetParameterError as error:
            raise MissingSecret(f"secret {name} is not set (looked in env and SSM {path})") from error
        return str(value)


def current() -> Settings:
    """Settings for this process; cheap enough to call per request."""
    return Settings.from_env()
