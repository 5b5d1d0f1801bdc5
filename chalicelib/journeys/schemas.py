"""What the journeys API takes and answers, as pydantic models (the OpenAPI document's and the handlers').

The models check the shape; `journeys.model.parse_journey` then checks what
only Sapa knows (the segment language, the templates), and every problem
comes back as a 400 naming its path.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TriggerKind = Literal["contract_approved", "paid_off", "contract_anniversary", "attribute_date"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TriggerBody(_Strict):
    kind: TriggerKind = Field(description="what starts the journey")
    field: str | None = Field(
        default=None, description="attribute_date only: the customer date it follows, e.g. birth_date"
    )


class DelayBody(_Strict):
    days: int = Field(default=0, ge=0, le=1098, description="after the previous step (the trigger for the first)")
    hours: int = Field(default=0, ge=0, le=23)


class ActionBody(_Strict):
    kind: Literal["message", "call_task"]
    channels: list[Literal["whatsapp", "email"]] | None = Field(
        default=None, description="message: channels in order of preference; the first the customer may receive"
    )
    purpose: Literal["service", "promotion", "greeting"] | None = Field(
        default=None,
        description="message: service (about the contract: no marketing consent, never a withdrawn channel), "
        "promotion (needs promotion consent) or greeting (needs greeting consent); each has its contact hours",
    )
    template: str | None = Field(default=None, description="message: a template folder under templates/journeys/")
    inline: dict[str, dict[str, dict[str, Any]]] | None = Field(
        default=None,
        description='message: {"whatsapp"|"email": {"id"|"en": {"body", "subject"?, "whatsapp_template"?}}}',
    )
    note: str | None = Field(default=None, description="call_task: what the telemarketer calls about")


class StepBody(_Strict):
    id: str = Field(description="unique in the journey: lowercase letters, digits, - or _")
    delay: DelayBody = Field(default_factory=DelayBody)
    condition: dict[str, Any] | None = Field(
        default=None, description="a segment (the campaigns' filter language); the step is skipped when it fails"
    )
    action: ActionBody


class ExitBody(_Strict):
    segment: dict[str, Any] | None = Field(default=None, description="leave the journey when the customer matches")
    events: list[Literal["paid_off", "terminated"]] = Field(
        default_factory=list, description="leave when the journey's contract is paid off or terminated"
    )


class JourneyBody(_Strict):
    id: str = Field(description="lowercase letters, digits, - or _; fixed once created")
    name: str
    trigger: TriggerBody
    steps: list[StepBody] = Field(min_length=1, max_length=20)
    exit: ExitBody = Field(default_factory=ExitBody)
    status: Literal["active", "paused"] = "active"


class JourneyUpdate(_Strict):
    """The whole definition again; `version` (optional) refuses the edit if someone saved another meanwhile."""

    name: str
    trigger: TriggerBody
    steps: list[StepBody] = Field(min_length=1, max_length=20)
    exit: ExitBody = Field(default_factory=ExitBody)
    status: Literal["active", "paused"] = "active"
    version: int | None = None


class Journey(JourneyBody):
    model_config = ConfigDict(extra="allow")

    version: int
    created_at: str
    updated_at: str


class DefaultsSeeded(BaseModel):
    created: list[str] = Field(description="the default journeys added now (those already there are left alone)")


class StepMetrics(BaseModel):
    id: str
    reached: int
    sent: int
    called: int
    skipped: dict[str, int] = Field(description="by reason: condition, no_consent, unreachable, render_error")
    reached_rate: float | None = Field(description="reached / started")


class JourneyMetrics(BaseModel):
    journey_id: str
    started: int
    completed: int
    exited: dict[str, int] = Field(description="by reason: paid_off, terminated, segment, customer_gone, ...")
    steps: list[StepMetrics]


class JourneyStepTaken(BaseModel):
    step_id: str
    outcome: str = Field(description="sent, called, skipped or completed")
    reason: str | None = None
    channel: str | None = None
    at: str


class CustomerJourney(BaseModel):
    journey_id: str
    contract_no: str | None
    started_at: str
    status: str = Field(description="active, completed or exited")
    next_step: int
    next_due: str | None
    exit_reason: str | None
    steps: list[JourneyStepTaken]


class CustomerJourneys(BaseModel):
    customer_id: str
    items: list[CustomerJourney]
