"""The settings a deployed stage cannot do without, checked before anything is packaged.

Unsubscribe links carry `SAPA_PUBLIC_URL` and e-mail goes out from
`SAPA_EMAIL_SENDER`; the code falls back to example values so that the local
stage runs with no configuration. A deployed stage with those values would
send links nobody can open from an address SES will not send for, so
`make package` refuses it. A value comes from (first wins) the command line,
the environment `make package` runs in, or the stage's `environment_variables`
in `.chalice/config.json` (over the top-level ones).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

LOCAL_STAGE = "local"
PUBLIC_URL = "SAPA_PUBLIC_URL"
EMAIL_SENDER = "SAPA_EMAIL_SENDER"
# What the code falls back to (chalicelib/*/deps.py, scrm/config.py): fine on one machine only.
EXAMPLE_VALUES: dict[str, str] = {PUBLIC_URL: "https://sapa.example", EMAIL_SENDER: "halo@sapa.example"}
# RFC 2606 / 6761 names that can never be a real deployment's.
RESERVED_SUFFIXES = (".example", ".invalid", ".test", ".localhost", ".local")

_ADDRESS = re.compile(r"^[^@\s<>]+@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")


class StageSettingsMissing(ValueError):
    """A non-local stage lacks a required setting or still has an example value."""


@dataclass(frozen=True)
class StageSettings:
    stage: str
    public_url: str
    email_sender: str

    @property
    def sender_domain(self) -> str:
        return self.email_sender.rsplit("@", 1)[-1]

    def environment(self) -> dict[str, str]:
        """The variables every function of the stage gets."""
        return {PUBLIC_URL: self.public_url, EMAIL_SENDER: self.email_sender}


def chalice_environment(stage: str, config_path: Path) -> dict[str, str]:
    """The environment variables `.chalice/config.json` gives every function of the stage."""
    if not config_path.exists():
        return {}
    config = json.loads(config_path.read_text())
    merged = dict(config.get("environment_variables") or {})
    merged.update((config.get("stages") or {}).get(stage, {}).get("environment_variables") or {})
    return {str(k): str(v) for k, v in merged.items()}


def resolve(
    stage: str,
    *,
    config_path: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, str | None] | None = None,
) -> StageSettings:
    """The stage's public URL and sender, or StageSettingsMissing naming every problem at once."""
    sources: list[Mapping[str, str | None]] = [overrides or {}, environ, chalice_environment(stage, config_path)]
    values: dict[str, str] = {}
    for name in (PUBLIC_URL, EMAIL_SENDER):
        value = next((str(s[name]).strip() for s in sources if s.get(name) and str(s[name]).strip()), "")
        values[name] = value or (EXAMPLE_VALUES[name] if stage == LOCAL_STAGE else "")
    if stage != LOCAL_STAGE:
        errors = [error for name, value in values.items() if (error := _problem(name, value))]
        if errors:
            raise StageSettingsMissing(
                f"stage {stage!r} cannot be packaged:\n"
                + "\n".join(f"  - {e}" for e in errors)
                + f"\nSet them in .chalice/config.json under stages.{stage}.environment_variables, or run "
                f"`make package STAGE={stage} {PUBLIC_URL}=https://... {EMAIL_SENDER}=name@your-domain`."
            )
    return StageSettings(stage, values[PUBLIC_URL], values[EMAIL_SENDER])


def _problem(name: str, value: str) -> str | None:
    if not value:
        return f"{name} is not set"
    if value == EXAMPLE_VALUES[name]:
        return f"{name} is still the example value {value!r}"
    if name == PUBLIC_URL:
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            return f"{name} must be an https:// URL, not {value!r}"
        host = parts.hostname
    else:
        match = _ADDRESS.match(value)
        if not match:
            return f"{name} must be an e-mail address, not {value!r}"
        host = match.group(1)
    if _reserved(host):
        return f"{name} uses a reserved example domain: {value!r}"
    return None


def _reserved(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "localhost" or any(host.endswith(s) or host == s[1:] for s in RESERVED_SUFFIXES)
