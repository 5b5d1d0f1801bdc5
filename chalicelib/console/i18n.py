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
    "Something went wrong": "Terjadi kesalahan",
    "Sapa could not show this page. Try again; if it keeps failing, tell an administrator.": (
        "Sapa tidak dapat menampilkan halaman ini. Coba lagi; jika terus gagal, beri tahu administrator."
    ),
    # customers
    "The search is not valid": "Pencarian tidak valid",
    "What": "Apa",
    "all": "semua",
    "Consent is not edited here: record the customer's word above.": (
        "Persetujuan tidak diubah di sini: catat pernyataan pelanggan di atas."
    ),
    "Record the customer's word": "Catat pernyataan pelanggan",
    ("The customer's right to erasure (UU PDP): personal data and message texts go everywhere Sapa keeps them."): (
        "Hak pelanggan atas penghapusan (UU PDP): data pribadi dan teks pesan dihapus di semua tempat "
        "Sapa menyimpannya."
    ),
    "Birth date": "Tanggal lahir",
    "Call tasks": "Tugas telepon",
    "Conversations, leads and calls": "Percakapan, prospek, dan telepon",
    "Direction": "Arah",
    "Edit": "Ubah",
    "Erase this customer…": "Hapus pelanggan ini…",
    "Evidence": "Bukti",
    "History": "Riwayat",
    "Messages": "Pesan",
    "No consent recorded yet.": "Belum ada persetujuan yang tercatat.",
    "No messages yet.": "Belum ada pesan.",
    "Purpose": "Tujuan",
    "Record": "Catat",
    "Text": "Teks",
    "The 50 newest are shown.": "Ditampilkan 50 yang terbaru.",
    "The customer": "Pelanggan",
    "Updated": "Diperbarui",
    "When": "Kapan",
    "given": "diberikan",
    "gives consent": "memberi persetujuan",
    "none": "tidak ada",
    "not before %(time)s": "tidak sebelum %(time)s",
    "received": "diterima",
    "sent": "dikirim",
    "signed form 2026/11/0042": "formulir bertanda tangan 2026/11/0042",
    "withdrawn by the customer": "ditarik oleh pelanggan",
    "withdrawn": "ditarik",
    "withdraws consent": "menarik persetujuan",
    "the customer's name, phone, e-mail, birth date and attributes": (
        "nama, telepon, email, tanggal lahir, dan atribut pelanggan"
    ),
    "%(count)s consent records (a salted hash stays so a re-import arrives without consent)": (
        "%(count)s catatan persetujuan (hash bergaram disimpan agar impor ulang masuk tanpa persetujuan)"
    ),
    "%(count)s conversations with their messages": "%(count)s percakapan beserta pesannya",
    "%(count)s leads and %(calls)s call tasks": "%(count)s prospek dan %(calls)s tugas telepon",
    "Cancel": "Batal",
    "Erase %(name)s for good?": "Hapus %(name)s untuk selamanya?",
    "Erase %(name)s?": "Hapus %(name)s?",
    "Erase for good": "Hapus selamanya",
    "Erase": "Hapus",
    "This deletes, and cannot be undone:": "Ini menghapus, dan tidak dapat dibatalkan:",
    "at least": "setidaknya",
    "the texts of %(count)s messages (%(more)s)": "teks %(count)s pesan (%(more)s)",
    "Any": "Semua",
    "Attribute": "Atribut",
    "City": "Kota",
    "Consent": "Persetujuan",
    "Export these as CSV": "Ekspor hasil ini sebagai CSV",
    "External id": "ID eksternal",
    "Import a CSV": "Impor CSV",
    "More results": "Hasil berikutnya",
    "Name, phone, external id or e-mail": "Nama, telepon, ID eksternal, atau email",
    "No customer matches.": "Tidak ada pelanggan yang cocok.",
    "Province": "Provinsi",
    "Search": "Cari",
    "Vehicle": "Kendaraan",
    "Zone": "Zona",
    "Name the evidence (a signed form's number, a call recording's id).": (
        "Sebutkan buktinya (nomor formulir bertanda tangan, ID rekaman telepon)."
    ),
    "Choose WhatsApp or e-mail.": "Pilih WhatsApp atau email.",
    "Choose greetings or promotions.": "Pilih ucapan atau promosi.",
    "Say whether the customer gave or withdrew consent.": "Nyatakan apakah pelanggan memberi atau menarik persetujuan.",
    "There is no such customer.": "Pelanggan ini tidak ada.",
    "The consent is recorded.": "Persetujuan telah dicatat.",
    "The changes are saved.": "Perubahan telah disimpan.",
    (
        "The customer's personal data and message texts are erased; a salted hash keeps a re-import from "
        "restoring them."
    ): ("Data pribadi dan teks pesan pelanggan telah dihapus; hash bergaram mencegah impor ulang memulihkannya."),
    # importing
    "%(count)s rows asked for consent the customer had withdrawn: it stays withdrawn.": (
        "%(count)s baris meminta persetujuan yang telah dicabut pelanggan: tetap dicabut."
    ),
    (
        "%(done)s of %(total)s rows done: %(created)s created, %(updated)s updated, %(unchanged)s "
        "unchanged, %(rejected)s rejected."
    ): (
        "%(done)s dari %(total)s baris selesai: %(created)s dibuat, %(updated)s diperbarui, %(unchanged)s "
        "tidak berubah, %(rejected)s ditolak."
    ),
    "Download the rejected rows": "Unduh baris yang ditolak",
    "Finished.": "Selesai.",
    "Importing…": "Mengimpor…",
    "required: the financing system's customer number": "wajib: nomor pelanggan dari sistem pembiayaan",
    (
        "A CSV file (UTF-8, comma or semicolon, at most 10 MB) with a header row. Rows are imported in "
        "the background; the page shows the progress."
    ): (
        "Berkas CSV (UTF-8, koma atau titik koma, paling besar 10 MB) dengan baris judul. Baris diimpor "
        "di latar belakang; halaman ini menampilkan kemajuannya."
    ),
    "CSV file": "Berkas CSV",
    "Column": "Kolom",
    "Download the example file": "Unduh berkas contoh",
    "Import customers": "Impor pelanggan",
    "Start the import": "Mulai impor",
    "What it holds": "Isinya",
    "an attribute, e.g. vehicle_brand, vehicle_model, branch": "atribut, mis. vehicle_brand, vehicle_model, branch",
    "an e-mail address": "alamat email",
    "any notation: 0812…, +62 812…, 62812…": "penulisan apa pun: 0812…, +62 812…, 62812…",
    "any other column": "kolom lainnya",
    (
        "greetings;promotions, none to withdraw, empty changes nothing; a withdrawal by the customer is "
        "never undone by a file"
    ): (
        "greetings;promotions, none untuk mencabut, kosong tidak mengubah apa pun; pencabutan oleh "
        "pelanggan tidak pernah dibatalkan oleh berkas"
    ),
    "required": "wajib",
    "the zone follows the province": "zona waktu mengikuti provinsi",
    "Back to the customers": "Kembali ke daftar pelanggan",
    "Import progress": "Kemajuan impor",
    "Choose a CSV file.": "Pilih berkas CSV.",
    "The file is not UTF-8 text; save it as CSV UTF-8.": "Berkas bukan teks UTF-8; simpan sebagai CSV UTF-8.",
    "There is no such import.": "Impor ini tidak ada.",
    # the record's own words (channels, purposes, fields), shown translated
    "whatsapp": "WhatsApp",
    "email": "Email",
    "greetings": "ucapan",
    "promotions": "promosi",
    "name": "Nama",
    "phone": "Telepon",
    "birth_date": "Tanggal lahir",
    "province": "Provinsi",
    "city": "Kota",
    "language": "Bahasa",
    "—": "—",
    "how:import": "dari impor",
    "how:api": "dari API",
    "how:staff_recorded": "dicatat staf",
    "how:unsubscribe_link": "tautan berhenti langganan",
    "how:web_form": "formulir web",
    "how:whatsapp_keyword": "kata kunci WhatsApp",
    "how:erasure": "penghapusan",
    "how:ses_complaint": "keluhan email",
    "how:ses_bounce": "email terpental",
    "how:resubscribe": "berlangganan lagi",
    "status:queued": "antre",
    "status:deferred": "ditunda",
    "status:held": "ditahan",
    "status:sending": "mengirim",
    "status:sent": "terkirim",
    "status:failed": "gagal",
    "status:delivered": "sampai",
    "status:read": "dibaca",
    "status:skipped": "dilewati",
    "status:cancelled": "dibatalkan",
    # the inbox
    "All": "Semua",
    "Anyone": "Siapa saja",
    "Assign to": "Tugaskan ke",
    "Assign": "Tugaskan",
    "Assignee": "Petugas",
    "Back to the inbox": "Kembali ke kotak masuk",
    "Category": "Kategori",
    "Consents": "Persetujuan",
    "Filter": "Saring",
    "Last campaigns": "Kampanye terakhir",
    "Link to %(name)s": "Tautkan ke %(name)s",
    "Mark as a lead": "Tandai sebagai prospek",
    "Message": "Pesan",
    "Mine": "Milik saya",
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
    "Satisfaction question sent": "Pertanyaan kepuasan terkirim",
    "Send reply": "Kirim balasan",
    "Send template": "Kirim templat",
    "Sentiment": "Sentimen",
    "Standard reply": "Balasan standar",
    "Template": "Templat",
    "The bot": "Bot",
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
    # the outbound halt in the header
    "Sending is running": "Pengiriman berjalan",
    "HALTED by %(name)s since %(since)s: %(reason)s": "DIHENTIKAN oleh %(name)s sejak %(since)s: %(reason)s",
    "Reason": "Alasan",
    "Halt all sending": "Hentikan semua pengiriman",
    "Resume sending": "Lanjutkan pengiriman",
    "Halt all sending? No message reaches a customer until someone resumes.": (
        "Hentikan semua pengiriman? Tidak ada pesan yang sampai ke pelanggan sampai dilanjutkan lagi."
    ),
    "Resume sending? Every held message is released.": ("Lanjutkan pengiriman? Semua pesan yang ditahan akan dikirim."),
    "Sending was not halted": "Pengiriman tidak dihentikan",
    "Say why sending is halted (3 to 500 characters), then press the button again.": (
        "Tulis alasan penghentian (3 sampai 500 karakter), lalu tekan tombolnya lagi."
    ),
    # reports
    "Reports": "Laporan",
    "Admin": "Admin",
    "CSV": "CSV",
    "Nothing to show for these days.": "Tidak ada yang bisa ditampilkan untuk hari-hari ini.",
    "The figures as a table": "Angkanya dalam tabel",
    "Auto-answer rate": "Tingkat jawaban otomatis",
    "Average satisfaction": "Rata-rata kepuasan",
    "Conversations": "Percakapan",
    "Days are counted in %(zone)s (UTC%(offset)s).": "Hari dihitung dalam %(zone)s (UTC%(offset)s).",
    "First response p50 / p90 (bot)": "Respons pertama p50 / p90 (bot)",
    "First response p50 / p90 (people)": "Respons pertama p50 / p90 (staf)",
    "From": "Dari",
    "To": "Sampai",
    "Show": "Tampilkan",
    "Incoming messages": "Pesan masuk",
    "Last %(days)s days": "%(days)s hari terakhir",
    "Longer than 92 days: shown month by month, whole months.": (
        "Lebih dari 92 hari: ditampilkan bulan demi bulan, per bulan penuh."
    ),
    "Open past the SLA now": "Terbuka melewati SLA saat ini",
    "A report covers at most two years (731 days).": "Laporan mencakup paling lama dua tahun (731 hari).",
    "Campaign funnels": "Corong kampanye",
    "Choose the days as dates (YYYY-MM-DD).": "Pilih harinya sebagai tanggal (YYYY-MM-DD).",
    "Customer satisfaction (1-5) and answers": "Kepuasan pelanggan (1-5) dan jumlah jawaban",
    "First response time (minutes)": "Waktu respons pertama (menit)",
    "Greeting reach per holiday": "Jangkauan ucapan per hari raya",
    "Incoming messages by category": "Pesan masuk per kategori",
    "Incoming messages by channel": "Pesan masuk per kanal",
    "Incoming messages by sentiment": "Pesan masuk per sentimen",
    "Incoming messages by topic": "Pesan masuk per topik",
    "Questions the bot answered (%)": "Pertanyaan yang dijawab bot (%)",
    "Resolution time (minutes)": "Waktu penyelesaian (menit)",
    "The first day must not be after the last.": "Hari pertama tidak boleh setelah hari terakhir.",
    "There is no such chart.": "Grafik itu tidak ada.",
    "answers": "jawaban",
    "auto-answer rate": "tingkat jawaban otomatis",
    "average score": "nilai rata-rata",
    "bot": "bot",
    "people": "staf",
    "greetings queued": "ucapan diantrekan",
    "targeted": "sasaran",
    "queued": "diantrekan",
    "delivered": "sampai",
    "read": "dibaca",
    # the admin page
    "When a message may reach a customer, per purpose, in the customer's own zone. "
    "The regulated windows may only be narrowed.": (
        "Kapan pesan boleh sampai ke pelanggan, per tujuan, di zona waktu pelanggan sendiri. "
        "Jendela yang diatur regulasi hanya boleh dipersempit."
    ),
    "Action": "Tindakan",
    "Actor": "Pelaku",
    "Add, re-role or revoke staff with the sapa staff command; a change signs the person out everywhere.": (
        "Tambah, ubah peran, atau cabut staf dengan perintah sapa staff; "
        "perubahan mengeluarkan orang itu dari semua perangkat."
    ),
    "All settings": "Semua pengaturan",
    "Audit log": "Log audit",
    "Closes": "Tutup",
    "Opens": "Buka",
    "Contact policy": "Kebijakan kontak",
    "Details": "Rincian",
    "Kind": "Jenis",
    "Last saved by %(name)s at %(at)s.": "Terakhir disimpan oleh %(name)s pada %(at)s.",
    "No entries match.": "Tidak ada entri yang cocok.",
    "Not on national holidays": "Tidak pada hari libur nasional",
    "Older entries": "Entri lebih lama",
    "Other settings": "Pengaturan lain",
    "Role": "Peran",
    "Save the contact policy": "Simpan kebijakan kontak",
    "Save the contact policy? Senders apply it within a minute.": (
        "Simpan kebijakan kontak? Pengirim menerapkannya dalam satu menit."
    ),
    "Set per stage in its environment; shown here read only. Secrets are never shown.": (
        "Diatur per stage di lingkungannya; di sini hanya ditampilkan. Rahasia tidak pernah ditampilkan."
    ),
    "Setting": "Pengaturan",
    "Staff and their roles": "Staf dan perannya",
    "Target": "Sasaran",
    "Value": "Nilai",
    "Version %(version)s, %(source)s.": "Versi %(version)s, %(source)s.",
    "What it does": "Fungsinya",
    "Zones:": "Zona:",
    "Someone saved the policy since you opened this page. Here it is as saved now.": (
        "Seseorang menyimpan kebijakan sejak Anda membuka halaman ini. Inilah yang tersimpan sekarang."
    ),
    "The contact policy is saved.": "Kebijakan kontak sudah disimpan.",
}

