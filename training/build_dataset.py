"""Build the labelled training set for the category and topic heads.

There is no public labelled corpus of Indonesian car-financing chats, so the
training set is written here: hand-written seed messages plus template
expansions with slot fillers (car models, amounts, cities, channels) and chat
noise (slang spellings, dropped punctuation, emoji). The held-out evaluation set
in tests/scrm/data/labelled.jsonl is written separately by hand and is never
read here. Output is deterministic (fixed seed, stable order).

    python training/build_dataset.py --out training/data/scrm_labelled_train.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

SEED = 20240601
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "scrm_labelled_train.jsonl"

C, Q, L, P, OTH = "complaint", "question", "lead", "praise", "other"
NEG, NEU, POS = "negative", "neutral", "positive"

SLOTS: dict[str, list[str]] = {
    "greet": [
        "",
        "",
        "",
        "min ",
        "min, ",
        "kak ",
        "halo min, ",
        "halo kak ",
        "pagi min, ",
        "siang kak, ",
        "malam min ",
        "permisi kak, ",
        "admin ",
        "assalamualaikum, ",
        "mas ",
        "mbak ",
        "gan ",
        "pak ",
        "bu ",
    ],
    "en_greet": ["", "", "Hi, ", "Hello, ", "Hi admin, ", "Good morning, ", "Hey, ", "Dear team, "],
    "car": [
        "avanza",
        "xenia",
        "rush",
        "terios",
        "ayla",
        "agya",
        "calya",
        "sigra",
        "innova",
        "fortuner",
        "raize",
        "rocky",
        "veloz",
        "gran max",
        "hilux",
        "yaris",
        "sienta",
        "luxio",
        "innova zenix",
        "avanza veloz",
    ],
    "amount": ["500rb", "750 ribu", "1,2jt", "300rb", "1 juta", "2jt", "150rb", "Rp 450.000", "Rp 1.500.000", "250k"],
    "dp": ["10jt", "15 juta", "20jt", "25jt", "30 juta", "5 juta", "40jt", "20%", "25 persen", "30%"],
    "n": ["2", "3", "4", "5", "6", "7", "10", "dua", "tiga"],
    "month": ["januari", "februari", "maret", "april", "mei", "juni", "agustus", "september", "oktober", "desember"],
    "city": [
        "jakarta",
        "bekasi",
        "tangerang",
        "bogor",
        "bandung",
        "surabaya",
        "medan",
        "semarang",
        "malang",
        "palembang",
        "denpasar",
        "jogja",
        "solo",
        "balikpapan",
        "pekanbaru",
        "cirebon",
    ],
    "tenor": ["1 tahun", "2 tahun", "3 tahun", "4 tahun", "5 tahun", "36 bulan", "48 bulan", "60 bulan"],
    "tenor_en": ["3 years", "4 years", "5 years", "36 months", "48 months", "60 months"],
    "pay": [
        "transfer bank",
        "m-banking",
        "indomaret",
        "alfamart",
        "tokopedia",
        "virtual account",
        "ATM BRI",
        "gopay",
        "kantor pos",
        "livin mandiri",
    ],
    "year": ["2016", "2017", "2018", "2019", "2020", "2021"],
    "neg_tail": ["", "", "", " parah", " kecewa banget", " gimana sih", "!!", " 😡", " tolong segera", " capek saya"],
    "q_tail": ["", "", "?", " ya?", " kak?", " mohon infonya", " 🙏", " makasih", " min?"],
    "pos_tail": ["", "", " 👍", " 🙏", " mantap", "!", " sukses terus", " 😊"],
}

# (category, sentiment, topics, language, templates)
INTENTS: list[tuple[str, str, list[str], str, list[str]]] = [
    # ---- complaints: late fees / due date -----------------------------------------------
    (
        C,
        NEG,
        ["due_date"],
        "id",
        [
            "{greet}saya kena denda {amount} padahal cuma telat {n} hari, ga adil{neg_tail}",
            "{greet}kenapa ada denda di tagihan saya? saya selalu bayar sebelum jatuh tempo{neg_tail}",
            "denda keterlambatan nya kegedean, masa telat sehari langsung {amount}{neg_tail}",
            "{greet}udah bayar tgl {n} kok masih dihitung telat dan kena denda??",
            "ga masuk akal, belum jatuh tempo tapi denda udah muncul di tagihan{neg_tail}",
            "tagihan denda saya salah hitung, saya ga pernah telat{neg_tail}",
            "sistem kalian error, saya bayar tepat waktu malah dicatat terlambat{neg_tail}",
            "jatuh tempo nya dimajuin sepihak, jadinya saya kena denda{neg_tail}",
        ],
    ),
    # ---- complaints: debt collectors ----------------------------------------------------
    (
        C,
        NEG,
        ["due_date"],
        "id",
        [
            "{greet}collector kalian datang ke kantor saya dan bikin malu, padahal baru telat {n} hari",
            "dc nya kasar banget, nelpon jam 11 malem marah2{neg_tail}",
            "tolong ya debt collector jangan neror keluarga saya, saya pasti bayar",
            "ada orang ngaku dari leasing mau tarik mobil saya di parkiran, serem{neg_tail}",
            "saya diteror terus sama penagih, sehari bisa {n} kali telpon{neg_tail}",
            "collector nya ngancam mau sita mobil, padahal saya sudah janji bayar minggu ini",
            "penagih datang bawa temen {n} orang, tetangga pada nonton. malu saya{neg_tail}",
            "orang tua saya di kampung ikut ditelpon collector, ga ada etika{neg_tail}",
        ],
    ),
    # ---- complaints: BPKB ------------------------------------------------------------------
    (
        C,
        NEG,
        ["bpkb"],
        "id",
        [
            "{greet}bpkb saya sudah {n} bulan belum keluar padahal sudah lunas{neg_tail}",
            "udah lunas dari {month} tapi bpkb nya masih belum ada di cabang {city}{neg_tail}",
            "katanya bpkb bisa diambil {n} minggu setelah lunas, ini udh lewat sebulan blm ada kabar",
            "tiap ke kantor bpkb selalu dibilang belum ready, buang2 waktu{neg_tail}",
            "bpkb saya kemana?? kok ga ada kejelasan sama sekali{neg_tail}",
            "parah, ambil bpkb aja harus antri seharian{neg_tail}",
            "bpkb sy masih di kantor pusat katanya, udah {n} kali nanya jawabannya sama terus",
            "nama di bpkb salah ketik, disuruh urus sendiri. ga bertanggung jawab{neg_tail}",
        ],
    ),
    # ---- complaints: app -----------------------------------------------------------------
    (
        C,
        NEG,
        ["app"],
        "id",
        [
            "{greet}aplikasinya ga bisa login, muncul error terus{neg_tail}",
            "otp ga masuk2 udah coba {n} kali{neg_tail}",
            "app nya lemot banget, buka tagihan aja loading lama{neg_tail}",
            "setelah update aplikasi malah ga bisa dibuka sama sekali{neg_tail}",
            "ga bisa daftar akun di aplikasi, nomor kontrak dibilang tidak valid{neg_tail}",
            "aplikasi nya keluar sendiri tiap mau liat riwayat bayar{neg_tail}",
            "kode verifikasi ga pernah dikirim, aplikasi ga guna{neg_tail}",
            "password udah direset tetep ga bisa masuk aplikasi{neg_tail}",
        ],
    ),
    (
        C,
        NEG,
        ["app", "installment"],
        "id",
        [
            "aplikasi error pas mau bayar angsuran, saldo kepotong tapi status belum bayar{neg_tail}",
            "kenapa di aplikasi sisa cicilan saya beda sama yg di kantor?{neg_tail}",
            "bayar angsuran lewat aplikasi gagal terus dari kemarin{neg_tail}",
        ],
    ),
    # ---- complaints: installments / payments ----------------------------------------------
    (
        C,
        NEG,
        ["installment"],
        "id",
        [
            "{greet}saya sudah bayar angsuran lewat {pay} tapi belum tercatat{neg_tail}",
            "uang sudah kepotong tapi angsuran masih dianggap belum dibayar, gimana sih",
            "pembayaran cicilan bulan {month} saya hilang, padahal ada buktinya{neg_tail}",
            "angsuran saya tiba2 naik tanpa pemberitahuan{neg_tail}",
            "kok saya ditagih dua kali untuk angsuran yang sama{neg_tail}",
            "tagihan cicilan saya ga sesuai kontrak, lebih mahal {amount}{neg_tail}",
            "kelebihan bayar angsuran saya belum dikembalikan sampai sekarang{neg_tail}",
            "biaya admin bayar cicilan lewat {pay} mahal banget{neg_tail}",
        ],
    ),
    # ---- complaints: insurance --------------------------------------------------------------
    (
        C,
        NEG,
        ["insurance"],
        "id",
        [
            "klaim asuransi saya ditolak padahal mobil ditabrak orang{neg_tail}",
            "{greet}proses klaim asuransi lama banget, udh {n} minggu mobil di bengkel{neg_tail}",
            "bengkel rekanan asuransinya jelek, hasil perbaikan ga rapi{neg_tail}",
            "asuransi cuma janji manis, pas kejadian susah banget klaimnya{neg_tail}",
            "kenapa premi asuransi naik sendiri tanpa konfirmasi{neg_tail}",
            "surveyor klaim asuransi ga dateng2, mobil ga bisa dipake{neg_tail}",
            "mobil kebanjiran tapi klaim asuransi dipersulit, dokumen diminta terus{neg_tail}",
            "saya dipaksa ambil asuransi jiwa tambahan, ga pernah setuju{neg_tail}",
        ],
    ),
    # ---- complaints: early payoff --------------------------------------------------------
    (
        C,
        NEG,
        ["early_payoff"],
        "id",
        [
            "mau lunasin malah dipersulit, disuruh nunggu {n} hari{neg_tail}",
            "hitungan pelunasan dipercepat ga jelas, beda2 tiap ditanya{neg_tail}",
            "penalti pelunasan dipercepat kemahalan{neg_tail}",
            "udah bayar pelunasan tapi status kontrak belum lunas{neg_tail}",
            "surat keterangan lunas saya belum keluar juga{neg_tail}",
            "kok pelunasan saya masih dikenain bunga penuh, katanya ada potongan{neg_tail}",
        ],
    ),
    (
        C,
        NEG,
        ["early_payoff", "bpkb"],
        "id",
        [
            "sudah pelunasan dipercepat bulan {month}, bpkb belum juga bisa diambil{neg_tail}",
            "lunas lebih cepat malah bpkb nya lebih lama keluarnya{neg_tail}",
        ],
    ),
    # ---- complaints: STNK / tax --------------------------------------------------------------
    (
        C,
        NEG,
        ["stnk_tax", "bpkb"],
        "id",
        [
            "pajak stnk saya telat gara2 pinjam bpkb susah banget{neg_tail}",
            "stnk mau diperpanjang 5 tahunan tapi leasing lama banget minjemin bpkb{neg_tail}",
        ],
    ),
    (
        C,
        NEG,
        ["stnk_tax"],
        "id",
        [
            "saya kena denda pajak kendaraan krn proses dari kalian lambat{neg_tail}",
            "plat nomor sy udh mati, stnk ga bisa diurus krn dokumen masih di kantor kalian",
            "titip bayar pajak stnk ke cabang malah belum dibayarin{neg_tail}",
        ],
    ),
    # ---- complaints: promo -----------------------------------------------------------------
    (
        C,
        NEG,
        ["promo"],
        "id",
        [
            "katanya dp ringan ternyata pas pengajuan dp nya dinaikin{neg_tail}",
            "promo cashback ga dikasih, sales bohong{neg_tail}",
            "hadiah promo yg dijanjikan ga pernah sampai{neg_tail}",
            "iklan bunga 0% ternyata ada biaya tambahan banyak, menipu{neg_tail}",
            "diskon yang di brosur ga berlaku pas saya datang ke dealer{neg_tail}",
        ],
    ),
    # ---- complaints: service in general ----------------------------------------------------------
    (
        C,
        NEG,
        ["other"],
        "id",
        [
            "cs nya ga ramah, jawabnya ketus{neg_tail}",
            "chat saya ga dibales {n} hari, pelayanan buruk{neg_tail}",
            "telepon call center ga pernah diangkat{neg_tail}",
            "pelayanan di cabang {city} mengecewakan sekali{neg_tail}",
            "staf nya ga ngerti apa2, dilempar sana sini{neg_tail}",
            "janji mau dihubungi balik tapi sampe sekarang ga ada kabar{neg_tail}",
        ],
    ),
    # ---- calm complaints -------------------------------------------------------------------
    (
        C,
        NEU,
        ["installment"],
        "id",
        [
            "{greet}mohon dicek, pembayaran angsuran saya tgl {n} belum masuk sistem",
            "saya mau konfirmasi, transfer cicilan bulan {month} belum terverifikasi",
        ],
    ),
    (
        C,
        NEU,
        ["due_date"],
        "id",
        [
            "saya ingin mengajukan keluhan soal denda yang muncul di tagihan bulan ini",
            "{greet}mohon ditinjau ulang denda saya, keterlambatan karena sistem bank",
        ],
    ),
    (C, NEU, ["bpkb"], "id", ["{greet}bpkb saya belum bisa diambil, mohon info kendalanya"]),
    (C, NEU, ["app"], "id", ["{greet}mohon bantuan, aplikasi tidak bisa login sejak kemarin"]),
    (C, NEU, ["insurance"], "id", ["saya keberatan dengan biaya asuransi yang ditambahkan ke kontrak"]),
    # ---- complaints in English ----------------------------------------------------------------
    (
        C,
        NEG,
        ["due_date"],
        "en",
        [
            "{en_greet}I was charged a late fee even though I paid on time",
            "Your debt collector was extremely rude to my family. Unacceptable.",
            "Why is there a penalty on my bill? I have never missed a due date.",
            "Stop calling me ten times a day about a payment that isn't even overdue!",
        ],
    ),
    (
        C,
        NEG,
        ["bpkb"],
        "en",
        [
            "{en_greet}my BPKB still isn't ready {n} months after I paid off the loan",
            "I have been to the branch three times and my BPKB is still not available. Terrible.",
        ],
    ),
    (
        C,
        NEG,
        ["app"],
        "en",
        [
            "The app crashes every time I try to log in",
            "I never received the OTP code, this is so annoying",
            "{en_greet}your mobile app is useless, it keeps showing an error",
        ],
    ),
    (
        C,
        NEG,
        ["installment"],
        "en",
        [
            "My payment via {pay} is not showing up and I'm worried.",
            "Why did my monthly installment go up without notice?",
            "I was billed twice for the same installment this month.",
        ],
    ),
    (
        C,
        NEG,
        ["insurance"],
        "en",
        [
            "The insurance claim process is a nightmare, nobody responds",
            "{en_greet}my insurance claim was rejected for no reason",
        ],
    ),
    (
        C,
        NEG,
        ["early_payoff"],
        "en",
        ["The early settlement amount you quoted is way higher than expected", "Paying off my loan early is a hassle"],
    ),
    (C, NEG, ["promo"], "en", ["The cashback promised by your sales agent never arrived"]),
    (
        C,
        NEG,
        ["installment"],
        "en",
        [
            "{en_greet}I transferred the money days ago and it still says unpaid. So frustrating",
            "Disappointed, my payment receipt was never confirmed",
        ],
    ),
    (
        C,
        NEG,
        ["due_date"],
        "en",
        [
            "This is ridiculous, the system marked me as late although I paid on time",
            "I'm really annoyed, you keep sending overdue notices by mistake",
        ],
    ),
    (
        C,
        NEG,
        ["app"],
        "en",
        ["Worst app ever, I can't even see my contract", "Very disappointed, the app has been down all day"],
    ),
    (
        C,
        NEG,
        ["other"],
        "en",
        ["Disappointed with your branch, nobody knows anything", "Bad service, I was sent from one desk to another"],
    ),
    (
        C,
        NEG,
        ["other"],
        "en",
        ["Terrible customer service, I've been waiting for a reply for days", "Your staff was rude and unhelpful"],
    ),
    # ---- questions ----------------------------------------------------------------------------
    (
        Q,
        NEU,
        ["due_date"],
        "id",
        [
            "{greet}jatuh tempo saya tiap tanggal berapa{q_tail}",
            "kalau telat bayar sehari dendanya berapa{q_tail}",
            "tanggal jatuh temponya bisa dipindah ga{q_tail}",
            "masih ada masa tenggang ga setelah jatuh tempo{q_tail}",
            "kalau jatuh tempo pas hari minggu bayarnya kapan{q_tail}",
            "denda keterlambatan dihitung per hari atau per bulan{q_tail}",
            "{greet}bayar angsuran paling lambat tanggal berapa biar ga kena denda{q_tail}",
        ],
    ),
    (
        Q,
        NEU,
        ["installment"],
        "id",
        [
            "{greet}bayar angsuran bisa lewat {pay} ga{q_tail}",
            "sisa angsuran saya tinggal berapa kali{q_tail}",
            "cara cek tagihan cicilan bulan ini gimana{q_tail}",
            "nomor va untuk bayar cicilan saya apa{q_tail}",
            "bisa bayar angsuran lebih awal ga{q_tail}",
            "ada program keringanan cicilan ga buat yg lagi susah{q_tail}",
            "kalau bayar angsuran lebih dari tagihan gimana{q_tail}",
            "{greet}bukti bayar angsuran bisa dikirim lewat mana{q_tail}",
        ],
    ),
    (
        Q,
        NEU,
        ["bpkb"],
        "id",
        [
            "{greet}syarat ambil bpkb apa aja{q_tail}",
            "bpkb saya sudah bisa diambil belum{q_tail}",
            "ambil bpkb bisa diwakilkan{q_tail}",
            "bpkb diambil di cabang mana{q_tail}",
            "pinjam bpkb untuk balik nama bisa{q_tail}",
            "ambil bpkb perlu bawa ktp asli{q_tail}",
        ],
    ),
    (Q, NEU, ["bpkb", "early_payoff"], "id", ["berapa hari bpkb keluar setelah lunas{q_tail}"]),
    (
        Q,
        NEU,
        ["stnk_tax"],
        "id",
        [
            "perpanjang stnk 5 tahunan prosedurnya gimana kalau mobil masih kredit{q_tail}",
            "bisa titip bayar pajak kendaraan lewat leasing{q_tail}",
            "pajak tahunan stnk harus bawa apa aja{q_tail}",
            "{greet}ganti plat nomor pas masih kredit gimana caranya{q_tail}",
        ],
    ),
    (
        Q,
        NEU,
        ["insurance"],
        "id",
        [
            "{greet}cara klaim asuransi gimana{q_tail}",
            "asuransi saya tipe apa ya, tlo atau all risk{q_tail}",
            "kalau mobil lecet bisa klaim asuransi{q_tail}",
            "bengkel rekanan asuransi di {city} di mana{q_tail}",
            "berapa own risk kalau klaim{q_tail}",
            "polis asuransi saya bisa minta softcopy nya{q_tail}",
            "asuransi nya cover kerusakan karena banjir ga{q_tail}",
        ],
    ),
    (
        Q,
        NEU,
        ["early_payoff"],
        "id",
        [
            "{greet}kalau mau pelunasan dipercepat gimana caranya{q_tail}",
            "berapa total pelunasan kalau saya lunasin bulan ini{q_tail}",
            "ada potongan bunga kalau lunas lebih cepat{q_tail}",
            "pelunasan bisa ditransfer atau harus ke kantor{q_tail}",
            "penalti pelunasan dipercepat berapa persen{q_tail}",
            "mau lunasin sisa kredit, prosedurnya apa aja{q_tail}",
        ],
    ),
    (
        Q,
        NEU,
        ["app"],
        "id",
        [
            "{greet}cara daftar aplikasi gimana{q_tail}",
            "aplikasinya bisa di iphone{q_tail}",
            "lupa pin aplikasi gimana{q_tail}",
            "kode otp nya dikirim kemana{q_tail}",
            "bisa ganti nomor hp di aplikasi{q_tail}",
            "link download aplikasinya apa{q_tail}",
            "login aplikasi pakai email atau nomor kontrak{q_tail}",
        ],
    ),
    (
        Q,
        NEU,
        ["app", "installment"],
        "id",
        [
            "bisa bayar angsuran langsung dari aplikasi{q_tail}",
            "cek sisa cicilan di aplikasi menu nya yang mana{q_tail}",
        ],
    ),
    (
        Q,
        NEU,
        ["other"],
        "id",
        [
            "{greet}alamat kantor cabang {city} di mana{q_tail}",
            "jam buka kantor hari sabtu sampai jam berapa{q_tail}",
            "nomor call center nya berapa{q_tail}",
            "ganti alamat rumah di data nasabah gimana{q_tail}",
            "mau oper kredit ke orang lain bisa{q_tail}",
            "bisa minta kartu piutang saya{q_tail}",
        ],
    ),
    (
        Q,
        NEU,
        ["installment"],
        "en",
        [
            "{en_greet}how do I check my remaining balance?",
            "Can I pay my installment via {pay}?",
            "Is there a relief program for installments?",
        ],
    ),
    (
        Q,
        NEU,
        ["due_date"],
        "en",
        ["What is the penalty for late payment?", "{en_greet}can I change my due date?", "Is there a grace period?"],
    ),
    (Q, NEU, ["insurance"], "en", ["How do I claim my car insurance?", "Does my insurance cover flood damage?"]),
    (Q, NEU, ["bpkb"], "en", ["{en_greet}what do I need to bring to pick up my BPKB?", "Is my BPKB ready yet?"]),
    (Q, NEU, ["early_payoff"], "en", ["How much to settle my loan early?", "Is there a fee for early repayment?"]),
    (Q, NEU, ["app"], "en", ["How do I reset my app password?", "Where do I download your app?"]),
    (Q, NEU, ["stnk_tax"], "en", ["Can I renew my STNK while the car is still on credit?"]),
    (Q, NEU, ["other"], "en", ["Where is your office in {city}?", "What are your office hours on Saturday?"]),
    (
        Q,
        NEU,
        ["installment"],
        "en",
        ["What is my virtual account number for the monthly payment?", "Can I pay two months at once?"],
    ),
    (
        Q,
        NEU,
        ["app"],
        "en",
        ["{en_greet}I forgot my PIN, how do I unlock my account?", "Which phone number receives the OTP?"],
    ),
    (
        Q,
        NEU,
        ["insurance"],
        "en",
        ["My car got scratched, can I file an insurance claim?", "Until when is my insurance policy active?"],
    ),
    (
        Q,
        NEU,
        ["due_date"],
        "en",
        ["If I pay one day late, how much is the fine?", "Does late payment affect my credit score?"],
    ),
    (Q, NEU, ["other"], "en", ["{en_greet}what is your call center number?", "How do I update my home address?"]),
    # ---- leads ------------------------------------------------------------------------------
    (
        L,
        NEU,
        ["promo"],
        "id",
        [
            "{greet}dp {car} paling murah berapa{q_tail}",
            "ada promo dp ringan untuk {car}{q_tail}",
            "harga {car} otr {city} berapa{q_tail}",
            "minta pricelist {car} terbaru dong",
            "promo cashback {car} masih ada{q_tail}",
            "dp {dp} bisa dapat {car}{q_tail}",
            "{greet}ada diskon buat pembelian {car} bulan ini{q_tail}",
            "uang muka {car} tipe paling bawah berapa{q_tail}",
        ],
    ),
    (
        L,
        NEU,
        ["installment"],
        "id",
        [
            "simulasi kredit {car} tenor {tenor} dong",
            "cicilan {car} tenor {tenor} berapa{q_tail}",
            "mau ambil {car}, cicilan paling ringan berapa{q_tail}",
            "bunga kredit mobil bekas berapa persen{q_tail}",
            "{greet}minta hitungan angsuran {car} baru{q_tail}",
            "angsuran per bulan {car} kalau {tenor} berapa{q_tail}",
        ],
    ),
    (
        L,
        NEU,
        ["promo", "installment"],
        "id",
        [
            "angsuran {car} per bulan berapa kalo dp {dp}{q_tail}",
            "{greet}kalau dp {dp} cicilan {car} jadi berapa{q_tail}",
        ],
    ),
    (
        L,
        NEU,
        ["other"],
        "id",
        [
            "{greet}syarat kredit mobil apa aja{q_tail}",
            "mau ajukan kredit {car}, prosesnya berapa lama{q_tail}",
            "bisa kredit mobil bekas {car} tahun {year}{q_tail}",
            "saya karyawan kontrak, bisa ajukan kredit mobil{q_tail}",
            "mau kredit {car} buat usaha, bisa dibantu{q_tail}",
            "saya tertarik kredit {car}, tolong hubungi saya",
            "bisa dibantu pengajuan kredit {car}? domisili {city}",
            "{greet}mau beli {car} secara kredit, bisa survey ke rumah{q_tail}",
        ],
    ),
    (
        L,
        POS,
        ["promo"],
        "id",
        ["wah pengen banget punya {car}, dp nya berapa min?", "tertarik banget sama promo {car}, info dong 😍"],
    ),
    (
        L,
        NEU,
        ["promo"],
        "en",
        [
            "{en_greet}how much is the down payment for a {car}?",
            "Any promo for {car} this month?",
            "What is the on the road price of the {car} in {city}?",
        ],
    ),
    (
        L,
        NEU,
        ["installment"],
        "en",
        [
            "I want to buy a {car} on credit, can you send me a simulation?",
            "What's the monthly installment for a {car} over {tenor_en}?",
        ],
    ),
    (
        L,
        NEU,
        ["other"],
        "en",
        [
            "{en_greet}what are the requirements for a car loan?",
            "I'm interested in financing a used {car}, please contact me",
        ],
    ),
    # ---- praise -------------------------------------------------------------------------------
    (
        P,
        POS,
        ["bpkb"],
        "id",
        [
            "{greet}makasih ya, bpkb saya sudah diterima, cepat banget{pos_tail}",
            "bpkb keluar sesuai janji, mantap{pos_tail}",
        ],
    ),
    (
        P,
        POS,
        ["other"],
        "id",
        [
            "pelayanan cs nya ramah dan sabar{pos_tail}",
            "proses kredit cepat, 2 hari sudah acc, recommended{pos_tail}",
            "salut sama pelayanan cabang {city}, cepat dan jelas{pos_tail}",
            "terima kasih admin, responnya cepat sekali{pos_tail}",
            "puas banget sama pelayanannya{pos_tail}",
            "marketing nya sabar banget jelasin semuanya{pos_tail}",
        ],
    ),
    (
        P,
        POS,
        ["insurance"],
        "id",
        ["klaim asuransi cepat cair, terima kasih banyak{pos_tail}", "asuransinya top, bengkelnya bagus{pos_tail}"],
    ),
    (P, POS, ["app", "installment"], "id", ["aplikasinya gampang dipake, bayar cicilan jadi praktis{pos_tail}"]),
    (P, POS, ["app"], "id", ["aplikasi baru nya keren, tampilannya simple{pos_tail}"]),
    (P, POS, ["early_payoff"], "id", ["terima kasih sudah dibantu proses pelunasan, lancar jaya{pos_tail}"]),
    (P, POS, ["promo"], "id", ["makasih promonya min, dp nya beneran ringan{pos_tail}"]),
    (P, POS, ["installment"], "id", ["senang bisa kredit di sini, angsurannya ringan{pos_tail}"]),
    (P, POS, ["stnk_tax"], "id", ["mantap, perpanjang stnk dibantu sampai beres{pos_tail}"]),
    (P, POS, ["due_date"], "id", ["makasih sudah diingatkan sebelum jatuh tempo, jadi ga telat bayar{pos_tail}"]),
    (
        P,
        POS,
        ["other"],
        "en",
        [
            "Thank you for the fast service!",
            "Your staff in {city} were very helpful",
            "Excellent service, highly recommended",
        ],
    ),
    (P, POS, ["app"], "en", ["The app is great and easy to use"]),
    (
        P,
        POS,
        ["other"],
        "id",
        [
            "{greet}prosesnya cepat dan ga ribet, terima kasih{pos_tail}",
            "pelayanan memuaskan, sukses selalu{pos_tail}",
            "admin nya fast respon, makasih banyak{pos_tail}",
            "ga nyesel ambil kredit di sini, pelayanannya oke{pos_tail}",
            "terima kasih atas bantuannya, masalah saya langsung beres{pos_tail}",
            "sales nya jujur dan profesional, recommended{pos_tail}",
        ],
    ),
    (
        P,
        POS,
        ["insurance"],
        "id",
        ["mantap, dana klaim asuransi sudah cair{pos_tail}", "klaim asuransi gampang, bengkelnya rapi{pos_tail}"],
    ),
    (
        P,
        POS,
        ["early_payoff"],
        "id",
        [
            "alhamdulillah akhirnya lunas juga, terima kasih atas pelayanannya{pos_tail}",
            "pelunasan dipercepat prosesnya sebentar, puas{pos_tail}",
        ],
    ),
    (
        P,
        POS,
        ["app"],
        "id",
        [
            "sekarang ga perlu ke kantor, semua bisa lewat aplikasi. keren{pos_tail}",
            "login aplikasi lancar sekarang, makasih sudah diperbaiki{pos_tail}",
        ],
    ),
    (P, POS, ["bpkb"], "id", ["ambil bpkb cuma 10 menit, pelayanannya cepat{pos_tail}"]),
    (
        P,
        POS,
        ["other"],
        "en",
        [
            "Very satisfied with your service, thank you",
            "Thanks a lot, my problem was solved quickly",
            "Amazing support, thank you so much!",
            "The branch staff were friendly and quick",
            "Great job team, keep it up",
            "{en_greet}just want to say thanks, the approval was super fast",
        ],
    ),
    (
        P,
        POS,
        ["app", "installment"],
        "en",
        ["Paying my installment through the app is so convenient, great job", "Love the new app, paying is easy now"],
    ),
    (P, POS, ["early_payoff"], "en", ["Finally paid off my loan, thank you for the smooth process"]),
    (P, POS, ["insurance"], "en", ["My insurance claim was approved in two days, great service"]),
    (P, POS, ["bpkb"], "en", ["I got my BPKB quickly, thanks a lot"]),
    (P, POS, ["insurance"], "en", ["Excellent support with my insurance claim"]),
]

# Short messages with no slots, one copy each (greetings, acknowledgements, chit-chat).
OTHER_MESSAGES: list[tuple[str, str, str]] = [
    ("halo", NEU, "id"),
    ("halo min", NEU, "id"),
    ("pagi", NEU, "id"),
    ("selamat siang kak", NEU, "id"),
    ("assalamualaikum", NEU, "id"),
    ("p", NEU, "id"),
    ("pp", NEU, "id"),
    ("tes", NEU, "id"),
    ("oke", NEU, "id"),
    ("ok siap", NEU, "id"),
    ("baik kak terima kasih", POS, "id"),
    ("makasih", POS, "id"),
    ("makasih ya min", POS, "id"),
    ("sama-sama", NEU, "id"),
    ("nanti saya kabari lagi", NEU, "id"),
    ("ditunggu ya", NEU, "id"),
    ("sebentar", NEU, "id"),
    ("maaf baru bales", NEU, "id"),
    ("salah kirim maaf", NEU, "id"),
    ("👍", POS, "id"),
    ("🙏", NEU, "id"),
    ("😊", POS, "id"),
    ("wkwk", NEU, "id"),
    ("iya kak", NEU, "id"),
    ("noted", NEU, "id"),
    ("ya", NEU, "id"),
    ("sudah kak", NEU, "id"),
    ("selamat malam", NEU, "id"),
    ("met pagi min", NEU, "id"),
    ("selamat tahun baru", POS, "id"),
    ("selamat lebaran kak, sehat selalu", POS, "id"),
    ("semangat kerjanya min", POS, "id"),
    ("oke kak nanti saya cek", NEU, "id"),
    ("siap terima kasih infonya", POS, "id"),
    ("baik, saya tunggu", NEU, "id"),
    ("iya betul", NEU, "id"),
    ("hehe iya", NEU, "id"),
    ("cek dm ya kak", NEU, "id"),
    ("sudah saya isi formnya", NEU, "id"),
    ("saya kirim fotonya sebentar", NEU, "id"),
    ("oh gitu ya", NEU, "id"),
    ("hi", NEU, "en"),
    ("hello", NEU, "en"),
    ("good afternoon", NEU, "en"),
    ("thanks", POS, "en"),
    ("ok thanks", POS, "en"),
    ("noted with thanks", POS, "en"),
    ("see you", NEU, "en"),
    ("have a nice day", POS, "en"),
    ("okay, I will wait", NEU, "en"),
    ("sorry wrong chat", NEU, "en"),
    ("merry christmas everyone", POS, "en"),
    ("thank you so much", POS, "en"),
    ("ok noted", NEU, "en"),
    ("good evening", NEU, "en"),
    ("happy holidays", POS, "en"),
    ("got it, thanks", POS, "en"),
    ("alright", NEU, "en"),
    ("thanks admin 👍", POS, "en"),
    ("terima kasih banyak kak 🙏", POS, "id"),
    ("oke min makasih ya", POS, "id"),
    ("siap kak, makasih", POS, "id"),
    ("mantap, makasih infonya", POS, "id"),
    ("selamat sore", NEU, "id"),
    ("halo, ada orang?", NEU, "id"),
    ("maaf kak, saya salah kirim gambar", NEU, "id"),
    ("iya nanti saya coba lagi", NEU, "id"),
    ("baik, terima kasih atas informasinya", POS, "id"),
]

# Hand-written messages that do not fit a template.
SEEDS: list[tuple[str, str, str, list[str], str]] = [
    ("tolong deh collector nya jangan dateng pagi2 buta, anak sy ketakutan", C, NEG, ["due_date"], "id"),
    ("leasing paling ribet, ambil bpkb aja harus bolak balik", C, NEG, ["bpkb"], "id"),
    ("aplikasi sampah, tiap buka minta update terus", C, NEG, ["app"], "id"),
    ("dari pagi ga bisa login, katanya server maintenance. kapan beresnya??", C, NEG, ["app"], "id"),
    ("gimana mau bayar tepat waktu kalau va nya ga aktif", C, NEG, ["installment", "due_date"], "id"),
    ("kemarin bayar cicilan di teller bank, hari ini ditelpon katanya nunggak", C, NEG, ["installment"], "id"),
    ("saya nasabah {n} tahun, baru sekali telat langsung diancam tarik mobil", C, NEG, ["due_date"], "id"),
    ("pelayanan makin lama makin jelek", C, NEG, ["other"], "id"),
    ("mohon maaf, saya mau komplain soal bunga yang berbeda dengan perjanjian", C, NEU, ["installment"], "id"),
    ("klaim asuransi mobil saya udah sebulan ngambang, ditanya jawabnya masih proses", C, NEG, ["insurance"], "id"),
    ("sudah lunas kok masih ada tagihan masuk? tolong hentikan", C, NEG, ["early_payoff", "installment"], "id"),
    ("disuruh bayar biaya penitipan bpkb, ini pungli ya?", C, NEG, ["bpkb"], "id"),
    ("kenapa saya yg bayar tepat waktu tetep ditelpon penagih tiap hari", C, NEG, ["due_date"], "id"),
    ("notifikasi tagihan di aplikasi salah terus, bikin panik", C, NEG, ["app", "installment"], "id"),
    ("saya sudah kirim berkas klaim 3x, tetap dibilang kurang lengkap", C, NEG, ["insurance"], "id"),
    ("surat lunas ga bisa dikirim email, harus ke kantor. ribet", C, NEG, ["early_payoff"], "id"),
    ("promo gratis angsuran pertama ternyata bohong", C, NEG, ["promo", "installment"], "id"),
    ("I'm extremely unhappy, the collector came to my office and shouted at me", C, NEG, ["due_date"], "en"),
    ("Nobody answers the hotline and my payment is still not recorded", C, NEG, ["installment"], "en"),
    ("I paid off my loan months ago, where is my BPKB?", C, NEG, ["bpkb", "early_payoff"], "en"),
    ("The OTP never arrives so I cannot log in to pay", C, NEG, ["app"], "en"),
    ("kak tanggal jatuh tempo sy kan tgl 15, kalo bayar tgl 16 kena denda ga?", Q, NEU, ["due_date"], "id"),
    ("gmn cara bayar pelunasan, lewat va juga?", Q, NEU, ["early_payoff"], "id"),
    ("min klo bpkb udh jadi ada notif ga?", Q, NEU, ["bpkb"], "id"),
    ("mau tanya dong, bisa pindah kontrak ke cabang {city}?", Q, NEU, ["other"], "id"),
    ("bayar pajak kendaraan sendiri perlu bpkb asli ga?", Q, NEU, ["stnk_tax", "bpkb"], "id"),
    ("kalau mobil rusak karena kecelakaan tunggal bisa klaim?", Q, NEU, ["insurance"], "id"),
    ("angsuran ke berapa ya saya sekarang?", Q, NEU, ["installment"], "id"),
    ("aplikasi nya ada versi web ga?", Q, NEU, ["app"], "id"),
    ("ada biaya admin ga kalau bayar lewat tokopedia?", Q, NEU, ["installment"], "id"),
    ("sisa utang pokok saya berapa ya?", Q, NEU, ["early_payoff"], "id"),
    ("How long is the grace period after the due date?", Q, NEU, ["due_date"], "en"),
    ("Can someone else pick up my BPKB with a power of attorney?", Q, NEU, ["bpkb"], "en"),
    ("min ready avanza warna putih ga? mau ambil kredit", L, NEU, ["other"], "id"),
    ("brp bunga kredit innova bekas?", L, NEU, ["installment"], "id"),
    ("mau kredit mobil pertama, dp ringan ada?", L, NEU, ["promo"], "id"),
    ("ada promo mobil buat guru / pns ga?", L, NEU, ["promo"], "id"),
    ("pick up gran max bisa kredit buat usaha dagang?", L, NEU, ["other"], "id"),
    ("pengajuan kredit bisa online ga min? males ke dealer", L, NEU, ["other"], "id"),
    ("budget cicilan 4 jt sebulan, cocoknya mobil apa?", L, NEU, ["installment"], "id"),
    ("Do you offer financing for used cars?", L, NEU, ["other"], "en"),
    ("What's the lowest DP for an Avanza?", L, NEU, ["promo"], "en"),
    ("makasih banyak min, pelunasan lancar, bpkb juga langsung dapet", P, POS, ["early_payoff", "bpkb"], "id"),
    ("keren, bayar angsuran sekarang tinggal klik di aplikasi", P, POS, ["app", "installment"], "id"),
    ("terbaik lah pelayanannya, ga nyesel kredit di sini", P, POS, ["other"], "id"),
    ("makasih kak udh dibantu klaim, mobil udah bener lagi", P, POS, ["insurance"], "id"),
    ("Thanks for the reminder before my due date, very helpful", P, POS, ["due_date"], "en"),
    ("Really happy with the quick approval", P, POS, ["other"], "en"),
]

# Website chat: short questions typed by visitors, greeting first, one topic or two.
# Written apart from the held-out tests/scrm/data/web_questions.jsonl (never read here).
WEB_SEEDS: list[tuple[str, str, str, list[str], str]] = [
    ("halo kak, izin bertanya soal angsuran", Q, NEU, ["installment"], "id"),
    ("selamat malam min, nominal angsuran bulan depan berapa?", Q, NEU, ["installment"], "id"),
    ("mau nanya dong, bayar cicilan lewat alfamart bisa?", Q, NEU, ["installment"], "id"),
    ("hai kak, jadwal angsuran saya bisa dilihat dimana?", Q, NEU, ["installment"], "id"),
    ("numpang tanya, total cicilan saya tinggal berapa bulan", Q, NEU, ["installment"], "id"),
    ("kak mau info angsuran kontrak saya", Q, NEU, ["installment"], "id"),
    ("min, rincian tagihan bulan ini bisa dikirim?", Q, NEU, ["installment"], "id"),
    ("permisi kak, cicilan saya sudah masuk belum ya", Q, NEU, ["installment"], "id"),
    ("halo, angsuran motor saya per bulan brp", Q, NEU, ["installment"], "id"),
    ("Hi, what is my installment amount this month?", Q, NEU, ["installment"], "en"),
    ("Hello, could you send me my payment schedule?", Q, NEU, ["installment"], "en"),
    ("Good evening, can I pay my installment by bank transfer?", Q, NEU, ["installment"], "en"),
    ("halo kak, tanggal jatuh tempo saya bisa dipindah?", Q, NEU, ["due_date"], "id"),
    ("selamat sore, jatuh tempo bulan ini tanggal berapa", Q, NEU, ["due_date"], "id"),
    ("mau tanya denda telat bayar sehari berapa kak", Q, NEU, ["due_date"], "id"),
    ("kak kalau bayar telat 3 hari ada dendanya?", Q, NEU, ["due_date"], "id"),
    ("min bisa request ganti tgl jatuh tempo?", Q, NEU, ["due_date"], "id"),
    ("Hi, when is my next due date?", Q, NEU, ["due_date"], "en"),
    ("Hello, how much is the late payment fee?", Q, NEU, ["due_date"], "en"),
    ("halo kak, izin tanya pengambilan bpkb", Q, NEU, ["bpkb"], "id"),
    ("selamat pagi, bpkb bisa diambil jam berapa aja?", Q, NEU, ["bpkb"], "id"),
    ("mau nanya bpkb saya sudah ada di cabang belum", Q, NEU, ["bpkb"], "id"),
    ("kak, bpkb boleh diambil istri saya?", Q, NEU, ["bpkb"], "id"),
    ("min, dokumen buat ambil bpkb apa aja", Q, NEU, ["bpkb"], "id"),
    ("permisi, status bpkb mobil saya gimana ya", Q, NEU, ["bpkb"], "id"),
    ("hai kak mau tanya bpkb", Q, NEU, ["bpkb"], "id"),
    ("Hi, is my BPKB ready for pick up?", Q, NEU, ["bpkb"], "en"),
    ("Hello, where do I collect the BPKB?", Q, NEU, ["bpkb"], "en"),
    ("halo kak, izin tanya perpanjangan stnk", Q, NEU, ["stnk_tax"], "id"),
    ("min pajak mobil saya bulan depan, bisa dibantu?", Q, NEU, ["stnk_tax"], "id"),
    ("kak, mau bayar pajak tahunan stnk caranya gimana", Q, NEU, ["stnk_tax"], "id"),
    ("selamat siang, stnk asli ada di siapa ya", Q, NEU, ["stnk_tax"], "id"),
    ("Hi, how do I pay the yearly vehicle tax?", Q, NEU, ["stnk_tax"], "en"),
    ("halo kak, izin tanya klaim asuransi mobil", Q, NEU, ["insurance"], "id"),
    ("min, mobil saya kebaret, asuransinya bisa klaim?", Q, NEU, ["insurance"], "id"),
    ("kak asuransi mobil saya jenisnya apa ya", Q, NEU, ["insurance"], "id"),
    ("permisi, prosedur klaim asuransi bagaimana", Q, NEU, ["insurance"], "id"),
    ("selamat malam, polis asuransi saya masih berlaku?", Q, NEU, ["insurance"], "id"),
    ("mau tanya asuransi kalau mobil kena banjir", Q, NEU, ["insurance"], "id"),
    ("Hi, is my car insurance still active?", Q, NEU, ["insurance"], "en"),
    ("Hello, how long does an insurance claim take?", Q, NEU, ["insurance"], "en"),
    ("halo kak, izin tanya pelunasan", Q, NEU, ["early_payoff"], "id"),
    ("min mau lunasin kredit, totalnya berapa ya", Q, NEU, ["early_payoff"], "id"),
    ("kak, syarat pelunasan dipercepat apa aja", Q, NEU, ["early_payoff"], "id"),
    ("selamat siang, saya mau melunasi kontrak bulan depan", Q, NEU, ["early_payoff"], "id"),
    ("permisi, ada biaya tambahan kalau lunas lebih awal?", Q, NEU, ["early_payoff"], "id"),
    ("Hi, I'd like to settle my loan, what is the amount?", Q, NEU, ["early_payoff"], "en"),
    ("halo kak, promo bulan depan ada?", L, NEU, ["promo"], "id"),
    ("min, info promo terbaru dong", L, NEU, ["promo"], "id"),
    ("kak ada potongan dp buat pembelian mobil baru?", L, NEU, ["promo"], "id"),
    ("selamat pagi, promo buat nasabah lama ada?", Q, NEU, ["promo"], "id"),
    ("Hi, any promo for new customers?", L, NEU, ["promo"], "en"),
    ("halo kak, jam buka kantor hari sabtu?", Q, NEU, ["other"], "id"),
    ("min, kantor cabang tutup jam berapa", Q, NEU, ["other"], "id"),
    ("kak alamat kantor cabang bekasi dimana ya", Q, NEU, ["other"], "id"),
    ("Hi, what time do you close today?", Q, NEU, ["other"], "en"),
    ("halo kak, cicilan sama jatuh tempo saya gimana ya", Q, NEU, ["installment", "due_date"], "id"),
    ("min, setelah pelunasan bpkb langsung keluar?", Q, NEU, ["early_payoff", "bpkb"], "id"),
    ("kak, asuransi sama pajak stnk diurus leasing?", Q, NEU, ["insurance", "stnk_tax"], "id"),
    ("permisi, boleh minta dilayani admin langsung?", OTH, NEU, ["other"], "id"),
    ("kak bisa dihubungkan ke petugas?", OTH, NEU, ["other"], "id"),
    ("Hi, I need to speak with customer service", OTH, NEU, ["other"], "en"),
    (
        "halo kak, saya mau komplain, cicilan sudah dibayar masih muncul tunggakan",
        C,
        NEG,
        ["installment", "due_date"],
        "id",
    ),
    ("selamat siang, saya kecewa bpkb belum bisa diambil padahal janjinya minggu lalu", C, NEG, ["bpkb"], "id"),
    ("halo min, klaim asuransi saya dipersulit terus", C, NEG, ["insurance"], "id"),
    ("permisi, saya keberatan dengan denda yang tidak masuk akal", C, NEG, ["due_date"], "id"),
    ("Hi, I'm upset, my payment was taken twice", C, NEG, ["installment"], "en"),
    ("halo kak, aplikasi tidak bisa dibuka", C, NEG, ["app"], "id"),
    ("kak saya mau ganti nomor telepon di data kontrak", Q, NEU, ["other"], "id"),
    ("halo, mau tanya over kredit ke orang lain bisa?", Q, NEU, ["other"], "id"),
]

# Standard word -> informal spellings customers use; applied at random for noise.
INFORMAL: dict[str, list[str]] = {
    "saya": ["sy", "aku", "gw"],
    "tidak": ["tdk", "gak", "ga", "nggak"],
    "ga": ["gak", "nggak", "tdk", "gk"],
    "sudah": ["udh", "udah", "sdh", "dah"],
    "udah": ["udh", "sudah"],
    "belum": ["blm", "belom"],
    "bagaimana": ["gmn", "gimana"],
    "gimana": ["gmn", "gmana"],
    "yang": ["yg"],
    "yg": ["yang"],
    "dengan": ["dgn"],
    "karena": ["krn", "karna"],
    "bisa": ["bs", "bsa"],
    "tolong": ["tlg"],
    "terima kasih": ["makasih", "mksh", "trims"],
    "makasih": ["mksh", "makasi", "terimakasih"],
    "banget": ["bgt", "bngt"],
    "berapa": ["brp", "brapa"],
    "tanggal": ["tgl"],
    "bulan": ["bln"],
    "tahun": ["thn"],
    "tapi": ["tp", "tpi"],
    "kalau": ["kalo", "klo"],
    "sekarang": ["skrg"],
    "masih": ["msh"],
    "juga": ["jg"],
    "lagi": ["lg"],
    "untuk": ["utk", "buat"],
    "angsuran": ["angsurannya", "cicilan"],
    "cicilan": ["cicilannya", "angsuran"],
    "aplikasi": ["app", "apk", "aplikasinya"],
    "kenapa": ["knp", "napa"],
    "kapan": ["kpn"],
    "dari": ["dr"],
}


def _fill(template: str, rng: random.Random) -> str:
    """Replace each {slot} with a random filler."""
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(SLOTS[m.group(1)]), template)


def _noisy(text: str, rng: random.Random, language: str) -> str:
    """Make a clean template look like a real chat message."""
    if language == "id":
        for word, variants in INFORMAL.items():
            if rng.random() < 0.35:
                text = re.sub(rf"\b{re.escape(word)}\b", lambda _m, v=variants: rng.choice(v), text)
    roll = rng.random()
    if roll < 0.25:
        text = re.sub(r"[?,.!]", "", text)
    elif roll < 0.35:
        text = text.upper() if len(text) < 60 else text.capitalize()
    elif roll < 0.6:
        text = text[:1].upper() + text[1:]
    return re.sub(r"\s+", " ", text).strip()


def _row(text: str, category: str, sentiment: str, topics: list[str], language: str) -> dict[str, object]:
    return {"text": text, "category": category, "sentiment": sentiment, "topics": topics, "language": language}


def build(variants_per_template: int = 3, seed: int = SEED) -> list[dict[str, object]]:
    """All training rows: template expansions, short chit-chat and hand-written seeds, de-duplicated."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for category, sentiment, topics, language, templates in INTENTS:
        for template in templates:
            copies = variants_per_template if "{" in template else 2
            for i in range(copies):
                text = _fill(template, rng)
                if i > 0:
                    text = _noisy(text, rng, language)
                rows.append(_row(text, category, sentiment, topics, language))
    for text, sentiment, language in OTHER_MESSAGES:
        rows.append(_row(text, OTH, sentiment, ["other"], language))
        rows.append(_row(_noisy(text, rng, language), OTH, sentiment, ["other"], language))
    for text, category, sentiment, topics, language in SEEDS:
        rows.append(_row(_fill(text, rng), category, sentiment, topics, language))
        rows.append(_row(_noisy(_fill(text, rng), rng, language), category, sentiment, topics, language))
    for text, category, sentiment, topics, language in WEB_SEEDS:
        for variant in (text, _noisy(text, rng, language)):
            # They teach what a short question is about, not tone: SmSA and the seeds above do that.
            rows.append({**_row(variant, category, sentiment, topics, language), "sentiment_head": False})
    seen: set[str] = set()
    unique: list[dict[str, object]] = []
    for row in rows:
        key = str(row["text"]).lower()
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    rows = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
