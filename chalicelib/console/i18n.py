"""The console's two languages: Indonesian by default, English on request.

Templates mark text with jinja2's i18n extension (`{{ _("Sign in") }}`); the
message ids are English and this catalogue gives the Indonesian. A test
extracts every id from the templates and fails when one has no Indonesian,
so a screen never shows half its words in the other language.
"""

from __future__ import annotations

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

INDONESIAN: dict[str, str] = {
    # the frame
    "Staff console": "Konsol staf",
    "Skip to content": "Langsung ke konten",
    "Main menu": "Menu utama",
    "Inbox": "Kotak masuk",
    "Customers": "Pelanggan",
    "Leads": "Prospek",
    "Home": "Beranda",
    "Language": "Bahasa",
    "Time zone": "Zona waktu",
    "Save": "Simpan",
    "Sign out": "Keluar",
    "Signed in as %(name)s (%(role)s)": "Masuk sebagai %(name)s (%(role)s)",
    "Times are shown in %(zone)s.": "Waktu ditampilkan dalam %(zone)s.",
    # signing in
    "Sign in": "Masuk",
    "Sign in to Sapa": "Masuk ke Sapa",
    "E-mail": "Email",
    "Password": "Kata sandi",
    "The e-mail or the password is wrong.": "Email atau kata sandi salah.",
    "Enter a valid e-mail address.": "Masukkan alamat email yang valid.",
    "Too many failed attempts. Try again in %(seconds)s seconds.": (
        "Terlalu banyak percobaan gagal. Coba lagi dalam %(seconds)s detik."
    ),
    "Choose a new password": "Buat kata sandi baru",
    "This is your first sign-in: choose your own password.": ("Ini masuk pertama Anda: buat kata sandi Anda sendiri."),
    "New password": "Kata sandi baru",
    "Repeat the new password": "Ulangi kata sandi baru",
    "The two passwords differ.": "Kedua kata sandi berbeda.",
    "At least 12 characters, with upper and lower case letters, a digit and a symbol.": (
        "Minimal 12 karakter, dengan huruf besar dan kecil, angka, dan simbol."
    ),
    "The password was refused: %(reason)s": "Kata sandi ditolak: %(reason)s",
    "The sign-in took too long; sign in again.": "Proses masuk terlalu lama; silakan masuk lagi.",
    "Your session has ended; sign in again.": "Sesi Anda telah berakhir; silakan masuk lagi.",
    "You are signed out.": "Anda telah keluar.",
    "This account has no role in Sapa; ask an administrator.": (
        "Akun ini tidak memiliki peran di Sapa; hubungi administrator."
    ),
    # errors
    "Not allowed": "Tidak diizinkan",
    "Your role (%(role)s) may not open this page.": "Peran Anda (%(role)s) tidak boleh membuka halaman ini.",
    "The request was refused": "Permintaan ditolak",
    "The form is out of date or came from another site. Reload the page and try again.": (
        "Formulir sudah kedaluwarsa atau berasal dari situs lain. Muat ulang halaman dan coba lagi."
    ),
    "Not found": "Tidak ditemukan",
    "Back to the console": "Kembali ke konsol",
    "Welcome, %(name)s": "Selamat datang, %(name)s",
    "What your role may open:": "Yang boleh Anda buka:",
    # leads
    "People who asked about a new loan or product in a conversation, newest first.": (
        "Orang yang menanyakan pinjaman atau produk baru dalam percakapan, terbaru di atas."
    ),
    "Found": "Ditemukan",
    "Name": "Nama",
    "Phone": "Telepon",
    "Channel": "Kanal",
    "Topics": "Topik",
    "What they wrote": "Yang mereka tulis",
    "Status": "Status",
    "Conversation": "Percakapan",
    "Customer": "Pelanggan",
    "Older leads": "Prospek lebih lama",
    "No leads yet.": "Belum ada prospek.",
}

CATALOGUES: dict[str, dict[str, str]] = {"id": INDONESIAN, "en": {}}


def gettext(language: str):  # type: ignore[no-untyped-def]
    catalogue = CATALOGUES.get(language, INDONESIAN)

    def translate(message: str) -> str:
        return catalogue.get(message, message)

    return translate


def ngettext(language: str):  # type: ignore[no-untyped-def]
    translate = gettext(language)

    def plural(singular: str, plural_form: str, n: int) -> str:
        return translate(singular if n == 1 else plural_form)

    return plural
