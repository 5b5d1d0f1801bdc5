"""The SCRM knobs operators may turn, read from the environment with safe defaults."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.options import DEFAULTS
from chalicelib.core.settings import Settings

# SQS refuses bodies over 256 KiB; bigger webhook bodies go to S3 with a pointer on the queue.
SQS_MAX_MESSAGE_BYTES = 256 * 1024
COMMENT_MODES = ("invite", "route")


@dataclass(frozen=True)
class ScrmConfig:
    bot_enabled: bool = DEFAULTS.scrm_bot
    # "invite": answer public comments with a short public reply inviting a DM; "route": leave them to agents.
    comment_mode: str = DEFAULTS.scrm_comments
    sla_hours: float = DEFAULTS.scrm_sla_hours
    utc_offset_hours: float = DEFAULTS.scrm_utc_offset_hours  # WIB; reporting days and call-list dates follow it
    brand: str = DEFAULTS.brand_name
    hotline: str = DEFAULTS.scrm_hotline
    website: str = "https://sapa.example"
    max_inline_bytes: int = DEFAULTS.sqs_max_message_bytes
    app_id: str | None = None  # our Meta app id: echoes of our own sends carry it
    max_open_per_agent: int = DEFAULTS.inbox_max_open_per_agent

    @classmethod
    def from_settings(cls, settings: Settings) -> ScrmConfig:
        options = settings.options
        return cls(
            bot_enabled=options.scrm_bot,
            comment_mode=options.scrm_comments,
            sla_hours=options.scrm_sla_hours,
            utc_offset_hours=options.scrm_utc_offset_hours,
            brand=options.brand_name,
            hotline=options.scrm_hotline,
            website=options.company_website or settings.public_url,
            max_inline_bytes=options.sqs_max_message_bytes,
            app_id=options.meta_app_id,
            max_open_per_agent=options.inbox_max_open_per_agent,
        )

    def template_context(self) -> dict[str, str]:
        """Business facts every standard answer may use."""
        return {"brand": self.brand, "hotline": self.hotline, "website": self.website}
