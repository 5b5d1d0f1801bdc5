"""Tokenisation and slang normalisation for informal Indonesian (and English) chat.

Customers write `gmn sy udh bayar tp blm masuk`; the model only sees the standard
form (`bagaimana saya sudah bayar tapi belum masuk`) so that every spelling of a word
shares one learned weight and a small labelled set generalises. Training imports
this module too, so features at training and inference time cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata

# Informal spelling -> standard form. Values may hold several words
# ("makasih" -> "terima kasih"). English is left alone except for chat shorthand.
SLANG: dict[str, str] = {
    # pronouns and address
    "sy": "saya",
    "sya": "saya",
    "aku": "saya",
    "aq": "saya",
    "ak": "saya",
    "gw": "saya",
    "gue": "saya",
    "gua": "saya",
    "w": "saya",
    "km": "kamu",
    "kmu": "kamu",
    "lu": "kamu",
    "lo": "kamu",
    "elu": "kamu",
    "min": "admin",
    "mimin": "admin",
    "minn": "admin",
    "kak": "kakak",
    "ka": "kakak",
    "kk": "kakak",
    "gan": "agan",
    "sis": "sista",
    "pak": "bapak",
    "bu": "ibu",
    # negation
    "tdk": "tidak",
    "tak": "tidak",
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "g": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "nggk": "tidak",
    "ngak": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "kagak": "tidak",
    "gag": "tidak",
    "tdak": "tidak",
    "bkn": "bukan",
    "bukn": "bukan",
    "blm": "belum",
    "blum": "belum",
    "belom": "belum",
    "lom": "belum",
    # aspect / degree
    "udh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "sdh": "sudah",
    "sudh": "sudah",
    "uda": "sudah",
    "bgt": "banget",
    "bngt": "banget",
    "bgtt": "banget",
    "bangettt": "banget",
    "sngt": "sangat",
    "sgt": "sangat",
    "msh": "masih",
    "masi": "masih",
    "lg": "lagi",
    "lgi": "lagi",
    "jg": "juga",
    "jga": "juga",
    "aja": "saja",
    "aj": "saja",
    "sj": "saja",
    "doang": "saja",
    "cm": "cuma",
    "cuman": "cuma",
    "smua": "semua",
    "bnyk": "banyak",
    "byk": "banyak",
    "sdkt": "sedikit",
    "dikit": "sedikit",
    "emg": "memang",
    "emang": "memang",
    "mmg": "memang",
    "bener": "benar",
    "bnr": "benar",
    # conjunctions / prepositions
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "dngn": "dengan",
    "krn": "karena",
    "krna": "karena",
    "karna": "karena",
    "soalnya": "karena",
    "tp": "tapi",
    "tpi": "tapi",
    "klo": "kalau",
    "kalo": "kalau",
    "kl": "kalau",
    "klu": "kalau",
    "utk": "untuk",
    "untk": "untuk",
    "dr": "dari",
    "dri": "dari",
    "pd": "pada",
    "dlm": "dalam",
    "sm": "sama",
    "ama": "sama",
    "trs": "terus",
    "trus": "terus",
    "jd": "jadi",
    "jdi": "jadi",
    "sblm": "sebelum",
    "stlh": "setelah",
    "abis": "habis",
    "hbs": "habis",
    "tsb": "tersebut",
    "spt": "seperti",
    "kyk": "kayak",
    "kek": "kayak",
    "atw": "atau",
    "ato": "atau",
    "n": "dan",
    "dn": "dan",
    # question words
    "gmn": "bagaimana",
    "gmna": "bagaimana",
    "gimana": "bagaimana",
    "bgmn": "bagaimana",
    "gmana": "bagaimana",
    "knp": "kenapa",
    "napa": "kenapa",
    "ngapa": "kenapa",
    "kpn": "kapan",
    "kapn": "kapan",
    "brp": "berapa",
    "brapa": "berapa",
    "brpa": "berapa",
    "dmn": "dimana",
    "dmna": "dimana",
    "ap": "apa",
    "apa2": "apa",
    "gimna": "bagaimana",
    # verbs
    "bs": "bisa",
    "bsa": "bisa",
    "bisa2": "bisa",
    "tlg": "tolong",
    "tlng": "tolong",
    "tolongin": "tolong",
    "mo": "mau",
    "mw": "mau",
    "pgn": "ingin",
    "pengen": "ingin",
    "pingin": "ingin",
    "pgen": "ingin",
    "kepengen": "ingin",
    "dpt": "dapat",
    "dapet": "dapat",
    "liat": "lihat",
    "ngeliat": "lihat",
    "nanya": "tanya",
    "nnya": "tanya",
    "tny": "tanya",
    "tnya": "tanya",
    "byr": "bayar",
    "bayr": "bayar",
    "ngebayar": "bayar",
    "bayarin": "bayar",
    "hrs": "harus",
    "mesti": "harus",
    "ksh": "kasih",
    "kasi": "kasih",
    "dikasi": "dikasih",
    "ngasih": "kasih",
    "blg": "bilang",
    "blng": "bilang",
    "ngomong": "bilang",
    "nunggu": "tunggu",
    "tgu": "tunggu",
    "nungguin": "tunggu",
    "nelpon": "telepon",
    "nelfon": "telepon",
    "telp": "telepon",
    "tlp": "telepon",
    "telpon": "telepon",
    "ditelp": "ditelepon",
    "ditelpon": "ditelepon",
    "dtg": "datang",
    "dateng": "datang",
    "ngurus": "urus",
    "ngambil": "ambil",
    "ngajuin": "ajukan",
    "ngajuan": "ajukan",
    "ajuin": "ajukan",
    "krdt": "kredit",
    "kridit": "kredit",
    # time
    "skrg": "sekarang",
    "skrng": "sekarang",
    "skr": "sekarang",
    "td": "tadi",
    "tdi": "tadi",
    "bsk": "besok",
    "besk": "besok",
    "kmrn": "kemarin",
    "kmarin": "kemarin",
    "kemaren": "kemarin",
    "bln": "bulan",
    "blan": "bulan",
    "thn": "tahun",
    "th": "tahun",
    "hr": "hari",
    "mggu": "minggu",
    "mgg": "minggu",
    "tgl": "tanggal",
    "tggl": "tanggal",
    "jth": "jatuh",
    "jatoh": "jatuh",
    "tmpo": "tempo",
    "jam2": "jam",
    # domain
    "angs": "angsuran",
    "angsrn": "angsuran",
    "ansuran": "angsuran",
    "angsuranya": "angsuran",
    "cicilanya": "cicilan",
    "ccl": "cicilan",
    "cicilan2": "cicilan",
    "apk": "aplikasi",
    "app": "aplikasi",
    "apps": "aplikasi",
    "aplikasinya": "aplikasi",
    "aplikasi2": "aplikasi",
    "aplk": "aplikasi",
    "asurasi": "asuransi",
    "plns": "pelunasan",
    "pelunasn": "pelunasan",
    "dc": "debt collector",
    "kolektor": "collector",
    "debcolector": "debt collector",
    "debtcollector": "debt collector",
    "matel": "mata elang",
    "jt": "juta",
    "jta": "juta",
    "juta2": "juta",
    "rb": "ribu",
    "rban": "ribu",
    "ribuan": "ribu",
    "k": "ribu",
    "rp": "rupiah",
    "kntr": "kantor",
    "cab": "cabang",
    "cbg": "cabang",
    "nmr": "nomor",
    "wa": "whatsapp",
    "mobilnya": "mobil",
    "mbl": "mobil",
    "unitnya": "unit",
    "infonya": "info",
    "promonya": "promo",
    "dpnya": "dp",
    # feeling
    "mantul": "mantap",
    "mantab": "mantap",
    "mntp": "mantap",
    "mantep": "mantap",
    "josss": "mantap",
    "bgs": "bagus",
    "cpt": "cepat",
    "cepet": "cepat",
    "lmbt": "lambat",
    "lelet": "lambat",
    "lemot": "lambat",
    "ribet": "rumit",
    "parahh": "parah",
    "kcw": "kecewa",
    "anjir": "anjing",
    "anjg": "anjing",
    "anjrit": "anjing",
    "njir": "anjing",
    "ajg": "anjing",
    "bgst": "bangsat",
    "gpp": "tidak apa apa",
    "gapapa": "tidak apa apa",
    "nggapapa": "tidak apa apa",
    "wkwk": "haha",
    "wkwkwk": "haha",
    "wkwkwkwk": "haha",
    "wk": "haha",
    "kwkw": "haha",
    "hehe": "haha",
    "hihi": "haha",
    "hahaha": "haha",
    "xixi": "haha",
    "lol": "haha",
    # politeness
    "mksh": "terima kasih",
    "makasih": "terima kasih",
    "makasi": "terima kasih",
    "mkasih": "terima kasih",
    "trmksh": "terima kasih",
    "trimakasih": "terima kasih",
    "terimakasih": "terima kasih",
    "trims": "terima kasih",
    "tengkyu": "terima kasih",
    "suwun": "terima kasih",
    "ok": "oke",
    "okay": "oke",
    "okey": "oke",
    "okee": "oke",
    "okeh": "oke",
    "sip": "oke",
    "siap": "oke",
    "mhn": "mohon",
    "mohn": "mohon",
    "ass": "assalamualaikum",
    "askum": "assalamualaikum",
    "slmt": "selamat",
    "met": "selamat",
    "pgi": "pagi",
    "mlm": "malam",
    "bantuannya": "bantuan",
    "hallo": "halo",
    "helo": "halo",
    "hlo": "halo",
    "haii": "hai",
    "hay": "hai",
    "assalamu": "assalamualaikum",
    "misi": "permisi",
    "punten": "permisi",
    # website visitors' typos of the topic words
    "bkpb": "bpkb",
    "bpkp": "bpkb",
    "bpbk": "bpkb",
    "angsurn": "angsuran",
    "angsran": "angsuran",
    "cicilam": "cicilan",
    "asuransinya": "asuransi",
    "pelunasanya": "pelunasan",
    "pelunsan": "pelunasan",
    "lunasi": "melunasi",
    "jatuhtempo": "jatuh tempo",
    "jatem": "jatuh tempo",
    "promosi": "promo",
    "promotion": "promo",
    "promotions": "promo",
    "promos": "promo",
    # English chat shorthand (kept English)
    "pls": "please",
    "plz": "please",
    "plis": "please",
    "thx": "thanks",
    "tks": "thanks",
    "tq": "thanks",
    "ty": "thanks",
    "u": "you",
    "ur": "your",
    "r": "are",
    "im": "i am",
    "dont": "do not",
    "cant": "cannot",
    "wont": "will not",
    "didnt": "did not",
    "doesnt": "does not",
    "isnt": "is not",
    "wasnt": "was not",
    "idk": "i do not know",
    "bc": "because",
    "coz": "because",
    "cuz": "because",
    "btw": "by the way",
}

# Words that merely end in "nya" and must not be cut to a stem.
_NYA_KEEP = frozenset(
    {
        "punya",
        "hanya",
        "tanya",
        "bertanya",
        "ditanya",
        "menanya",
        "tanyanya",
        "nyanya",
        "bahaya",
        "senya",
        "kenya",
        "sanya",
        "ponya",
        "satunya",
        "lainnya",
        "sebenarnya",
        "seharusnya",
        "akhirnya",
        "biasanya",
        "rupanya",
        "sepertinya",
        "katanya",
        "selanjutnya",
        "sebelumnya",
        "sesudahnya",
        "setelahnya",
        "nyatanya",
        "harusnya",
        "mestinya",
        "caranya",
    }
)

_POSITIVE_EMOJI = frozenset("😀😁😂😃😄😆😊🙂😍🥰😘🤩😎👍👌👏💪❤♥💕💖💯🔥✨🎉🥳☺😇🤗")
_NEGATIVE_EMOJI = frozenset("😡😠🤬😤😢😭😞😔😒👎💔😩😫🙄😑😣😖😟😕🤮😱")
_PRAY_EMOJI = frozenset("🙏")

_URL = re.compile(r"https?://\S+|www\.\S+")
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_PHONE = re.compile(r"(?:\+?62|0)8[\d\- ]{7,14}\d")
_MENTION = re.compile(r"[@#]\w+")
_CONTRACTION = re.compile(r"(?<=[a-z])'(?:s|re|ve|ll|d|m|t)\b")
_REDUP_HYPHEN = re.compile(r"\b([a-z]{2,})-\1\b")
_REDUP_DIGIT = re.compile(r"\b([a-z]{2,})2\b")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_TOKEN = re.compile(r"[a-z]+|\d+")

NUMBER_TOKEN = "<num>"
_EMOJI_TOKENS = {"pos": "<emo_pos>", "neg": "<emo_neg>", "pray": "<emo_pray>"}

_CONTRACTIONS = {"'s": "", "'re": " are", "'ve": " have", "'ll": " will", "'d": " would", "'m": " am", "'t": "t"}


def _emoji_tokens(text: str) -> list[str]:
    """Emoji carry most of the sentiment in short chats, so keep them as coarse tokens."""
    found: list[str] = []
    for ch in text:
        if ch in _POSITIVE_EMOJI:
            found.append(_EMOJI_TOKENS["pos"])
        elif ch in _NEGATIVE_EMOJI:
            found.append(_EMOJI_TOKENS["neg"])
        elif ch in _PRAY_EMOJI:
            found.append(_EMOJI_TOKENS["pray"])
    return found


def _expand_contraction(match: re.Match[str]) -> str:
    return _CONTRACTIONS.get(match.group(0), "")


def _clean(text: str) -> str:
    """Lower-case and strip identifiers so personal data never becomes a feature."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _PHONE.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = text.replace("n't", "nt")
    text = _CONTRACTION.sub(_expand_contraction, text)
    text = _REDUP_HYPHEN.sub(r"\1", text)
    text = _REDUP_DIGIT.sub(r"\1", text)
    return _ELONGATED.sub(r"\1", text)


