"""The reminder ladder: which steps go out, how many days before or after which date, as data.

An installment's steps count days from its pay-by date (the date every
message asks the customer to pay by): H-7, H-3, H-1 and H0 before it, H+1,
H+3 and H+7 after it. Pay-by dates never fall on a Sunday or a national
holiday and the `reminder` window is closed on exactly those days, so an
overdue step can only reach the customer once the due date itself has
passed. Service steps count days from their service date: the STNK's annual
tax (H-30, H-7), the five-yearly plate renewal (H-30), the insurance's end
(H-30), and the BPKB ready for pick-up (the day it is ready, and again a
month before storage fees start).

Installment steps are collection contact (`reminder` purpose: Mon-Sat
08:00-20:00 local, never on a national holiday); service steps are account
notices (`service`). Staff may change the ladder (`PUT /reminders/ladder`),
never the purposes: those follow the law, not a setting.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["installment", "stnk_tax", "stnk_renewal", "insurance", "bpkb_ready"]
KINDS: tuple[str, ...] = ("installment", "stnk_tax", "stnk_renewal", "insurance", "bpkb_ready")
Channel = Literal["whatsapp", "email"]
MAX_DAYS = 90
MAX_STEPS = 30


def purpose_of(kind: str) -> str:
    """Installments are payment and collection contact; the vehicle and loan services are account notices."""
    return "reminder" if kind == "installment" else "service"


def when(days: int) -> str:
    """ "H-3", "H0", "H+1": how the CRM team names a step's day."""
    return "H0" if days == 0 else f"H{days:+d}"


class LadderStep(BaseModel):
    """One step: a kind of date, the days from it, the channels in order, and whether it may become a call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    days: int = Field(ge=-MAX_DAYS, le=MAX_DAYS, description="days after the date (negative: before it)")
    channels: tuple[Channel, ...] = Field(default=("whatsapp", "email"), min_length=1, max_length=2)
    call_task: bool = Field(
        default=False, description="an overdue installment nobody can be written to becomes a call for the desk"
    )

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: Any) -> Any:
        """`step` and `when` are what `GET /reminders/ladder` shows: sent back unchanged, they are dropped."""
        if not isinstance(data, dict) or not ({"step", "when"} & data.keys()):
            return data
        data = dict(data)
        shown_when, shown_step = data.pop("when", None), data.pop("step", None)
        days, kind = data.get("days"), data.get("kind")
        if isinstance(days, int) and not isinstance(days, bool) and isinstance(kind, str):
            if shown_when is not None and shown_when != when(days):
                raise ValueError(f"when: {shown_when!r} does not match days {days} (it would be {when(days)!r})")
            expected = when(days) if kind == "installment" else kind
            if shown_step is not None and shown_step != expected:
                raise ValueError(f"step: {shown_step!r} does not match kind and days (it would be {expected!r})")
        return data

    @model_validator(mode="after")
    def _sound(self) -> LadderStep:
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("channels must not repeat a channel")
        if self.call_task and (self.kind != "installment" or self.days <= 0):
            raise ValueError("call_task: only an overdue installment step (days > 0) becomes a call")
        return self

    @property
    def step(self) -> str:
        """What messages carry as `step`: "H-3" for an installment, the kind ("stnk_tax") for a service."""
        return when(self.days) if self.kind == "installment" else self.kind

    @property
    def key(self) -> str:
        """Unique within a ladder: "installment:H-3", "stnk_tax:H-30"."""
        return f"{self.kind}:{when(self.days)}"

    @property
    def purpose(self) -> str:
        return purpose_of(self.kind)

    @property
    def overdue(self) -> bool:
        return self.kind == "installment" and self.days > 0


class Ladder(BaseModel):
    """Every step, the late-fee rule the installment messages state, and when BPKB storage fees start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: Annotated[tuple[LadderStep, ...], Field(min_length=1, max_length=MAX_STEPS)]
    late_fee_permille_per_day: int = Field(
        default=5, ge=0, le=10, description="late charge per day, in thousandths of the installment (5 = 0.5%)"
    )
    bpkb_storage_fee_after_days: int = Field(
        default=90, ge=1, le=365, description="days after the BPKB is ready before storage fees start"
    )

    @model_validator(mode="after")
    def _unique(self) -> Ladder:
        keys = [s.key for s in self.steps]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"steps: {', '.join(repeated)} appear more than once")
        late = [s for s in self.steps if s.kind == "bpkb_ready" and s.days >= self.bpkb_storage_fee_after_days]
        if late:
            raise ValueError("steps: a bpkb_ready step must come before storage fees start")
        return self

    def public(self) -> dict[str, Any]:
        return {
            **self.model_dump(mode="json"),
            "steps": [{**s.model_dump(mode="json"), "step": s.step, "when": when(s.days)} for s in self.steps],
        }


def _installment(days: int, call_task: bool = False) -> LadderStep:
    return LadderStep(kind="installment", days=days, call_task=call_task)


DEFAULT_LADDER = Ladder(
    steps=(
        _installment(-7),
        _installment(-3),
        _installment(-1),
        _installment(0),
        _installment(1),
        _installment(3, call_task=True),
        _installment(7),
        LadderStep(kind="stnk_tax", days=-30),
        LadderStep(kind="stnk_tax", days=-7),
        LadderStep(kind="stnk_renewal", days=-30),
        LadderStep(kind="insurance", days=-30),
        # The day after it is ready: a BPKB made ready after that day's 08:00 run is still announced.
        LadderStep(kind="bpkb_ready", days=1),
        LadderStep(kind="bpkb_ready", days=60),
    )
)
