"""Indonesian holiday calendar for greetings: library dates merged with staff overrides.

Dates come from the `holidays` library (country "ID", Indonesian names). Its
Islamic (and some lunar) dates are astronomical estimates - the government
confirms Idul Fitri only days before - so each entry carries `estimated`, and
staff can correct the calendar with overrides (PUT /holidays/{date}) or cancel
a day (DELETE /holidays/{date}). Pure logic: storage of overrides and the
sending itself live elsewhere.

Merge rules (`calendar_for_year`)
---------------------------------
* At most one override per date (the API keys them by date); if the iterable
  holds several for a date, the last one wins.
* Add: an override whose key matches no library holiday that year is simply
  added (source "override").
* Move / edit: an override on D2 whose key (explicit `key`, else derived from
  its name) matches a library holiday of the same year replaces it. If the
  key occurs more than once that year (Isra Mikraj falls twice in 2027) the
  occurrence nearest to D2 is replaced (ties: the earlier). The replaced
  library entry disappears; D2 == D1 is the degenerate "edit in place" case.
  Moving the first day of a multi-day holiday shifts its following days
  (e.g. "Hari kedua dari Hari Raya Idul Fitri") by the same number of days;
  shifted days are listed with source "override". Keys that legitimately
  repeat (`REPEATABLE_KEYS`: cuti bersama, election days) never move
  anything - an override with such a key is always an addition. To add a
  second occasion of an existing kind without moving it (say "Malam Natal"),
  give the override its own explicit `key`.
* Cancel: a cancelled override on D turns every library holiday on D (or
  only the one with the override's `key`, if it has one) into greet=False,
  source "override", no template - it stays listed so staff can see it was
  cancelled rather than wonder where it went. Cancelling a date with no
  holiday is a no-op in the listing. Cancelling the first day of Idul Fitri
  does not move the greeting to the second day.
* Overrides only affect the year of their own date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import holidays
from holidays.constants import GOVERNMENT, PUBLIC

Source = Literal["library", "override"]

GREETED_BY_DEFAULT: frozenset[str] = frozenset(
    {"tahun_baru", "imlek", "nyepi", "idul_fitri", "waisak", "idul_adha", "kemerdekaan", "natal"}
)
"""Holidays a consumer-finance brand is expected to greet on; the rest are days off, not occasions."""

REPEATABLE_KEYS: frozenset[str] = frozenset({"cuti_bersama", "pemilu"})
"""Kinds that occur several times a year on purpose, so an override of them is never a 'move'."""


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ESTIMATED_RE = re.compile(r"\s*\((perkiraan|estimated)\)\s*$", re.IGNORECASE)
_OBSERVED_RE = re.compile(r"^\s*(pengganti|pegangti|cuti pengganti)\s+", re.IGNORECASE)
_NTH_DAY_RE = re.compile(r"\bhari\s+(kedua|ketiga)\b", re.IGNORECASE)

# Ordered: the first needle found in the squashed lower-case name wins, so the
# more specific ones ("cuti bersama ... idul fitri", "tahun baru imlek") come
# before the generic ones they contain ("idul fitri", "tahun baru").
_KEY_NEEDLES: tuple[tuple[str, str], ...] = (
    ("cutibersama", "cuti_bersama"),
    ("idulfitri", "idul_fitri"),
    ("lebaran", "idul_fitri"),
    ("iduladha", "idul_adha"),
    ("idhuladha", "idul_adha"),
    ("imlek", "imlek"),
    ("tahunbaruislam", "tahun_baru_islam"),
    ("tahunbaruhijri", "tahun_baru_islam"),
    ("1muharam", "tahun_baru_islam"),
    ("tahunbaru", "tahun_baru"),
    ("nyepi", "nyepi"),
    ("waisak", "waisak"),
    ("kemerdekaan", "kemerdekaan"),
    ("17agustus", "kemerdekaan"),
    ("natal", "natal"),
    ("isra", "isra_miraj"),
    ("kenaikan", "kenaikan_yesus"),
    ("maulid", "maulid"),
    ("wafatyesus", "jumat_agung"),
    ("jumatagung", "jumat_agung"),
    ("kebangkitanyesus", "paskah"),
    ("paskah", "paskah"),
    ("buruh", "hari_buruh"),
    ("pancasila", "pancasila"),
    ("pemilihan", "pemilu"),
    ("pemilu", "pemilu"),
)


@dataclass(frozen=True)
class Holiday:
    """One holiday on one date, after merging, with how (and whether) Sapa greets on it."""

    date: date
    name: str
    key: str
    source: Source
    greet: bool
    audience: Mapping[str, Any] | None = field(default=None, hash=False)
    template: str | None = None
    channels: tuple[str, ...] | None = None
    estimated: bool = False
    multi_day_group: str | None = None
    day_off: bool = True  # a national holiday: no offers, no collection contact (POJK 6/2022, 22/2023)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape for the API (GET /holidays)."""
        return {
            "date": self.date.isoformat(),
            "name": self.name,
            "key": self.key,
            "source": self.source,
            "greet": self.greet,
            "audience": dict(self.audience) if self.audience is not None else None,
            "template": self.template,
            "channels": list(self.channels) if self.channels is not None else None,
            "estimated": self.estimated,
            "day_off": self.day_off,
        }