def _strip_nya(token: str) -> str:
    """`pelayanannya` and `pelayanan` mean the same thing to the classifier."""
    if len(token) > 6 and token.endswith("nya") and token not in _NYA_KEEP:
        return token[:-3]
    return token


def normalise_token(token: str) -> list[str]:
    """Map one raw token to zero or more standard tokens."""
    if token.isdigit():
        return [NUMBER_TOKEN]
    mapped = SLANG.get(token)
    if mapped is None:
        stem = _strip_nya(token)
        mapped = SLANG.get(stem, stem)
    return mapped.split(" ")


# Openers a visitor types before the question ("Halo kak, selamat siang, ..."): they say nothing about it.
GREETING_WORDS = frozenset(
    {"halo", "hai", "hi", "hello", "hey", "dear", "assalamualaikum", "wr", "wb", "permisi", "kakak", "admin", "agan"}
    | {"sista", "cs"}
)
# "pagi", "siang" ... open a greeting only as "selamat pagi" or "pagi kak"; alone they can be content ("malam ini").
_GREETING_TIMES = frozenset({"pagi", "siang", "sore", "malam", "morning", "afternoon", "evening", "day"})


def _greeting_pair(first: str, second: str) -> bool:
    """ "selamat siang", "good morning", "pagi kak"."""
    if first in ("selamat", "good"):
        return second in _GREETING_TIMES
    return first in _GREETING_TIMES and second in GREETING_WORDS


