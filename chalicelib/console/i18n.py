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
    # reminders
    "Reminders": "Pengingat",
    "Installment reminders around each pay-by date and the vehicle services: what was sent, who paid after.": (
        "Pengingat angsuran sebelum dan sesudah tanggal bayar, dan layanan kendaraan: apa yang dikirim, dan siapa yang "
        "membayar sesudahnya."
    ),
    "Sent per step": "Terkirim per langkah",
    "Reminded": "Diingatkan",
    "Paid within 1 day": "Dibayar dalam 1 hari",
    "Paid within 3 days": "Dibayar dalam 3 hari",
    "Paid within 7 days": "Dibayar dalam 7 hari",
    "No reminders in these days.": "Tidak ada pengingat pada hari-hari ini.",
    "Overdue rate by month": "Tingkat keterlambatan per bulan",
    "Month": "Bulan",
    "Due": "Jatuh tempo",
    "Paid late or not yet": "Dibayar terlambat atau belum",
    "Rate": "Tingkat",
    "The ladder": "Tangga pengingat",
    "Days count from the pay-by or service date. Edited over the API (PUT /reminders/ladder).": (
        "Hari dihitung dari tanggal bayar (angsuran) atau tanggal layanan. Diubah lewat API (PUT /reminders/ladder)."
    ),
    "Channels": "Kanal",
    "Call when unreachable": "Telepon bila tak terjangkau",
    "yes": "ya",
    "Late charge: %(permille)s‰ of the installment per day; BPKB storage fees from day %(days)s.": (
        "Denda: %(permille)s‰ dari angsuran per hari; biaya penyimpanan BPKB mulai hari ke-%(days)s."
    ),
    "A reminders report covers at most 92 days.": "Laporan pengingat mencakup paling lama 92 hari.",
    # journeys
    "Journeys": "Perjalanan pelanggan",
    "Messages and calls that follow a customer's contract: approval, month six, anniversaries, payoff.": (
        "Pesan dan telepon yang mengikuti kontrak pelanggan: persetujuan, bulan keenam, ulang tahun kontrak, pelunasan."
    ),
    "Trigger": "Pemicu",
    "Started": "Dimulai",
    "Completed": "Selesai",
    "Exited": "Keluar",
    "No journeys yet.": "Belum ada perjalanan pelanggan.",
    "There is no such journey.": "Perjalanan pelanggan ini tidak ada.",
    "Step": "Langkah",
    "Reached": "Dicapai",
    "Called": "Ditelepon",
    "Of those started": "Dari yang dimulai",
    "All journeys": "Semua perjalanan pelanggan",
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
    # -- the local stage's mail viewer
    "Mail": "Surel",
    "Every e-mail the local stack's SES accepted, newest first. Nothing here left this machine.": (
        "Semua surel yang diterima SES pada stack lokal, terbaru di atas. Tidak ada yang keluar dari mesin ini."
    ),
    "The local AWS endpoint did not answer. Is the local stack still running?": (
        "Endpoint AWS lokal tidak menjawab. Apakah stack lokal masih berjalan?"
    ),
    "From": "Dari",
    "To": "Kepada",
    "Subject": "Subjek",
    "(no subject)": "(tanpa subjek)",
    "Only the newest %(count)s are shown.": "Hanya %(count)s terbaru yang ditampilkan.",
    "No e-mail sent yet.": "Belum ada surel yang dikirim.",
    "All mail": "Semua surel",
    "SES message id": "ID pesan SES",
    "HTML body": "Isi HTML",
    "Text body": "Isi teks",
    "No text body.": "Tidak ada isi teks.",
    "Headers": "Header",
    "SES tag": "Tag SES",
    "The mail viewer exists only on the local stage.": "Penampil surel hanya ada di stage lokal.",
    "There is no such e-mail.": "Surel ini tidak ada.",
    # greetings and the call list
    "Call list": "Daftar telepon",
    "Greetings": "Ucapan",
    "Greetings %(year)s": "Ucapan %(year)s",
    "Years": "Tahun",
    "Each date comes from the holidays library, its estimate of a lunar date, or your override.": (
        "Setiap tanggal dari pustaka hari libur, perkiraannya untuk tanggal kalender bulan, atau koreksi Anda."
    ),
    "Date": "Tanggal",
    "Holiday": "Hari libur",
    "Source": "Sumber",
    "Audience": "Penerima",
    "Greets": "Ucapan",
    "Everyone": "Semua pelanggan",
    "a working day": "hari kerja",
    "greets": "diberi ucapan",
    "no greeting": "tanpa ucapan",
    "source:library": "pustaka",
    "source:estimate": "perkiraan",
    "source:override": "koreksi staf",
    "Send greetings on this day": "Kirim ucapan pada hari ini",
    "A national holiday (no offers, no collection calls)": "Hari libur nasional (tanpa penawaran, tanpa penagihan)",
    "Channels (none ticked: the customer's own)": "Kanal (tidak dicentang: kanal pilihan pelanggan)",
    "Audience (no field: everyone)": "Penerima (tanpa kolom: semua pelanggan)",
    "A combined audience, kept as it is unless you give a field below.": (
        "Penerima gabungan, tetap seperti ini kecuali Anda mengisi kolom di bawah."
    ),
    "Field": "Kolom",
    "Condition": "Syarat",
    "Value": "Nilai",
    "Save this holiday": "Simpan hari libur ini",
    "Send no greetings on %(day)s (%(name)s)?": "Tidak mengirim ucapan pada %(day)s (%(name)s)?",
    "Do not greet on this day": "Jangan kirim ucapan hari ini",
    "Add a date": "Tambah tanggal",
    "Add": "Tambah",
    "Holiday saved": "Hari libur disimpan",
    "No greetings on this day": "Tidak ada ucapan pada hari ini",
    "Greeting runs": "Riwayat pengiriman ucapan",
    "Each greeting date: whom its runs greeted or put on the call list, and what the providers reported since.": (
        "Setiap tanggal ucapan: siapa yang diberi ucapan atau dimasukkan ke daftar telepon, dan laporan penyedia "
        "sesudahnya."
    ),
    "Greeted": "Diberi ucapan",
    "Sent": "Terkirim",
    "Delivered": "Diterima",
    "Failed": "Gagal",
    "Parked": "Menunggu jam kirim",
    "To call": "Untuk ditelepon",
    "Skipped": "Dilewati",
    "birthdays %(n)s, holidays %(m)s": "ulang tahun %(n)s, hari raya %(m)s",
    "No greeting runs this year yet.": "Belum ada pengiriman ucapan tahun ini.",
    "Every attempt is kept; with no answer the call stays open for another try.": (
        "Setiap percobaan disimpan; bila tidak diangkat, telepon tetap terbuka untuk dicoba lagi."
    ),
    "Day": "Hari",
    "Kind": "Jenis",
    "Show": "Tampilkan",
    "Who": "Siapa",
    "Script": "Naskah",
    "Attempts": "Percobaan",
    "Outcome": "Hasil",
    "no phone number": "tidak ada nomor telepon",
    "Wrote on %(channel)s": "Menulis lewat %(channel)s",
    "from %(day)s": "dari %(day)s",
    "call back at %(time)s": "telepon kembali %(time)s",
    "Read the script": "Baca naskah",
    "Not called yet": "Belum ditelepon",
    "Note": "Catatan",
    "Call back at": "Telepon kembali pada",
    "No calls on this list.": "Tidak ada telepon di daftar ini.",
    "Call recorded": "Hasil telepon dicatat",
    "This call has %(count)s attempts already: no more can be recorded.": (
        "Telepon ini sudah %(count)s kali dicoba: tidak bisa dicatat lagi."
    ),
    "call:open": "terbuka",
    "call:done": "selesai",
    "call:callback": "telepon kembali",
    "kind:telegreeting": "ucapan lewat telepon",
    "kind:lead": "prospek",
    "kind:reminder": "pengingat",
    "outcome:reached": "tersambung",
    "outcome:no_answer": "tidak diangkat",
    "outcome:wrong_number": "nomor salah",
    "outcome:callback": "minta ditelepon kembali",
    "outcome:not_interested": "tidak tertarik",
    # campaigns
    "Back to the message": "Kembali ke pesan",
    "Failed: %(code)s": "Gagal: %(code)s",
    "from %(start)s to %(end)s": "dari %(start)s sampai %(end)s",
    "Campaigns": "Kampanye",
    "New campaign": "Kampanye baru",
    "Funnel": "Corong",
    "Schedule": "Jadwal",
    ("%(targeted)s targeted · %(sent)s sent · %(delivered)s delivered · %(read)s read · %(failed)s failed"): (
        "%(targeted)s disasar · %(sent)s terkirim · %(delivered)s sampai · %(read)s dibaca · %(failed)s gagal"
    ),
    "No campaign yet.": "Belum ada kampanye.",
    "More campaigns": "Kampanye lainnya",
    "There is no such campaign.": "Kampanye itu tidak ada.",
    "Steps": "Langkah",
    "Channel and message": "Kanal dan pesan",
    "Review and send": "Periksa dan kirim",
    "Campaign name": "Nama kampanye",
    "Write the message here": "Tulis pesannya di sini",
    "Use a named template": "Pakai templat bernama",
    "Named template": "Templat bernama",
    "Subject (e-mail)": "Subjek (email)",
    "Fields you can use:": "Kolom yang bisa dipakai:",
    "An e-mail must carry the unsubscribe link:": "Email wajib memuat tautan berhenti berlangganan:",
    "Approved WhatsApp template": "Templat WhatsApp yang disetujui",
    "Its language": "Bahasanya",
    "Save the draft and choose the audience": "Simpan draf dan pilih sasaran",
    "Preview": "Pratinjau",
    "The preview appears as you type.": "Pratinjau muncul saat Anda mengetik.",
    "For %(name)s": "Untuk %(name)s",
    "WhatsApp template %(name)s (%(language)s)": "Templat WhatsApp %(name)s (%(language)s)",
    "This filter is more than a list of conditions: edit it as JSON below.": (
        "Filter ini lebih dari daftar syarat: ubah sebagai JSON di bawah."
    ),
    "Every condition must hold. For “in”, separate the values with commas.": (
        "Semua syarat harus terpenuhi. Untuk “salah satu dari”, pisahkan nilai dengan koma."
    ),
    "Operator": "Operator",
    "Remove": "Hapus",
    "Add a condition": "Tambah syarat",
    "Edit the filter as JSON": "Ubah filter sebagai JSON",
    "Filter (JSON)": "Filter (JSON)",
    "Save the JSON filter": "Simpan filter JSON",
    "Back to the campaign": "Kembali ke kampanye",
    "Save the audience and choose the time": "Simpan sasaran dan pilih waktu",
    "Who receives it": "Siapa yang menerima",
    "%(count)s customers match": "%(count)s pelanggan cocok",
    "%(count)s of them may receive promotions on this channel": (
        "%(count)s di antaranya boleh menerima promosi di kanal ini"
    ),
    "At least: counting stopped at its time limit.": "Setidaknya: penghitungan berhenti di batas waktunya.",
    "The filter as JSON": "Filter sebagai JSON",
    "Condition %(n)s": "Syarat %(n)s",
    "The filter is not valid JSON: %(error)s": "Filter bukan JSON yang valid: %(error)s",
    "Now": "Sekarang",
    "At a time": "Pada waktu tertentu",
    "Day and time (%(zone)s)": "Hari dan jam (%(zone)s)",
    "Back to the audience": "Kembali ke sasaran",
    "Review": "Periksa",
    "The contact policy's effect": "Dampak kebijakan kontak",
    "Sent now for %(count)s customers": "Dikirim sekarang untuk %(count)s pelanggan",
    "Sent %(time)s for %(count)s customers": "Dikirim %(time)s untuk %(count)s pelanggan",
    "Sent %(time)s for %(count)s customers held by the offer window": (
        "Dikirim %(time)s untuk %(count)s pelanggan yang ditahan oleh jam penawaran"
    ),
    (
        "Offers reach customers Monday to Saturday, 08.00–18.00 in their own zone, never on a national "
        "holiday. Consent, the frequency cap and suppression are checked again at sending."
    ): (
        "Penawaran sampai ke pelanggan Senin sampai Sabtu, 08.00–18.00 di zona mereka sendiri, tidak pernah "
        "pada hari libur nasional. Persetujuan, batas frekuensi, dan daftar blokir diperiksa lagi saat "
        "pengiriman."
    ),
    "Choose a day and a time.": "Pilih hari dan jam.",
    "Choose a time in the future.": "Pilih waktu di masa depan.",
    "%(count)s customers match; %(consenting)s may receive promotions": (
        "%(count)s pelanggan cocok; %(consenting)s boleh menerima promosi"
    ),
    "Schedule this campaign for %(time)s, for %(count)s customers?": (
        "Jadwalkan kampanye ini untuk %(time)s, bagi %(count)s pelanggan?"
    ),
    "Send this campaign now to %(count)s customers?": "Kirim kampanye ini sekarang ke %(count)s pelanggan?",
    "Back to the schedule": "Kembali ke jadwal",
    "Schedule for %(count)s customers": "Jadwalkan untuk %(count)s pelanggan",
    "Send to %(count)s customers": "Kirim ke %(count)s pelanggan",
    "The campaign cannot be sent": "Kampanye tidak dapat dikirim",
    "The campaign is %(status)s: that is not possible now.": "Kampanye sedang %(status)s: itu tidak bisa sekarang.",
    "Scheduled for %(time)s": "Dijadwalkan %(time)s",
    "Started %(time)s": "Dimulai %(time)s",
    "Targeted": "Disasar",
    "Skipped: %(reason)s": "Dilewati: %(reason)s",
    "Deferred": "Ditunda",
    "until %(time)s": "sampai %(time)s",
    "Held": "Ditahan",
    "Queued": "Antre",
    "Read": "Dibaca",
    "Clicked": "Diklik",
    "reasons": "alasannya",
    "Unsubscribed": "Berhenti berlangganan",
    "Cancelled": "Dibatalkan",
    "Sends per hour: %(total)s in all": "Pengiriman per jam: %(total)s seluruhnya",
    "Sends per hour": "Pengiriman per jam",
    "Continue the draft": "Lanjutkan draf",
    "Pause": "Jeda",
    "Resume": "Lanjutkan",
    "Send the %(count)s failed messages again?": "Kirim ulang %(count)s pesan yang gagal?",
    "Retry the failed messages": "Kirim ulang pesan yang gagal",
    "Cancel this campaign? Messages not yet sent will never be sent.": (
        "Batalkan kampanye ini? Pesan yang belum terkirim tidak akan pernah dikirim."
    ),
    "Cancel the campaign": "Batalkan kampanye",
    "Recipients": "Penerima",
    "Export as CSV": "Ekspor sebagai CSV",
    "Reason": "Alasan",
    "Not before": "Tidak sebelum",
    "unsubscribed": "berhenti berlangganan",
    "No recipient yet.": "Belum ada penerima.",
    "More recipients": "Penerima lainnya",
    "Back to the campaigns": "Kembali ke kampanye",
    "The campaign is paused.": "Kampanye dijeda.",
    "The campaign is sending again.": "Kampanye mengirim lagi.",
    "The campaign is cancelled.": "Kampanye dibatalkan.",
    "The failed messages are being sent again.": "Pesan yang gagal sedang dikirim ulang.",
    "campaign:draft": "draf",
    "campaign:scheduled": "terjadwal",
    "campaign:sending": "mengirim",
    "campaign:paused": "dijeda",
    "campaign:completed": "selesai",
    "campaign:cancelled": "dibatalkan",
    "op:eq": "sama dengan",
    "op:ne": "tidak sama dengan",
    "op:in": "salah satu dari",
    "op:not_in": "bukan salah satu dari",
    "op:before": "sebelum",
    "op:after": "sesudah",
    "op:exists": "terisi",
    "op:gte": "paling sedikit",
    "op:lte": "paling banyak",
    "field:city": "kota",
    "field:province": "provinsi",
    "field:timezone": "zona waktu",
    "field:language": "bahasa",
    "field:birth_date": "tanggal lahir",
    "field:created_at": "terdaftar pada",
    "field:vehicle_brand": "merek kendaraan",
    "field:vehicle_model": "model kendaraan",
    "field:contract_status": "status kontrak",
    "field:contract_start": "awal kontrak",
    "field:branch": "cabang",
    "field:religion": "agama",
    "field:tenure_years": "lama jadi nasabah (tahun)",
    "field:age": "umur",
    "reason:no_consent": "tanpa persetujuan",
    "reason:suppressed": "diblokir",
    "reason:frequency_cap": "batas frekuensi",
    "reason:invalid_contact": "kontak tidak valid",
    "reason:render_error": "templat gagal",
    "reason:customer_erased": "pelanggan dihapus",
    "reason:cancelled": "dibatalkan",
    # the outbound halt in the header
    "Sending is running": "Pengiriman berjalan",
    "HALTED by %(name)s since %(since)s: %(reason)s": "DIHENTIKAN oleh %(name)s sejak %(since)s: %(reason)s",
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
    "Until": "Sampai",
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
    "source:library": "library",
    "source:estimate": "estimate",
    "source:override": "override",
    "call:open": "open",
    "call:done": "done",
    "call:callback": "call back",
    "kind:telegreeting": "greeting by phone",
    "kind:lead": "lead",
    "kind:reminder": "reminder",
    "outcome:reached": "reached",
    "outcome:no_answer": "no answer",
    "outcome:wrong_number": "wrong number",
    "outcome:callback": "call back at a time",
    "outcome:not_interested": "not interested",
    # campaigns: codes shown as words
    "campaign:draft": "draft",
    "campaign:scheduled": "scheduled",
    "campaign:sending": "sending",
    "campaign:paused": "paused",
    "campaign:completed": "completed",
    "campaign:cancelled": "cancelled",
    "op:eq": "equals",
    "op:ne": "is not",
    "op:in": "is one of",
    "op:not_in": "is none of",
    "op:before": "before",
    "op:after": "after",
    "op:exists": "is filled in",
    "op:gte": "at least",
    "op:lte": "at most",
    "field:city": "city",
    "field:province": "province",
    "field:timezone": "time zone",
    "field:language": "language",
    "field:birth_date": "birth date",
    "field:created_at": "registered on",
    "field:vehicle_brand": "vehicle brand",
    "field:vehicle_model": "vehicle model",
    "field:contract_status": "contract status",
    "field:contract_start": "contract start",
    "field:branch": "branch",
    "field:religion": "religion",
    "field:tenure_years": "years as customer",
    "field:age": "age",
    "reason:no_consent": "no consent",
    "reason:suppressed": "suppressed",
    "reason:frequency_cap": "frequency cap",
    "reason:invalid_contact": "invalid contact",
    "reason:render_error": "template failed",
    "reason:customer_erased": "customer erased",
    "reason:cancelled": "cancelled",
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
