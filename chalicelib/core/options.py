"""Every plain setting a Sapa function reads: declared once, typed, documented, validated at cold start.

Each field is one environment variable (its alias), with its type, default,
the stage rule and a line of doc. `Settings.from_env` validates them all when
a function starts: a malformed value (`SAPA_PROMO_CAP=two`) or a variable
Sapa does not know (`SAPA_PROMO_CAPS`, a typo that would silently fall back to
the default) stops it with a message naming the variable. Secrets are not
here: they come from SSM (`chalicelib.core.settings`). The README's
configuration table is generated from this model (`python -m
sapa_cli.settings_doc --write`), and a test fails when they differ.

Domain modules take their defaults from `DEFAULTS`, so a default is written
once, here.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PREFIXES = ("SAPA_", "WHATSAPP_", "META_")
"""Variables with these prefixes are Sapa's: each must be a known setting, secret or local-stack variable."""

SECRETS = frozenset(
    {
        "META_APP_SECRET",
        "META_VERIFY_TOKEN",
        "META_PAGE_ACCESS_TOKEN",
        "SAPA_ADMIN_TOKEN",
        "SAPA_SIGNING_SECRET",
        "SAPA_HASH_SALT",
        "WHATSAPP_ACCESS_TOKEN",
    }
)
"""Read through `Settings.secret` (environment, else SSM); listed in the README's secrets table."""

LOCAL_STACK = frozenset(
    {
        "SAPA_STAGE",
        "SAPA_AWS_PORT",
        "SAPA_WHATSAPP_PORT",
        "SAPA_SEED",
        "SAPA_STATE_SAVE_SECONDS",
        "SAPA_STATE_DIR",
        "SAPA_DEBUG",
        "SAPA_SMSA_DIR",
        "SAPA_SANDBOX_READ_RATE",
        "SAPA_SANDBOX_FAIL_RATE",
        "SAPA_SANDBOX_STATUS_SECONDS",
        "SAPA_DEMO_ACTIVITY",
        "SAPA_EMAIL_BOUNCE_RATE",
        "SAPA_EMAIL_COMPLAINT_RATE",
        "SAPA_EMAIL_EVENT_DELAY_SECONDS",
    }
)
"""The stage (checked by `Settings`) and variables only the `sapa` command, the local stack, the benchmarks
and the training scripts read."""

LOCAL = "local stage only"
EVERY = "any stage"
REQUIRED_ELSEWHERE = "required outside the local stage"


def _setting(default: Any, doc: str, *, alias: str, rule: str = EVERY, **constraints: Any) -> Any:
    return Field(default, alias=alias, description=doc, json_schema_extra={"stage": rule}, **constraints)


