"""The SCRM knobs operators may turn, read from the environment with safe defaults."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.settings import Settings

# SQS refuses bodies over 256 KiB; bigger webhook bodies go to S3 with a pointer on the queue.
SQS_MAX_MESSAGE_BYTES = 256 * 1024
COMMENT_MODES = ("invite", "route")


@dataclass(frozen=True)
class ScrmConfig:
    bot_enabled: bool = True
    # "invite": answer public comments with a short public reply inviting a DM; "route": leave them to agents.
    comment_mode: str = "invite"
    sla_hours: float = 4.0
    utc_offset_hours: float = 7.0  # WIB; reporting days and call-list dates follow it
    brand: str = "Sapa Finance"
    hotline: str = "1500-123"
    website: str = "https://sapa.example"
    max_inline_bytes: int = SQS_MAX_MESSAGE_BYTES
    app_id: str | None = None  # our Meta app id: echoes of our own sends carry it

    @classmethod
    def from_settings(cls, settings: Settings) -> ScrmConfig:
        mode = settings.get("SAPA_SCRM_COMMENTS", "invite").strip().lower()
        return cls(
            bot_enabled=settings.get("SAPA_SCRM_BOT", "on").strip().lower() not in ("off", "0", "false", "no"),
            comment_mode=mode if mode in COMMENT_MODES else "invite",
            sla_hours=settings.get_float("SAPA_SCRM_SLA_HOURS", 4.0),
            utc_offset_hours=settings.get_float("SAPA_SCRM_UTC_OFFSET_HOURS", 7.0),
            brand=settings.get("SAPA_BRAND_NAME", "Sapa Finance"),
            hotline=settings.get("SAPA_SCRM_HOTLINE", "1500-123"),
            website=settings.get("SAPA_COMPANY_WEBSITE", "") or settings.public_url,
            max_inline_bytes=min(
                settings.get_int("SAPA_SQS_MAX_MESSAGE_BYTES", SQS_MAX_MESSAGE_BYTES), SQS_MAX_MESSAGE_BYTES
            ),
            app_id=settings.get("META_APP_ID", "") or None,
        )

    def template_context(self) -> dict[str, str]:
        """Business facts every standard answer may use."""
        return {"brand": self.brand, "hotline": self.hotline, "website": self.website}
