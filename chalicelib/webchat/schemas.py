"""The website chat's HTTP shapes (the socket's frames are in frames.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WidgetConfigQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site: str = Field(min_length=1, max_length=40, description="The site id the page embeds the widget with")


class ConsentWording(BaseModel):
    version: str
    id: str = Field(description="The follow-up consent checkbox's words in Indonesian")
    en: str = Field(description="... and in English")


class WidgetConfig(BaseModel):
    site: str
    name: str
    socket: str = Field(description="The WebSocket URL the widget connects to")
    languages: list[str]
    consent: ConsentWording
    heartbeat_seconds: int = Field(description="How often the widget pings (API Gateway drops a socket idle 10 min)")


class WidgetDemoQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str | None = Field(
        default=None, max_length=64, description="Play the portal: a customer number the page signs in as"
    )
    hash: str | None = Field(default=None, max_length=128, description="Replaces the signature (try a forged one)")
