"""Configuration read from the environment, and secrets from SSM.

Names of tables and queues are derived from the stage, so the only variable a
function needs is `SAPA_STAGE`. Secrets come from the environment when set
(local runs, CI) and otherwise from SSM Parameter Store under
`/sapa/<stage>/<name>` through Powertools Parameters, cached for five minutes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

from chalicelib.core import resources

VERSION = "0.1.0"

# Well-known development values for the local stage only; every other stage
# refuses to start without real secrets.
LOCAL_SECRET_DEFAULTS: dict[str, str] = {
    "META_APP_SECRET": "local-meta-app-secret",
    "META_VERIFY_TOKEN": "local-verify-token",
    "SAPA_ADMIN_TOKEN": "local-admin-token",
    "SAPA_SIGNING_SECRET": "local-signing-secret",
    "SAPA_HASH_SALT": "local-hash-salt",
    "WHATSAPP_ACCESS_TOKEN": "local-whatsapp-token",
    "META_PAGE_ACCESS_TOKEN": "local-whatsapp-token",
}

SECRET_CACHE_SECONDS = 300


class MissingSecret(RuntimeError):
    """A secret is neither in the environment nor in SSM."""


@dataclass(frozen=True)
class Settings:
    stage: str
    environ: dict[str, str]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        return cls(stage=env.get("SAPA_STAGE", "local"), environ=env)

    # -- names -------------------------------------------------------------
    def table_name(self, logical: str) -> str:
        return resources.table_name(self.stage, logical)

    def queue_name(self, logical: str) -> str:
        return resources.queue_name(self.stage, logical)

    @cached_property
    def payload_bucket(self) -> str:
        return self.environ.get("SAPA_PAYLOAD_BUCKET") or f"{resources.prefix(self.stage)}-payloads"

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    # -- plain options -----------------------------------------------------
    def get(self, name: str, default: str) -> str:
        return self.environ.get(name, default)

    def get_int(self, name: str, default: int) -> int:
        raw = self.environ.get(name)
        return int(raw) if raw not in (None, "") else default

    def get_float(self, name: str, default: float) -> float:
        raw = self.environ.get(name)
        return float(raw) if raw not in (None, "") else default

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