class Options(BaseModel):
    """The plain settings of a Sapa function (every field is an environment variable, named by its alias)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    # -- where Sapa lives ----------------------------------------------------------------------------------------
    public_url: str | None = _setting(
        None,
        "Where the unsubscribe and consent pages live (links in every e-mail); local: http://127.0.0.1:$SAPA_PORT",
        alias="SAPA_PUBLIC_URL",
        rule=REQUIRED_ELSEWHERE,
    )
    email_sender: str | None = _setting(
        None,
        "The From address of every e-mail; local: halo@sapa.example",
        alias="SAPA_EMAIL_SENDER",
        rule=REQUIRED_ELSEWHERE,
    )
    email_sender_name: str = _setting("Sapa", "The From name of every e-mail", alias="SAPA_EMAIL_SENDER_NAME")
    company_website: str | None = _setting(
        None, "The website the chatbot's answers mention; default SAPA_PUBLIC_URL", alias="SAPA_COMPANY_WEBSITE"
    )
    brand_name: str = _setting("Sapa Finance", "The company name in the chatbot's answers", alias="SAPA_BRAND_NAME")
    payload_bucket: str | None = _setting(
        None,
        "The bucket for webhook bodies too large for SQS; default sapa-<stage>-payloads (the template sets it)",
        alias="SAPA_PAYLOAD_BUCKET",
    )
    port: int = _setting(8000, "The local API's port", alias="SAPA_PORT", rule=LOCAL, ge=1, le=65535)
    clock_offset_seconds: int = _setting(
        0,
        "Shifts the local stack's clock by this many seconds (`sapa local --at` sets it), to try the contact "
        "hours at any hour; refused on every other stage",
        alias="SAPA_CLOCK_OFFSET_SECONDS",
        rule=LOCAL,
    )

    # -- delivery ------------------------------------------------------------------------------------------------
    whatsapp_rate: float = _setting(
        80.0, "WhatsApp messages per second (the Cloud API's default throughput)", alias="SAPA_WHATSAPP_RATE", gt=0
    )
    ses_rate: float = _setting(
        14.0, "E-mails per second (a production SES account's default)", alias="SAPA_SES_RATE", gt=0
    )
    sender_concurrency: int = _setting(
        5, "Concurrent sender invocations the rate is shared by", alias="SAPA_SENDER_CONCURRENCY", ge=1
    )
    retry_base_seconds: float = _setting(
        10.0,
        "First back-off of a transient provider failure (doubles per attempt)",
        alias="SAPA_RETRY_BASE_SECONDS",
        ge=0,
    )
    whatsapp_graph_url: str = _setting(
        "https://graph.facebook.com", "The WhatsApp Cloud API base URL", alias="WHATSAPP_GRAPH_URL"
    )
    whatsapp_api_version: str = _setting("v21.0", "The Graph API version for WhatsApp", alias="WHATSAPP_API_VERSION")
    whatsapp_phone_number_id: str | None = _setting(
        None,
        "The WhatsApp Business phone number id messages are sent from; local: the sandbox's",
        alias="WHATSAPP_PHONE_NUMBER_ID",
        rule=REQUIRED_ELSEWHERE,
    )

    # -- campaigns -----------------------------------------------------------------------------------------------
    promo_cap: int = _setting(2, "Promotions a customer may receive per cap window", alias="SAPA_PROMO_CAP", ge=1)
    promo_cap_days: float = _setting(7.0, "The frequency cap's window in days", alias="SAPA_PROMO_CAP_DAYS", gt=0)
    fanout_page_size: int = _setting(
        1000,
        "Customers per scan page of a fan-out (a checkpoint at least every page)",
        alias="SAPA_FANOUT_PAGE_SIZE",
        ge=1,
    )
    fanout_segment_size: int = _setting(
        25_000, "Customers per parallel fan-out segment", alias="SAPA_FANOUT_SEGMENT_SIZE", ge=1
    )
    fanout_max_segments: int = _setting(16, "Most parallel fan-out segments", alias="SAPA_FANOUT_MAX_SEGMENTS", ge=1)
    campaign_max_failure_rate: float = _setting(
        0.10, "Permanent-failure rate that pauses a campaign", alias="SAPA_CAMPAIGN_MAX_FAILURE_RATE", ge=0, le=1
    )
    campaign_max_bounce_rate: float = _setting(
        0.04, "E-mail bounce rate that pauses a campaign", alias="SAPA_CAMPAIGN_MAX_BOUNCE_RATE", ge=0, le=1
    )
    campaign_max_complaint_rate: float = _setting(
        0.0008, "E-mail complaint rate that pauses a campaign", alias="SAPA_CAMPAIGN_MAX_COMPLAINT_RATE", ge=0, le=1
    )
    campaign_min_sample: int = _setting(
        100, "Outcomes before those rates are judged", alias="SAPA_CAMPAIGN_MIN_SAMPLE", ge=1
    )
    campaign_max_render_error_rate: float = _setting(
        0.05,
        "Share of recipients the template fails for that pauses the fan-out",
        alias="SAPA_CAMPAIGN_MAX_RENDER_ERROR_RATE",
        ge=0,
        le=1,
    )
    campaign_min_render_sample: int = _setting(
        5, "Renders before that share is judged", alias="SAPA_CAMPAIGN_MIN_RENDER_SAMPLE", ge=1
    )
    segment_fields: str = _setting(
        "",
        "Extra customer attributes segments may filter on, comma-separated",
        alias="SAPA_SEGMENT_FIELDS",
    )

    # -- greetings -----------------------------------------------------------------------------------------------
    holiday_segments: int = _setting(
        4, "Parallel segments of a holiday greeting's audience", alias="SAPA_HOLIDAY_SEGMENTS", ge=1
    )
    inline_audience_limit: int = _setting(
        5000,
        "Largest holiday audience greeted inside the hourly run; larger ones go through the fan-out queue",
        alias="SAPA_INLINE_AUDIENCE_LIMIT",
        ge=0,
    )

    # -- social CRM ----------------------------------------------------------------------------------------------
    scrm_bot: bool = _setting(True, "The WhatsApp chatbot answers (on/off)", alias="SAPA_SCRM_BOT")
    scrm_comments: Literal["invite", "route"] = _setting(
        "invite",
        "Public comments: 'invite' answers with a short reply inviting a DM, 'route' leaves them to agents",
        alias="SAPA_SCRM_COMMENTS",
    )
    scrm_sla_hours: float = _setting(
        4.0, "Hours an agent has to answer a conversation", alias="SAPA_SCRM_SLA_HOURS", gt=0
    )
    inbox_max_open_per_agent: int = _setting(
        20,
        "Open conversations an agent may hold before routing passes them by",
        alias="SAPA_INBOX_MAX_OPEN_PER_AGENT",
        ge=1,
    )
    scrm_utc_offset_hours: float = _setting(
        7.0, "The reporting day's UTC offset (WIB)", alias="SAPA_SCRM_UTC_OFFSET_HOURS", ge=-12, le=14
    )
    scrm_hotline: str = _setting("1500-123", "The hotline the chatbot's answers give", alias="SAPA_SCRM_HOTLINE")
    sqs_max_message_bytes: int = _setting(
        256 * 1024,
        "Webhook bodies larger than this go through S3 (SQS's limit is 256 KiB)",
        alias="SAPA_SQS_MAX_MESSAGE_BYTES",
        ge=1,
        le=256 * 1024,
    )
    meta_app_id: str | None = _setting(
        None, "Sapa's Meta app id (echoes of our own sends carry it)", alias="META_APP_ID"
    )
    meta_graph_url: str | None = _setting(
        None, "The Graph API base URL for Instagram and Messenger; default WHATSAPP_GRAPH_URL", alias="META_GRAPH_URL"
    )
    meta_graph_api_version: str | None = _setting(
        None,
        "The Graph API version for Instagram and Messenger; default WHATSAPP_API_VERSION",
        alias="META_GRAPH_API_VERSION",
    )

    cognito_user_pool_id: str | None = _setting(
        None,
        "The staff's Cognito user pool (the template sets it; the local stage finds its own by name)",
        alias="SAPA_COGNITO_USER_POOL_ID",
        rule=REQUIRED_ELSEWHERE,
    )
    cognito_client_id: str | None = _setting(
        None,
        "The console's app client in that pool (the template sets it)",
        alias="SAPA_COGNITO_CLIENT_ID",
        rule=REQUIRED_ELSEWHERE,
    )
    webchat_socket_url: str = _setting(
        "",
        "The website chat's WebSocket URL (wss://...), allowed in the widget demo page's connect-src",
        alias="SAPA_WEBCHAT_SOCKET_URL",
    )
    console_session_hours: float = _setting(
        8.0, "How long a console sign-in lasts", alias="SAPA_CONSOLE_SESSION_HOURS", gt=0, le=24
    )

    @field_validator("scrm_bot", mode="before")
    @classmethod
    def _on_off(cls, value: Any) -> Any:
        """`on`/`off` as operators write them, besides pydantic's true/false/1/0/yes/no."""
        if isinstance(value, str) and value.strip().lower() in ("on", "off"):
            return value.strip().lower() == "on"
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any, info: Any) -> Any:
        """An empty variable means the default, as a missing one does (a stage template may leave it blank)."""
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[info.field_name].default
        return value.strip() if isinstance(value, str) else value

    @property
    def segment_field_names(self) -> frozenset[str]:
        return frozenset(name.strip() for name in self.segment_fields.split(",") if name.strip())

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Environment variable → field name."""
        return {str(field.alias): name for name, field in cls.model_fields.items()}


class InvalidOptions(ValueError):
    """The environment's settings are malformed or unknown; each problem names its variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """Sapa-prefixed variables that are neither a setting, a secret nor a local-stack variable, with a guess."""
    known = set(Options.variables()) | SECRETS | LOCAL_STACK
    problems = []
    for name in sorted(environ):
        if name.startswith(PREFIXES) and name not in known:
            guess = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {guess[0]}?)" if guess else ""
            problems.append(f"{name} is not a Sapa setting{hint}")
    return problems


def parse(environ: Mapping[str, str]) -> Options:
    """The settings in `environ`, or InvalidOptions naming every malformed or unknown variable."""
    problems = unknown_variables(environ)
    values = {alias: environ[alias] for alias in Options.variables() if alias in environ}
    try:
        options = Options.model_validate(values)
    except ValidationError as error:
        fields = Options.model_fields
        for issue in error.errors():
            name = str(issue["loc"][0]) if issue["loc"] else "?"
            alias = fields[name].alias if name in fields else name
            problems.append(f"{alias}={values.get(str(alias), '')!r}: {issue['msg']}")
        raise InvalidOptions(problems) from None
    if problems:
        raise InvalidOptions(problems)
    return options


DEFAULTS = Options()
"""Every setting at its default: the one place domain modules take their defaults from."""