@dataclass(frozen=True)
class HolidayOverride:
    """A staff decision for one date: add/move/edit a holiday there, or cancel what is there."""

    date: date
    name: str | None = None
    greet: bool = True
    audience: Mapping[str, Any] | None = field(default=None, hash=False)
    template: str | None = None
    channels: tuple[str, ...] | None = None
    cancelled: bool = False
    key: str | None = None
    day_off: bool = True

    def __post_init__(self) -> None:
        # Without a name or key there is nothing to list or to match a move against.
        if not self.cancelled and not self.name and not self.key:
            raise ValueError("a non-cancelled override needs a name or a key")

    @property
    def resolved_key(self) -> str | None:
        """The explicit key, else one derived from the name (None for a plain cancel)."""
        if self.key:
            return self.key
        return key_for_name(self.name) if self.name else None

    @classmethod
    def cancel(cls, day: date, key: str | None = None) -> HolidayOverride:
        """DELETE /holidays/{date}: cancel whatever (or the `key` holiday) is on that day."""
        return cls(date=day, greet=False, cancelled=True, key=key)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form for storing the override (e.g. as a DynamoDB item's payload)."""
        return {
            "date": self.date.isoformat(),
            "name": self.name,
            "greet": self.greet,
            "audience": dict(self.audience) if self.audience is not None else None,
            "template": self.template,
            "channels": list(self.channels) if self.channels is not None else None,
            "cancelled": self.cancelled,
            "key": self.key,
            "day_off": self.day_off,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HolidayOverride:
        """Inverse of `to_dict` for already-validated stored data (use `parse_override` for input)."""
        channels = data.get("channels")
        return cls(
            date=date.fromisoformat(data["date"]),
            name=data.get("name"),
            greet=bool(data.get("greet", False)),
            audience=data.get("audience"),
            template=data.get("template"),
            channels=tuple(channels) if channels is not None else None,
            cancelled=bool(data.get("cancelled", False)),
            key=data.get("key"),
            day_off=bool(data.get("day_off", True)),
        )


class InvalidOverride(ValueError):
    """The PUT body was invalid; `.fields` maps field name -> problem for the 400 response."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid holiday override: " + "; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


# --- names -> keys -----------------------------------------------------------


def split_estimated(name: str) -> tuple[str, bool]:
    """("Hari Raya Idul Fitri", True) from "Hari Raya Idul Fitri (perkiraan)"."""
    stripped = _ESTIMATED_RE.sub("", name)
    return stripped.strip(), stripped != name


def slugify(text: str) -> str:
    """Lower-case ASCII slug with underscores, the shape every key has."""
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug or "hari_libur"


def key_for_name(name: str) -> str:
    """A stable key for a holiday name, robust to spelling and the library's labels.

    Matching is on substrings of the name with spaces and punctuation removed
    ("Idul Fitri", "Idulfitri", "Hari Raya Idul Fitri (perkiraan)" -> "idul_fitri").
    A second/third day ("Hari kedua dari Hari Raya Idul Fitri") gets its own
    key ("idul_fitri_hari_kedua") so it is never greeted as the holiday
    itself, and a substitute day ("Pengganti ...") gets "<key>_pengganti".
    Unknown names fall back to a slug of the name.
    """
    base, _ = split_estimated(name)
    observed = bool(_OBSERVED_RE.match(base))
    base = _OBSERVED_RE.sub("", base)
    squashed = re.sub(r"[^a-z0-9]", "", base.lower())
    key = next((k for needle, k in _KEY_NEEDLES if needle in squashed), None)
    if key is None:
        return slugify(base)
    nth = _NTH_DAY_RE.search(base)
    if nth and key not in REPEATABLE_KEYS:
        key = f"{key}_hari_{nth.group(1).lower()}"
    if observed:
        key = f"{key}_pengganti"
    return key


def default_template(key: str) -> str:
    """Template key convention; the templates themselves are maintained elsewhere."""
    return f"holiday/{key}"


# --- library -------------------------------------------------------------------


@lru_cache(maxsize=64)
def _library_year(year: int, include_cuti_bersama: bool) -> tuple[Holiday, ...]:
    """The library's holidays for `year` with default greeting settings (cached: pure per year)."""
    categories = (PUBLIC, GOVERNMENT) if include_cuti_bersama else (PUBLIC,)
    cal = holidays.country_holidays("ID", years=year, language="id", categories=categories)
    raw: list[tuple[date, str, str, bool]] = []
    for day in sorted(cal):
        for full_name in cal.get_list(day):
            name, estimated = split_estimated(full_name)
            raw.append((day, name, key_for_name(full_name), estimated))

    # A following day ("idul_fitri_hari_kedua") joins the group of its base
    # holiday when that base is on the previous day; only then is there a group.
    groups: dict[tuple[date, str], str] = {}
    by_date_key = {(d, k) for d, _, k, _ in raw}
    for day, _, key, _ in raw:
        match = re.fullmatch(r"(.+)_hari_(kedua|ketiga)", key)
        if not match:
            continue
        base, nth = match.group(1), match.group(2)
        start = date.fromordinal(day.toordinal() - (1 if nth == "kedua" else 2))
        if (start, base) in by_date_key:
            group = f"{base}:{start.isoformat()}"
            groups[(start, base)] = group
            groups[(day, key)] = group

    result: list[Holiday] = []
    for day, name, key, estimated in raw:
        greet = key in GREETED_BY_DEFAULT
        result.append(
            Holiday(
                date=day,
                name=name,
                key=key,
                source="library",
                greet=greet,
                template=default_template(key) if greet else None,
                estimated=estimated,
                multi_day_group=groups.get((day, key)),
            )
        )
    return tuple(result)


def library_holidays(year: int, *, include_cuti_bersama: bool = False) -> list[Holiday]:
    """Unmerged library holidays for `year`, each with its default greeting settings.

    Cuti bersama (government collective leave) is off by default: it is not an
    occasion to greet anyone, only useful when staff want the full list.
    """
    return list(_library_year(year, include_cuti_bersama))


# --- merge ---------------------------------------------------------------------


def _from_override(override: HolidayOverride, key: str, replaced: Holiday | None) -> Holiday:
    name = override.name or (replaced.name if replaced else key)
    return Holiday(
        date=override.date,
        name=name,
        key=key,
        source="override",
        greet=override.greet,
        audience=override.audience,
        template=override.template or (default_template(key) if override.greet else None),
        channels=override.channels,
        estimated=False,  # staff set this date on purpose; it is the confirmed one
        multi_day_group=replaced.multi_day_group if replaced else None,
        day_off=override.day_off,
    )


def calendar_for_year(
    year: int, overrides: Iterable[HolidayOverride] = (), *, include_cuti_bersama: bool = False
) -> list[Holiday]:
    """Library holidays for `year` merged with staff overrides (rules in the module docstring).

    Sorted by date, then library before override, then key.
    """
    by_date: dict[date, HolidayOverride] = {}
    for override in overrides:
        if override.date.year == year:
            by_date[override.date] = override
    active = sorted((o for o in by_date.values() if not o.cancelled), key=lambda o: o.date)
    cancels = [o for o in by_date.values() if o.cancelled]

    working: list[Holiday] = library_holidays(year, include_cuti_bersama=include_cuti_bersama)
    placed: list[Holiday] = []
    for override in active:
        key = override.resolved_key
        if key is None:  # unreachable: HolidayOverride.__post_init__ requires a name or key
            continue
        replaced: Holiday | None = None
        candidates = [h for h in working if h.key == key] if key not in REPEATABLE_KEYS else []
        if candidates:
            replaced = min(candidates, key=lambda h: (abs((h.date - override.date).days), h.date))
            working.remove(replaced)
            shift = override.date - replaced.date
            group = replaced.multi_day_group
            is_group_start = group is not None and group == f"{replaced.key}:{replaced.date.isoformat()}"
            if shift and is_group_start:
                working = [
                    replace(h, date=h.date + shift, source="override", estimated=False)
                    if h.multi_day_group == group
                    else h
                    for h in working
                ]
        placed.append(_from_override(override, key, replaced))

    for cancel in cancels:
        working = [
            replace(h, greet=False, source="override", template=None, audience=None, channels=None)
            if h.date == cancel.date and (cancel.key is None or h.key == cancel.key)
            else h
            for h in working
        ]

    merged = [h for h in working + placed if h.date.year == year]
    merged.sort(key=lambda h: (h.date, h.source != "library", h.key))
    return merged


def days_off(year: int, overrides: Iterable[HolidayOverride] = ()) -> frozenset[date]:
    """National holidays of `year` after staff overrides: the days offers and collection contact wait out.

    A cancelled override stops a greeting, not the day off; an override with
    `day_off: false` marks a greeting occasion that is a working day.
    Cuti bersama (collective leave) is not a national holiday and is not included.
    """
    return frozenset(h.date for h in calendar_for_year(year, overrides) if h.day_off)


def holidays_on(
    day: date, overrides: Iterable[HolidayOverride] = (), *, include_cuti_bersama: bool = False
) -> list[Holiday]:
    """The holidays to greet on `day` (a customer's local date), after merging overrides."""
    return [
        h
        for h in calendar_for_year(day.year, overrides, include_cuti_bersama=include_cuti_bersama)
        if h.date == day and h.greet
    ]


# --- validation ----------------------------------------------------------------


def _parse_date(date_str: Any) -> date | None:
    if not isinstance(date_str, str) or not _DATE_RE.match(date_str):
        return None
    try:
        return date.fromisoformat(date_str)
    except ValueError:
        return None


def parse_date(date_str: str) -> date:
    """A YYYY-MM-DD path parameter, or InvalidOverride naming "date"."""
    parsed = _parse_date(date_str)
    if parsed is None:
        raise InvalidOverride({"date": "must be a valid date as YYYY-MM-DD"})
    return parsed


def parse_override(date_str: str, body: Any) -> HolidayOverride:
    """Validate a PUT /holidays/{date} body (its model: `greetings.schemas.HolidayBody`), every bad field at once."""
    from pydantic import ValidationError

    from chalicelib.core.errors import pydantic_fields
    from chalicelib.greetings.schemas import HolidayBody

    if not isinstance(body, dict):
        raise InvalidOverride({"body": "must be a JSON object"})
    errors: dict[str, str] = {}
    parsed: HolidayBody | None = None
    try:
        parsed = HolidayBody.model_validate(body)
    except ValidationError as error:
        errors.update({name.split(".")[0]: problem for name, problem in pydantic_fields(error).items()})
    day = _parse_date(date_str)
    if day is None:
        errors["date"] = "must be a valid date as YYYY-MM-DD"
    elif "date" in body and body["date"] != date_str:
        errors["date"] = "must match the date in the path"
    if errors or day is None or parsed is None:
        raise InvalidOverride(errors)
    return HolidayOverride(
        date=day,
        name=parsed.name,
        greet=parsed.greet,
        audience=dict(parsed.audience) if parsed.audience is not None else None,
        template=parsed.template,
        channels=tuple(parsed.channels) if parsed.channels is not None else None,
        cancelled=False,
        key=parsed.key,
        day_off=parsed.day_off,
    )


def cancel_override(date_str: str, key: str | None = None) -> HolidayOverride:
    """Validate DELETE /holidays/{date} into a cancelling override."""
    return HolidayOverride.cancel(parse_date(date_str), key=key)
