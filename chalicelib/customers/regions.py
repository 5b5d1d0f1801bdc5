"""Indonesian provinces, their spellings, and the time zone each one lives in.

Greetings go out at a local hour, so every customer needs one of Indonesia's
three zones. Financing systems rarely store a zone but always store a
province, written however the branch clerk typed it ("Jabar", "DKI",
"Sumatra Utara", "Kep. Bangka Belitung"), so the zone is derived from a
forgiving province lookup. The 38 provinces include the 2022 Papua splits.

Provinces that straddle a zone line do not exist (Kalimantan's split follows
province borders), so a province determines its zone exactly.
"""

from __future__ import annotations

import re
import unicodedata

WIB = "Asia/Jakarta"
"""Waktu Indonesia Barat, UTC+7: Sumatra, Java, West and Central Kalimantan."""
WITA = "Asia/Makassar"
"""Waktu Indonesia Tengah, UTC+8: Bali, Nusa Tenggara, South/East/North Kalimantan, Sulawesi."""
WIT = "Asia/Jayapura"
"""Waktu Indonesia Timur, UTC+9: Maluku and Papua."""

TIMEZONES: tuple[str, ...] = (WIB, WITA, WIT)
"""The only zones a customer may have: the birthday GSI is queried per zone, so a fourth would never be greeted."""

DEFAULT_TIMEZONE = WIB
"""Most customers live in WIB; used when neither a zone nor a known province is given."""

PROVINCES: dict[str, str] = {
    # Sumatra (WIB)
    "Aceh": WIB,
    "Sumatera Utara": WIB,
    "Sumatera Barat": WIB,
    "Riau": WIB,
    "Kepulauan Riau": WIB,
    "Jambi": WIB,
    "Sumatera Selatan": WIB,
    "Kepulauan Bangka Belitung": WIB,
    "Bengkulu": WIB,
    "Lampung": WIB,
    # Java (WIB)
    "DKI Jakarta": WIB,
    "Banten": WIB,
    "Jawa Barat": WIB,
    "Jawa Tengah": WIB,
    "DI Yogyakarta": WIB,
    "Jawa Timur": WIB,
    # Kalimantan: west and central are WIB, the rest WITA
    "Kalimantan Barat": WIB,
    "Kalimantan Tengah": WIB,
    "Kalimantan Selatan": WITA,
    "Kalimantan Timur": WITA,
    "Kalimantan Utara": WITA,
    # Bali and Nusa Tenggara (WITA)
    "Bali": WITA,
    "Nusa Tenggara Barat": WITA,
    "Nusa Tenggara Timur": WITA,
    # Sulawesi (WITA)
    "Sulawesi Utara": WITA,
    "Gorontalo": WITA,
    "Sulawesi Tengah": WITA,
    "Sulawesi Barat": WITA,
    "Sulawesi Selatan": WITA,
    "Sulawesi Tenggara": WITA,
    # Maluku and Papua (WIT)
    "Maluku": WIT,
    "Maluku Utara": WIT,
    "Papua": WIT,
    "Papua Barat": WIT,
    "Papua Barat Daya": WIT,
    "Papua Selatan": WIT,
    "Papua Tengah": WIT,
    "Papua Pegunungan": WIT,
}
"""Official province name (Kemendagri spelling) -> IANA zone. Exactly 38 entries."""

# Abbreviations, older names and English names seen in real customer data.
# Keys are written naturally; they go through the same cleaning as input.
_ALIASES: dict[str, str] = {
    # Sumatra
    "NAD": "Aceh",
    "Nanggroe Aceh Darussalam": "Aceh",
    "Daerah Istimewa Aceh": "Aceh",
    "Sumut": "Sumatera Utara",
    "North Sumatra": "Sumatera Utara",
    "Sumbar": "Sumatera Barat",
    "West Sumatra": "Sumatera Barat",
    "Sumsel": "Sumatera Selatan",
    "South Sumatra": "Sumatera Selatan",
    "Kepri": "Kepulauan Riau",
    "Kep Riau": "Kepulauan Riau",
    "Riau Islands": "Kepulauan Riau",
    "Babel": "Kepulauan Bangka Belitung",
    "Bangka Belitung": "Kepulauan Bangka Belitung",
    "Kep Bangka Belitung": "Kepulauan Bangka Belitung",
    "Kep Babel": "Kepulauan Bangka Belitung",
    "Bangka Belitung Islands": "Kepulauan Bangka Belitung",
    # Java
    "Jakarta": "DKI Jakarta",
    "DKI": "DKI Jakarta",
    "DKJ": "DKI Jakarta",
    "Daerah Khusus Ibukota Jakarta": "DKI Jakarta",
    "Daerah Khusus Ibu Kota Jakarta": "DKI Jakarta",
    "Daerah Khusus Jakarta": "DKI Jakarta",
    "Jakarta Raya": "DKI Jakarta",
    "Jabar": "Jawa Barat",
    "West Java": "Jawa Barat",
    "Jateng": "Jawa Tengah",
    "Central Java": "Jawa Tengah",
    "Jatim": "Jawa Timur",
    "East Java": "Jawa Timur",
    "Yogyakarta": "DI Yogyakarta",
    "DIY": "DI Yogyakarta",
    "Daerah Istimewa Yogyakarta": "DI Yogyakarta",
    "Jogja": "DI Yogyakarta",
    "Jogjakarta": "DI Yogyakarta",
    "Yogya": "DI Yogyakarta",
    "Special Region of Yogyakarta": "DI Yogyakarta",
    # Kalimantan
    "Kalbar": "Kalimantan Barat",
    "West Kalimantan": "Kalimantan Barat",
    "Kalteng": "Kalimantan Tengah",
    "Central Kalimantan": "Kalimantan Tengah",
    "Kalsel": "Kalimantan Selatan",
    "South Kalimantan": "Kalimantan Selatan",
    "Kaltim": "Kalimantan Timur",
    "East Kalimantan": "Kalimantan Timur",
    "Kaltara": "Kalimantan Utara",
    "North Kalimantan": "Kalimantan Utara",
    # Bali and Nusa Tenggara
    "NTB": "Nusa Tenggara Barat",
    "West Nusa Tenggara": "Nusa Tenggara Barat",
    "NTT": "Nusa Tenggara Timur",
    "East Nusa Tenggara": "Nusa Tenggara Timur",
    # Sulawesi
    "Sulut": "Sulawesi Utara",
    "North Sulawesi": "Sulawesi Utara",
    "Sulteng": "Sulawesi Tengah",
    "Central Sulawesi": "Sulawesi Tengah",
    "Sulbar": "Sulawesi Barat",
    "West Sulawesi": "Sulawesi Barat",
    "Sulsel": "Sulawesi Selatan",
    "South Sulawesi": "Sulawesi Selatan",
    "Sultra": "Sulawesi Tenggara",
    "Southeast Sulawesi": "Sulawesi Tenggara",
    # Maluku and Papua
    "Malut": "Maluku Utara",
    "North Maluku": "Maluku Utara",
    "Irian Jaya": "Papua",
    "Pabar": "Papua Barat",
    "Irian Jaya Barat": "Papua Barat",
    "West Papua": "Papua Barat",
    "PBD": "Papua Barat Daya",
    "Southwest Papua": "Papua Barat Daya",
    "South West Papua": "Papua Barat Daya",
    "South Papua": "Papua Selatan",
    "Central Papua": "Papua Tengah",
    "Highland Papua": "Papua Pegunungan",
    "Papua Highlands": "Papua Pegunungan",
    "Papua Pegunungan Tengah": "Papua Pegunungan",
}

