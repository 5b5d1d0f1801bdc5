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
    # the inbox
    "All": "Semua",
    "Anyone": "Siapa saja",
    "Assign to": "Tugaskan ke",
    "Assign": "Tugaskan",
    "Assignee": "Petugas",
    "Back to the inbox": "Kembali ke kotak masuk",
    "Category": "Kategori",
    "Channel": "Kanal",
    "Consents": "Persetujuan",
    "Conversation": "Percakapan",
    "Customer": "Pelanggan",
    "External id": "ID eksternal",
    "Filter": "Saring",
    "Last campaigns": "Kampanye terakhir",
    "Link to %(name)s": "Tautkan ke %(name)s",
    "Mark as a lead": "Tandai sebagai prospek",
    "Message": "Pesan",
    "Mine": "Milik saya",
    "Name": "Nama",
    "No conversations here.": "Tidak ada percakapan di sini.",
    "None": "Tidak ada",
    "Open": "Terbuka",
    "Open: %(open)s · unassigned: %(unassigned)s · mine: %(mine)s · past SLA: %(late)s": (
        "Terbuka: %(open)s · belum ditugaskan: %(unassigned)s · milik saya: %(mine)s · lewat SLA: %(late)s"
    ),
    "Parameters, one per line": "Parameter, satu per baris",
    "Past SLA": "Lewat SLA",
    "Phone or external id": "Telepon atau ID eksternal",
    "Reopen": "Buka kembali",
    "Reply": "Balas",
    "Resolve": "Selesaikan",
    "Satisfaction: %(score)s of 5": "Kepuasan: %(score)s dari 5",
    "Search": "Cari",
    "Send reply": "Kirim balasan",
    "Send template": "Kirim templat",
    "Sentiment": "Sentimen",
    "Standard reply": "Balasan standar",
    "Status": "Status",
    "Template": "Templat",
    "The bot": "Bot",
    "Topics": "Topik",
    "Topic": "Topik",
    "This sender is not linked to a customer.": "Pengirim ini belum ditautkan ke pelanggan.",
    "Unassigned": "Belum ditugaskan",
    "Unknown sender": "Pengirim tidak dikenal",
    "Waited": "Menunggu",
    "WhatsApp's 24-hour window is closed: send one of the approved templates instead.": (
        "Jendela 24 jam WhatsApp sudah tertutup: kirim salah satu templat yang disetujui."
    ),
    "Resolve this conversation and ask the customer how we did?": (
        "Selesaikan percakapan ini dan tanyakan penilaian pelanggan?"
    ),
    "There is no such conversation.": "Percakapan itu tidak ada.",
    "Reply sent": "Balasan terkirim",
    "Assigned": "Sudah ditugaskan",
    "Resolved": "Sudah diselesaikan",
    "Reopened": "Dibuka kembali",
    "Marked as a lead": "Ditandai sebagai prospek",
    "Linked to the customer": "Sudah ditautkan ke pelanggan",
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
