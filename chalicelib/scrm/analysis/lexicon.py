"""Domain vocabulary for topic tagging, fed to the topic model as extra features.

A few hundred labelled messages cannot teach every way of saying "BPKB" or
"pay off early" (especially in English), so each topic has a hand-kept word
list. Hits become features (`<lex:bpkb>`) rather than verdicts: the trained
topic heads decide how much to trust them, e.g. "lunas" next to "BPKB" is about
the BPKB, not about paying off.
"""

from __future__ import annotations

import re

# Matched against the normalised, space-joined token string.
TOPIC_PATTERNS: dict[str, str] = {
    "installment": (
        r"angsuran|cicilan|cicil|tagihan|virtual account|va|tenor|bunga|restrukturisasi|keringanan|bayar bulanan"
        r"|installments?|instalments?|monthly|interest rate|billed|bill|payment history|refund|kelebihan bayar"
        r"|jadwal pembayaran|payment schedule|payment plan"
    ),
    "due_date": (
        r"jatuh tempo|telat|terlambat|keterlambatan|denda|nunggak|tunggakan|menunggak|collector|debt collector|penagih"
        r"|tarik mobil|ditarik|sita|mata elang|masa tenggang|due|overdue|late|late fee|grace period|reminder"
        r"|pengingat"
    ),
    "bpkb": r"bpkb",
    "stnk_tax": r"stnk|pajak|plat nomor|samsat|tax|vehicle registration",
    "insurance": (
        r"asuransi|klaim|polis|premi|insurance|claim|tlo|all risk|own risk|bengkel rekanan|bengkel|tabrakan|kecelakaan"
        r"|banjir|dicuri|hilang dicuri|lecet"
    ),
    "early_payoff": (
        r"pelunasan|lunasin|melunasi|dilunasi|pelunasan dipercepat|lunas dipercepat|surat lunas|keterangan lunas"
        r"|sisa pokok|sisa utang|pay off|payoff|settle|settlement|early repayment|pay it off"
        r"|lunas lebih cepat|lunas lebih awal|lunas sebelum|percepat pelunasan|lunas dipercepat"
    ),
    "promo": (
        r"promo|diskon|dp|down payment|cashback|uang muka|harga|pricelist|price|price list|brosur|otr|discount"
        r"|hadiah|gratis|bunga <num> persen|paket|discounts?|promotions?|promos|special offers?"
    ),
    "app": (
        r"aplikasi|login|log in|logging|otp|password|pin|akun|website|web|download|notif|notifikasi|force close"
        r"|loading|server|install|update|verifikasi|ios|android|iphone|play store"
    ),
}

_COMPILED: dict[str, re.Pattern[str]] = {
    topic: re.compile(rf"(?:^| )(?:{pattern})(?= |$)") for topic, pattern in TOPIC_PATTERNS.items()
}


def hits(normalised_text: str) -> list[str]:
    """Topics whose vocabulary appears in the normalised text."""
    return [topic for topic, pattern in _COMPILED.items() if pattern.search(normalised_text)]


def feature_name(topic: str) -> str:
    """The feature a lexicon hit becomes for the trained heads."""
    return f"<lex:{topic}>"