def strip_greeting(tokens: list[str]) -> list[str]:
    """The message without its leading greeting, unless the greeting is all there is.

    "Halo, saya mau tanya soal BPKB" is a question about the BPKB; the "halo" in
    front of it must not pull it towards whatever greetings happened to open in
    the training data. A bare "selamat pagi kak" stays a greeting.
    """
    i, n = 0, len(tokens)
    while i < n:
        if tokens[i] in GREETING_WORDS:
            i += 1
        elif i + 1 < n and _greeting_pair(tokens[i], tokens[i + 1]):
            i += 2
        else:
            break
    return tokens[i:] if i < n else tokens


QUESTION_TAG = "<tanya>"
_TAG_TAIL = frozenset({"sih", "ya", "kakak", "admin", "dong", "nih", "deh", "kah"})


def mark_question_tag(tokens: list[str]) -> list[str]:
    """A trailing "ga" ("ada promo ga?", "bisa diklaim ga") asks; it does not deny or complain.

    Only the last word (before "sih", "ya", "kak"...) is read as the tag, and not
    after another negation, so "tidak tidak" or "belum tidak" keep their meaning.
    """
    end = len(tokens)
    while end > 0 and tokens[end - 1] in _TAG_TAIL:
        end -= 1
    if end < 2 or tokens[end - 1] != "tidak" or tokens[end - 2] in ("tidak", "belum", "bukan"):
        return tokens
    return [*tokens[: end - 1], QUESTION_TAG, *tokens[end:]]


def split(text: str) -> list[str]:
    """Cleaned raw words before slang mapping; language detection needs the original spelling."""
    if not text:
        return []
    return _TOKEN.findall(_clean(text))


def normalise_tokens(raw_tokens: list[str], text: str = "") -> list[str]:
    """Standard-form tokens for the classifier, emoji tokens from `text` appended."""
    tokens: list[str] = []
    for raw in raw_tokens:
        if raw == "nya":  # detached clitic, as in the SmSA corpus ("tempat nya")
            continue
        tokens.extend(normalise_token(raw))
    if text and not text.isascii():
        tokens.extend(_emoji_tokens(text))
    return tokens


def tokenise(text: str) -> list[str]:
    """Normalised word tokens of a message, emoji tokens appended at the end."""
    return normalise_tokens(split(text), text)


def normalise(text: str) -> str:
    """Human-readable normalised text, for logs and tests."""
    return " ".join(tokenise(text))