# Accepted ways of writing a zone; IANA names compare case-insensitively.
_ZONE_ALIASES: dict[str, str] = {
    "asia/jakarta": WIB,
    "asia/pontianak": WIB,  # IANA's zone for West/Central Kalimantan: same offset, stored as WIB
    "wib": WIB,
    "asia/makassar": WITA,
    "asia/ujung_pandang": WITA,  # IANA's old alias for Makassar
    "wita": WITA,
    "asia/jayapura": WIT,
    "wit": WIT,
}

# "Prov.", "Provinsi" and "Propinsi" prefixes add nothing to the lookup.
_PREFIX = re.compile(r"^(?:provinsi|propinsi|province of|province|prov)\s+")
_SUFFIX = re.compile(r"\s+(?:provinsi|province|prov)$")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_INITIALS = re.compile(r"\b[a-z](?: [a-z]\b)+")


def _clean(value: str) -> str:
    """Lower-case, drop accents/punctuation and collapse spaces: "Kep. Bangka-Belitung" -> "kep bangka belitung"."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _NOT_WORD.sub(" ", text).strip()
    text = _SUFFIX.sub("", _PREFIX.sub("", text))
    # "D.K.I. Jakarta" and "D.I. Yogyakarta" split into single letters; join them back up.
    text = _INITIALS.sub(lambda match: match.group(0).replace(" ", ""), text)
    # "Sumatra" and "Sumatera" are both common; so are "Jogja" and "Yogya" forms (aliases cover those).
    return text.replace("sumatra", "sumatera")


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name in PROVINCES:
        lookup[_clean(name)] = name
    for alias, name in _ALIASES.items():
        if name not in PROVINCES:  # pragma: no cover - guards the table above
            raise AssertionError(f"alias {alias!r} points at unknown province {name!r}")
        lookup.setdefault(_clean(alias), name)
    return lookup


_LOOKUP = _build_lookup()


def canonical_province(value: str | None) -> str | None:
    """The official name for any accepted spelling of a province, or None when unknown.

    Storing one spelling per province keeps campaign segments ("province =
    Jawa Barat") from missing customers typed as "Jabar".
    """
    if not value:
        return None
    return _LOOKUP.get(_clean(value))


def timezone_for_province(value: str | None) -> str | None:
    """The IANA zone of a province (any accepted spelling), or None when the province is unknown."""
    name = canonical_province(value)
    return PROVINCES[name] if name else None


def normalize_timezone(value: str) -> str | None:
    """One of TIMEZONES for an accepted zone spelling ("WITA", "asia/makassar"), else None.

    Returns None rather than raising so the caller can name the field in its error.
    """
    return _ZONE_ALIASES.get(value.strip().lower())


def resolve_timezone(timezone: str | None, province: str | None) -> str:
    """The zone to store: an explicit zone wins, then the province's zone, then WIB.

    An explicit zone may disagree with the province (people move); it is not
    second-guessed. An unknown province is not an error - it falls back to WIB,
    because refusing the record would lose the customer over a typo that only
    shifts a greeting by an hour or two. An unsupported explicit zone raises
    ValueError: someone asked for it, so silently replacing it would be wrong.
    """
    if timezone:
        zone = normalize_timezone(timezone)
        if zone is None:
            raise ValueError(f"must be one of {', '.join(TIMEZONES)} (or WIB, WITA, WIT)")
        return zone
    return timezone_for_province(province) or DEFAULT_TIMEZONE
