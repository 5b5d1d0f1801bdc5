"""When a message may reach a customer: OJK's contact hours, per purpose, as data.

Every outbound message has a purpose, and each purpose has a window: the
days of the week, the local hours [start, end) in the customer's own zone,
and whether national holidays are excluded. The defaults follow the
regulation:

* promotion: Monday to Saturday, 08:00-18:00 local, never on a national
  holiday. POJK 6/POJK.07/2022 Pasal 25 (kept by POJK 22 Tahun 2023) allows
  offers of products or services through personal channels only then,
  unless the consumer asked for it.
* reminder (payments, collection): Monday to Saturday, 08:00-20:00 local,
  never on a national holiday. POJK 22 Tahun 2023 Pasal 62 ayat (2) huruf f.
* greeting: every day, from the greeting hour (08:00) to 20:00, national
  holidays included: a holiday greeting goes out on the holiday, it is not
  an offer.
* service (replies to the customer, BPKB, STNK, account notices): any time.

The regulated windows cannot be widened beyond the regulation by an admin
(the model refuses it, naming the rule), only narrowed. A message outside its window is
never dropped and never sent early: it is parked until `next_opening`.
Pure: holidays come in as a function, time zones as fixed offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from chalicelib.core.zones import DEFAULT_ZONE, tzinfo_for

Purpose = Literal["greeting", "promotion", "reminder", "service"]
PURPOSES: tuple[str, ...] = ("greeting", "promotion", "reminder", "service")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS_AND_SATURDAY: tuple[str, ...] = DAYS[:6]
LOOKAHEAD_DAYS = 60
"""How far ahead an opening is searched: longer than any run of holidays and closed days in Indonesia."""

IsDayOff = Callable[[date], bool]
"""True for a national holiday (the holiday calendar, staff overrides included)."""

REGULATION: dict[str, str] = {
    "promotion": "POJK 6/POJK.07/2022 Pasal 25 (kept by POJK 22 Tahun 2023): offers Mon-Sat 08:00-18:00 local, "
    "not on national holidays",
    "reminder": "POJK 22 Tahun 2023 Pasal 62 ayat (2) huruf f: collection contact Mon-Sat 08:00-20:00 local, "
    "not on national holidays",
}


class Window(BaseModel):
    """One purpose's contact window in the customer's local time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: tuple[Day, ...] = Field(min_length=1, description="days of the week a message may arrive")
    start: str = Field(description='local opening time "HH:MM"')
    end: str = Field(description='local closing time "HH:MM" (exclusive), "24:00" for midnight')
    exclude_national_holidays: bool

    @field_validator("days")
    @classmethod
    def _unique_days(cls, days: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(days)) != len(days):
            raise ValueError("must not repeat a day")
        return tuple(sorted(days, key=DAYS.index))

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        _minutes(value)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if _minutes(self.start) >= _minutes(self.end):
            raise ValueError("start must be before end (windows do not cross midnight)")
        return self

    @property
    def opens(self) -> time:
        minutes = _minutes(self.start)
        return time(minutes // 60, minutes % 60)

    def bounds(self, day: date, zone: tzinfo) -> tuple[datetime, datetime]:
        """The window on one local day, as aware datetimes."""
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        return midnight + timedelta(minutes=_minutes(self.start)), midnight + timedelta(minutes=_minutes(self.end))

    def within(self, other: Window) -> bool:
        """True when this window opens nothing that `other` keeps closed."""
        return (
            set(self.days) <= set(other.days)
            and _minutes(self.start) >= _minutes(other.start)
            and _minutes(self.end) <= _minutes(other.end)
            and (self.exclude_national_holidays or not other.exclude_national_holidays)
        )


def _minutes(value: str) -> int:
    hours, sep, minutes = value.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError('must be a local time "HH:MM"')
    total = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or total > 24 * 60:
        raise ValueError('must be a local time between "00:00" and "24:00"')
    return total


LEGAL_LIMITS: dict[str, Window] = {
    "promotion": Window(days=WEEKDAYS_AND_SATURDAY, start="08:00", end="18:00", exclude_national_holidays=True),
    "reminder": Window(days=WEEKDAYS_AND_SATURDAY, start="08:00", end="20:00", exclude_national_holidays=True),
}


class ContactPolicy(BaseModel):
    """The window of every purpose; what `GET /settings/contact-policy` shows and an admin `PUT`s."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    greeting: Window
    promotion: Window
    reminder: Window
    service: Window

    @field_validator("promotion", "reminder")
    @classmethod
    def _within_the_regulation(cls, window: Window, info: ValidationInfo) -> Window:
        purpose = str(info.field_name)
        if not window.within(LEGAL_LIMITS[purpose]):
            raise ValueError(f"{REGULATION[purpose]}; the window may only be narrower")
        return window

    def window(self, purpose: str) -> Window:
        if purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        window: Window = getattr(self, purpose)
        return window

    def public(self) -> dict[str, Any]:
        return {
            purpose: {**self.window(purpose).model_dump(mode="json"), "regulation": REGULATION.get(purpose)}
            for purpose in PURPOSES
        }


DEFAULT_POLICY = ContactPolicy(
    greeting=Window(days=DAYS, start="08:00", end="20:00", exclude_national_holidays=False),
    promotion=LEGAL_LIMITS["promotion"],
    reminder=LEGAL_LIMITS["reminder"],
    service=Window(days=DAYS, start="00:00", end="24:00", exclude_national_holidays=False),
)


def parse_policy(data: Mapping[str, Any]) -> ContactPolicy:
    """A policy from a request body or the stored item (ignores the `regulation` notes `public` adds)."""
    cleaned = {
        purpose: {k: v for k, v in window.items() if k != "regulation"} if isinstance(window, Mapping) else window
        for purpose, window in data.items()
    }
    return ContactPolicy.model_validate(cleaned)


def zone_of(timezone_name: Any) -> tzinfo:
    """The customer's stored zone, or WIB when it is missing or not one of Indonesia's three."""
    try:
        return tzinfo_for(str(timezone_name))
    except ValueError:
        return tzinfo_for(DEFAULT_ZONE)


def next_opening(window: Window, now: datetime, zone: tzinfo, is_day_off: IsDayOff) -> datetime | None:
    """None when `now` is inside the window in `zone`; else the UTC instant it next opens.

    Days are judged on the customer's local calendar: 17 August in Jayapura
    starts two hours before it does in Jakarta.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(zone)
    for offset in range(LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        if DAYS[day.weekday()] not in window.days:
            continue
        if window.exclude_national_holidays and is_day_off(day):
            continue
        opens, closes = window.bounds(day, zone)
        if local < opens:
            return opens.astimezone(UTC)
        if local < closes:
            return None
    raise ValueError(f"the window opens on no day in the next {LOOKAHEAD_DAYS} days")


class PolicyHours:
    """The sender's view of the policy: when a purpose's window next opens in a zone (None: it is open)."""

    def __init__(self, policy: Callable[[], ContactPolicy], is_day_off: IsDayOff) -> None:
        self.policy = policy
        self.is_day_off = is_day_off

    def opening(self, purpose: str, zone: tzinfo, now: datetime) -> datetime | None:
        return next_opening(self.policy().window(purpose), now, zone, self.is_day_off)
