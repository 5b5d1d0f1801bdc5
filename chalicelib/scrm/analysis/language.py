"""Indonesian vs English detection from function words.

Replies must go out in the customer's language, and the two languages share
almost no function words, so counting them is as accurate as a model on chat
messages and costs nothing. Loan words both languages use (app, login, OTP, DP,
promo, error) are deliberately in neither list. Ties go to Indonesian, the
default for this market.
"""

from __future__ import annotations

from typing import Literal

from chalicelib.scrm.analysis.normalise import SLANG

Language = Literal["id", "en"]

_ENGLISH = frozenset(
    """
    a about after again all am an and any are as asap at be because been before being but by can cannot cant
    could did didnt do does doesnt dont even ever every for from get got had has have having he her here hey
    hi his how i if im in into is isnt it its just know last let like me more morning afternoon evening most
    much my need never no nobody not now of off on one only or our out over please pls plz really same see
    she should since so some still such than thank thanks thx that the their them then there these they this
    those through to too u until up us very want was wasnt we were what when where which while who why will
    with without wont would yes yesterday yet you your ur today tomorrow week month year years months days
    day paid pay payment loan car help fix sorry hello dear team wrong late fee fees early price monthly
    installment installments interest charged service staff keeps received never anyone nothing whole happy
    new good great thank appreciate quick ready collect collected branch office documents document
    """.split()
)

_INDONESIAN = frozenset(
    """
    saya aku kamu kami kita dia mereka anda yang dan di ke dari ini itu tidak bukan sudah belum bisa mau ada
    apa berapa kapan bagaimana kenapa mengapa tolong mohon terima kasih ya dong sih nih deh kok aja juga lagi
    untuk dengan karena tapi kalau atau sama bayar angsuran cicilan denda jatuh tempo mobil kredit lunas
    pelunasan asuransi klaim tanya kak min admin mas mbak pak bu gan nya harus masih sangat banget sekali
    selamat pagi siang sore malam halo hai terus baru lama cepat jelas maaf minta kenapa gimana gmn sy udh
    udah blm yg dgn krn tp klo kalo bgt gak ga nggak tdk tlg brp kpn knp pdhl padahal tanggal bulan tahun
    hari minggu sampai sejak kemarin besok sekarang tadi akan sedang pernah cuma hanya semua banyak sedikit
    baik bagus mantap makasih mksh ok oke siap iya tahu dapat datang kantor cabang orang ribu juta rupiah
    pakai lewat buat mana dimana sini situ gitu begitu begini kayak seperti setelah sebelum tiap setiap
    """.split()
)

# Indonesian chat shorthand (everything in the slang table that is not English shorthand).
_ENGLISH_SHORTHAND = frozenset(
    {"pls", "plz", "plis", "thx", "tks", "tq", "ty", "u", "ur", "r", "im", "dont", "cant", "wont", "didnt"}
    | {"doesnt", "isnt", "wasnt", "idk", "bc", "coz", "cuz", "btw", "ok", "okay", "app", "apps", "lol", "no"}
)
_INDONESIAN_ALL = _INDONESIAN | (frozenset(SLANG) - _ENGLISH_SHORTHAND - _ENGLISH)
_ENGLISH_ONLY = _ENGLISH - _INDONESIAN_ALL


def detect(raw_tokens: list[str]) -> Language:
    """`en` when English function words outnumber Indonesian ones, else `id`."""
    en = id_ = 0
    for token in raw_tokens:
        if token in _ENGLISH_ONLY:
            en += 1
        elif token in _INDONESIAN_ALL or (len(token) > 5 and token.endswith("nya")):
            id_ += 1
    return "en" if en > id_ else "id"