ENGLISH: dict[str, str] = {
    "how:import": "by import",
    "how:api": "through the API",
    "how:staff_recorded": "recorded by staff",
    "how:unsubscribe_link": "unsubscribe link",
    "how:web_form": "web form",
    "how:whatsapp_keyword": "WhatsApp keyword",
    "how:erasure": "erasure",
    "how:ses_complaint": "e-mail complaint",
    "how:ses_bounce": "e-mail bounce",
    "how:resubscribe": "subscribed again",
    "status:queued": "queued",
    "status:deferred": "deferred",
    "status:held": "held",
    "status:sending": "sending",
    "status:sent": "sent",
    "status:failed": "failed",
    "status:delivered": "delivered",
    "status:read": "read",
    "status:skipped": "skipped",
    "status:cancelled": "cancelled",
    "whatsapp": "WhatsApp",
    "email": "E-mail",
    "greetings": "greetings",
    "promotions": "promotions",
    "name": "Name",
    "phone": "Phone",
    "birth_date": "Birth date",
    "province": "Province",
    "city": "City",
    "language": "Language",
}
"""English for the record's own keys (channel, purpose and field names); every other msgid is English already."""

CATALOGUES: dict[str, dict[str, str]] = {"id": INDONESIAN, "en": ENGLISH}


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
