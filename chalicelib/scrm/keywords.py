"""Keywords that mean something whatever the classifier says: STOP, START, "when are you open?", "a person please".

STOP must be exact enough never to unsubscribe someone who merely wrote "stop"
inside a complaint ("debetnya tidak berhenti"), and loose enough to catch how
people really type it ("Stop.", "STOP PROMO", "berhenti berlangganan ya min",
"brenti", "stopp"). So the whole message must be a stop word plus polite
filler, and only near-misses of the long word "berhenti" are forgiven.
"""

from __future__ import annotations

import re
import unicodedata

STOP_WORDS = frozenset({"stop", "berhenti", "unsubscribe", "unsub", "berenti", "brenti", "brhenti", "henti"})
# Opting back in is a new, explicit act (UU PDP): only the keyword on its own, never a guess from a sentence.
START_WORDS = frozenset({"mulai", "start", "subscribe", "unstop"})
# Words that may surround a stop word without changing what it means.
FILLERS = frozenset(
    {
        "ya",
        "yah",
        "yaa",
        "aja",
        "saja",
        "dong",
        "deh",
        "min",
        "kak",
        "admin",
        "mohon",
        "tolong",
        "please",
        "pls",
        "plz",
        "sekarang",
        "semua",
        "all",
        "promo",
        "promosi",
        "pesan",
        "berlangganan",
        "langganan",
        "kirim",
        "mengirim",
        "kiriman",
        "message",
        "messages",
        "wa",
        "whatsapp",
        "sms",
        "broadcast",
        "iklan",
        "saya",
        "me",
        "now",
        "it",
        "this",
        "ini",
        "notifikasi",
        "subscription",
        "dulu",
        "lagi",
    }
)
MAX_STOP_TOKENS = 6
_TOKEN = re.compile(r"[a-z]+")
_STOP_STRETCH = re.compile(r"^s+t+o+p+$")  # "stopp", "sstop", "stooop"

_OFFICE_HOURS = re.compile(
    r"\b(jam\s+(buka|kerja|operasional|layanan|kantor|pelayanan)"
    r"|buka\s+(jam|sampai|hari)\b"
    r"|tutup\s+jam"
    r"|jam\s+berapa\s+(buka|tutup)"
    r"|(sabtu|minggu|tanggal\s+merah|hari\s+libur)\s+(buka|tutup|libur)"
    r"|kantor(nya)?\s+(buka|tutup)"
    r"|(office|opening|business|operating)\s+hours?"
    r"|what\s+time\s+(do|does|are)\s+(you|the\s+office)\s+(open|close)"
    r"|are\s+you\s+open"
    r"|(office|branch)\s+(open|close)s?"
    r"|(alamat|lokasi)\s+(kantor|cabang)"
    r"|cabang\s+(terdekat|di\s+[a-z]+\s+(ada|dimana|di\s+mana|mana))"
    r"|(kantor|cabang)(nya)?\s+(\w+\s+)?(dimana|di\s+mana)"
    r"|(nearest|which)\s+branch|branch\s+(address|location))\b"
)
# A visitor asking for a person: the bot must hand over however the rest of the message reads.
_PERSON = re.compile(
    r"\b((bicara|berbicara|ngobrol|ngomong|bicara\s+langsung|chat|hubungkan|sambungkan|sambungin|disambungkan)"
    r"\s+(\w+\s+)?(dengan|sama|ke|dgn|sm)\s+(\w+\s+)?(cs|admin|orang|manusia|petugas|staf|staff|operator|agen|agent"
    r"|customer\s+service)"
    r"|(cs|admin|petugas|customer\s+service)\s+(manusia|asli|beneran)"
    r"|bukan\s+bot"
    r"|telp?on\s+saya(\s+balik)?|telepon\s+saya|hubungi\s+saya"
    r"|(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+|the\s+|someone|somebody)?(human|real\s+person|person|agent"
    r"|someone|somebody|customer\s+service|staff|operator)"
    r"|human\s+agent|real\s+person|call\s+me\s+back)\b"
)


def tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _TOKEN.findall(folded)


def _within_one_edit(word: str, target: str) -> bool:
    if abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        return sum(a != b for a, b in zip(word, target, strict=True)) <= 1
    short, long = (word, target) if len(word) < len(target) else (target, word)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def is_stop_word(token: str) -> bool:
    return token in STOP_WORDS or bool(_STOP_STRETCH.match(token)) or _within_one_edit(token, "berhenti")


def is_stop(text: str | None) -> bool:
    """True when the whole message asks to stop receiving messages."""
    if not text:
        return False
    words = tokens(text)
    if not words or len(words) > MAX_STOP_TOKENS:
        return False
    return any(is_stop_word(w) for w in words) and all(is_stop_word(w) or w in FILLERS for w in words)


def is_start(text: str | None) -> bool:
    """True when the whole message asks to receive messages again (MULAI, START), and nothing asks to stop."""
    if not text:
        return False
    words = tokens(text)
    if not words or len(words) > MAX_STOP_TOKENS or any(is_stop_word(w) for w in words):
        return False
    return any(w in START_WORDS for w in words) and all(w in START_WORDS or w in FILLERS for w in words)


def asks_for_person(text: str | None) -> bool:
    """True when the message asks for a person ("mau bicara dengan CS", "talk to a human")."""
    if not text:
        return False
    return _PERSON.search(" ".join(tokens(text))) is not None


def asks_office_hours(text: str | None) -> bool:
    if not text:
        return False
    return _OFFICE_HOURS.search(" ".join(tokens(text))) is not None
