"""History rows of a demo ASN besides family and career: pendidikan, diklat, penghargaan, hukdis."""
from __future__ import annotations

from datetime import date, timedelta

from .catalog import Catalog
from .common import Weighted, add_months, random_day, shift_years, title_case, years_between
from .names import HEALTH_SCHOOLS, SLTA_SCHOOLS, UNIVERSITIES
from .profiles import ADMIN_S1, GURU_S1, SLTA, Degree, Path, Profession

DURATION = {"SLTA": 0, "D-III": 3, "D-IV": 4, "S-1": 4, "Profesi": 2, "S-2": 2, "S-3": 4}
TOPICS = {
    "guru": ("Pelatihan Implementasi Kurikulum Merdeka", "Bimbingan Teknis Penulisan Karya Tulis Ilmiah Guru",
             "Pelatihan Pembelajaran Berdiferensiasi", "Workshop Penyusunan Modul Ajar", "Program Guru Penggerak",
             "Bimbingan Teknis Asesmen Nasional", "Pelatihan Literasi dan Numerasi",
             "Pendidikan dan Latihan Profesi Guru"),
    "medis": ("Pelatihan Basic Life Support", "Pelatihan Asuhan Persalinan Normal",
              "Pelatihan Pencegahan dan Pengendalian Infeksi", "Pelatihan Manajemen Puskesmas",
              "Pelatihan Penanggulangan Gawat Darurat", "Pelatihan Tata Laksana Gizi Buruk",
              "Pelatihan Konseling Menyusui", "Workshop Akreditasi Puskesmas", "Pelatihan Surveilans Epidemiologi",
              "Pelatihan Imunisasi"),
    "umum": ("Bimbingan Teknis Pengelolaan Keuangan Daerah", "Pelatihan Pengadaan Barang/Jasa Pemerintah",
             "Bimbingan Teknis Penyusunan SAKIP", "Pelatihan Kearsipan Dinamis", "Bimbingan Teknis Aplikasi SIASN",
             "Pelatihan Pelayanan Prima", "Pelatihan Analisis Jabatan dan Analisis Beban Kerja",
             "Bimbingan Teknis Penyusunan Renja Perangkat Daerah", "Pelatihan Public Speaking",
             "Pelatihan Penyusunan Produk Hukum Daerah", "Workshop Reformasi Birokrasi", "Bimbingan Teknis SIPD",
             "Pelatihan Manajemen Risiko"),
    "it": ("Pelatihan Keamanan Informasi", "Bimbingan Teknis Sistem Pemerintahan Berbasis Elektronik",
           "Pelatihan Administrasi Jaringan", "Pelatihan Pengembangan Aplikasi Web", "Workshop Satu Data Indonesia"),
}
INSTITUTIONS = {
    "guru": ("Balai Besar Guru Penggerak Provinsi Banten", "Kemendikbudristek", "Dinas Pendidikan Kota Tangerang",
             "LPMP Provinsi Banten"),
    "medis": ("Bapelkes Cikarang", "Kementerian Kesehatan RI", "Dinas Kesehatan Kota Tangerang",
              "Dinas Kesehatan Provinsi Banten"),
    "umum": ("BPSDM Provinsi Banten", "BKPSDM Kota Tangerang", "Lembaga Administrasi Negara", "BPKP Perwakilan Banten",
             "Kementerian Dalam Negeri", "Pusat Pengembangan Kompetensi BKN", "LKPP"),
    "it": ("Diskominfo Kota Tangerang", "BSSN", "Kementerian Komunikasi dan Informatika"),
}
TECHNICAL = Weighted((("Diklat Teknis", 3), ("Bimbingan Teknis", 3), ("Workshop", 2), ("Seminar", 1),
                      ("E-Learning", 1)))
HOURS = {"Diklat Teknis": (40, 120), "Bimbingan Teknis": (16, 40), "Workshop": (8, 24), "Seminar": (4, 8),
         "E-Learning": (10, 30)}
KURSUS = ("KURSUS KOMPUTER", "BAHASA INGGRIS", "ADMINISTRASI PERKANTORAN", "ANALISIS JABATAN", "APLIKASI KEPEGAWAIAN",
          "ADMINISTRASI KEUANGAN DAERAH", "TEKNIS PUBLIC SPEAKING", "KEPROTOKOLAN", "KURSUS STATISTIK",
          "PELATIHAN TATA NASKAH DAN KEARSIPAN", "KURSUS MANAJEMEN PROYEK", "DIKLAT OPERATOR KOMPUTER")
LEADERSHIP = {  # level: (name before 2019, name from 2019, latihanStruktural name, hours)
    4: ("Diklat Kepemimpinan Tingkat IV", "Pelatihan Kepemimpinan Pengawas", "SEPALA/ADUM/DIKLAT PIM TK.IV", 285),
    3: ("Diklat Kepemimpinan Tingkat III", "Pelatihan Kepemimpinan Administrator",
        "SEPADYA/SPAMA/DIKLAT PIM TK. III", 380),
    2: ("Diklat Kepemimpinan Tingkat II", "Pelatihan Kepemimpinan Nasional Tingkat II",
        "SPAMEN/SESPA/SESPANAS/DIKLAT PIM TK. II", 420),
}
MISCONDUCT = ("Tidak masuk kerja tanpa alasan yang sah", "Tidak menaati ketentuan jam kerja",
              "Tidak mencapai target kinerja yang ditetapkan", "Tidak melaksanakan tugas kedinasan dengan baik",
              "Menyalahgunakan fasilitas kantor")


def education(rng, catalog: Catalog, profession: Profession, path: Path, kind: str, sex: str, muslim: bool,
              birth: date, start: date, as_of: date) -> tuple[list[dict], tuple | None, str | None, str | None]:
    """Rows, the upgrade that allows penyesuaian ijazah (date, tingkat), gelar depan and belakang."""
    chain = ([] if path.degrees[0].tingkat == "SLTA" else [rng.choice(SLTA)]) + list(path.degrees)
    if not muslim:
        chain = [rng.choice(GURU_S1[:5]) if "AGAMA ISLAM" in d.name else d for d in chain]
    rows, year = [], birth.year + 18 + (rng.random() < 0.2)
    for i, degree in enumerate(chain):
        year = max(year + DURATION[degree.tingkat], birth.year + degree.grad_age + (rng.random() < 0.3))
        rows.append(_degree_row(rng, catalog, degree, min(year, start.year), start, i == len(chain) - 1))
    upgrade = None
    extra = _later_degree(rng, profession, path, kind, start, as_of)
    if extra:
        degree, graduated = extra
        rows.append(_degree_row(rng, catalog, degree, graduated.year, as_of + timedelta(days=1), False, graduated))
        upgrade = (graduated, degree.tingkat) if degree.tingkat == "S-1" else None
    front, back = _titles(rows, chain + ([extra[0]] if extra else []), "Drs." if sex == "M" else "Dra.")
    return rows, upgrade, front, back


def _later_degree(rng, profession, path, kind, start, as_of) -> tuple[Degree, date] | None:
    service = years_between(start, as_of)
    top = path.degrees[-1].tingkat
    if kind == "PNS" and path.ladder == "pelaksana" and top in ("SLTA", "D-III") and service >= 6 \
            and rng.random() < 0.2:
        degree, low, high = rng.choice(ADMIN_S1), 4, 14
    elif profession.masters and top in ("S-1", "D-IV", "Profesi") and kind != "CPNS" and service >= 4 and \
            rng.random() < {"struktural": 0.55}.get(path.ladder, 0.2 if kind == "PNS" else 0.05):
        degree, low, high = rng.choice(profession.masters), 3, 20
    else:
        return None
    graduated = random_day(rng, shift_years(start, low), min(shift_years(start, high), as_of - timedelta(days=90)))
    return (degree, graduated) if graduated < as_of else None


def _degree_row(rng, catalog, degree: Degree, year: int, before: date, first: bool,
                graduated: date | None = None) -> dict:
    if graduated is None:
        graduated = date(year, rng.randint(5, 6) if degree.tingkat == "SLTA" else rng.randint(2, 11),
                         rng.randint(1, 28))
        if graduated >= before:
            graduated = before - timedelta(days=rng.randint(30, 180))
    school = _school(rng, degree)
    return {
        "tingkat_pendidikan_id": catalog.need("tingkatPendidikan", degree.tingkat),
        "pendidikan_id": catalog.code("pendidikan", degree.name), "pendidikan_nama": degree.name,
        "nama_sekolah": school, "tahun_lulus": graduated.year, "tanggal_lulus": graduated,
        "nomor_ijazah": _certificate(rng, degree, school, graduated.year), "gelar_depan": degree.gelar_depan,
        "gelar_belakang": degree.gelar_belakang, "pendidikan_pertama": first,
    }


def _school(rng, degree: Degree) -> str:
    if degree.tingkat == "SLTA":
        return rng.choice(SLTA_SCHOOLS)
    if degree.school == "ipdn":
        return "Institut Pemerintahan Dalam Negeri"
    return rng.choice(HEALTH_SCHOOLS if degree.school == "health" else UNIVERSITIES)


def _certificate(rng, degree: Degree, school: str, year: int) -> str:
    if degree.tingkat == "SLTA":
        return f"DN-{rng.randint(1, 34):02d} Ma {rng.randint(1, 9999999):07d}"
    initials = "".join(word[0] for word in school.split() if word[0].isupper())
    return f"{rng.randint(1, 9999)}/{initials}/{degree.tingkat}/{year}"


def _titles(rows: list[dict], degrees: list[Degree], doctorandus: str) -> tuple[str | None, str | None]:
    """Gelar as written before and after the name; pre-1994 social-science S-1 graduates are Drs./Dra."""
    front, back = [], []
    for row, degree in zip(rows, degrees):
        if degree.tingkat == "S-1" and degree.gelar_belakang and degree.school == "univ" and row["tahun_lulus"] < 1994:
            row["gelar_depan"], row["gelar_belakang"] = doctorandus, None
        if row["gelar_depan"]:
            front.append(row["gelar_depan"])
        if row["gelar_belakang"]:
            back.append(row["gelar_belakang"])
    return " ".join(front) or None, ", ".join(back) or None


def trainings(rng, catalog: Catalog, kind: str, profession: Profession, first_golongan: str,
              structural_starts: dict[int, date], functional: list[tuple[date, str]], start: date,
              as_of: date) -> list[dict]:
    rows = []
    if kind in ("PNS", "CPNS") and add_months(start, 10) <= as_of:
        begin = add_months(start, rng.randint(3, 7))
        label = "Pelatihan Dasar CPNS" if begin.year >= 2018 else "Diklat Prajabatan"
        rows.append(_diklat(rng, catalog, "Diklat Struktural", f"{label} Golongan {first_golongan.split('/')[0]}",
                            "BPSDM Provinsi Banten", begin, 50 if begin.year >= 2018 else 21, 240,
                            latihan="Diklat Struktural Lainnya"))
    if kind == "PPPK" and add_months(start, 3) <= as_of and rng.random() < 0.6:
        rows.append(_diklat(rng, catalog, "Pengembangan Kompetensi Dalam Bentuk Pelatihan klasikal lainnya",
                            "Orientasi PPPK", "BKPSDM Kota Tangerang", add_months(start, rng.randint(1, 3)), 5, 40))
    for level, appointed in structural_starts.items():
        old, new, latihan, hours = LEADERSHIP[level]
        begin = random_day(rng, add_months(appointed, -12), min(add_months(appointed, 12), as_of))
        if add_months(begin, 4) <= as_of:
            rows.append(_diklat(rng, catalog, "Diklat Struktural", old if begin.year < 2019 else new,
                                "BPSDM Provinsi Banten", begin, 60, hours, latihan=latihan))
    for appointed, title in functional:
        begin = add_months(appointed, rng.randint(1, 12))
        if rng.random() < 0.4 and add_months(begin, 1) <= as_of:
            rows.append(_diklat(rng, catalog, "Diklat Fungsional", f"Pelatihan Fungsional {title}",
                                rng.choice(INSTITUTIONS[profession.topics if profession.topics in INSTITUTIONS
                                                       else "umum"]), begin, 10, rng.randint(60, 120)))
    rows += _technical(rng, catalog, profession.topics, start, as_of)
    return rows


def _technical(rng, catalog, topics: str, start: date, as_of: date) -> list[dict]:
    rows = []
    pool = TOPICS[topics] + (TOPICS["umum"] if topics == "it" else ())
    for _ in range(min(3, years_between(start, as_of) // 7 + rng.randint(0, 1))):
        jenis = TECHNICAL.pick(rng)
        begin = random_day(rng, start, as_of - timedelta(days=14))
        hours = rng.randint(*HOURS[jenis])
        rows.append(_diklat(rng, catalog, jenis, rng.choice(pool), rng.choice(INSTITUTIONS[topics]), begin,
                            max(1, hours // 8), hours))
    if rng.random() < 0.25 and start < as_of - timedelta(days=60):
        name = rng.choice(KURSUS)
        begin = random_day(rng, start, as_of - timedelta(days=30))
        rows.append(_diklat(rng, catalog, "Kursus", title_case(name), rng.choice(
            ("LPK Tangerang Cerdas", "Lembaga Bahasa LIA", "Pusat Pengembangan Kompetensi BKN",
             "BPSDM Provinsi Banten")), begin, rng.randint(3, 20), rng.randint(20, 60), kursus=name))
    return rows


def _diklat(rng, catalog, jenis: str, nama: str, institusi: str, begin: date, days: int, hours: int, *,
            latihan: str | None = None, kursus: str | None = None) -> dict:
    end = begin + timedelta(days=days - 1)
    return {
        "kategori": "kursus" if kursus else "diklat", "jenis_diklat_id": catalog.need("jenisDiklat", jenis),
        "latihan_struktural_id": catalog.code("latihanStruktural", latihan) if latihan else None,
        "jenis_kursus_id": catalog.code("jenisKursus", kursus) if kursus else None, "nama": nama,
        "institusi_penyelenggara": institusi, "nomor_sertifikat": f"{rng.randint(100, 99999)}/SERT/{end.year}",
        "tanggal_mulai": begin, "tanggal_selesai": end, "tahun": end.year, "jumlah_jam": hours,
    }


def discipline(rng, catalog: Catalog, start: date, as_of: date) -> list[dict]:
    """About 2 % have a sanction: mostly ringan, some sedang (PP 53/2010 before September 2021, then PP 94/2021)."""
    if rng.random() >= 0.02 or start > shift_years(as_of, -2):
        return []
    day = random_day(rng, shift_years(start, 1), as_of - timedelta(days=30))
    new_rules = day >= date(2021, 9, 1)
    if rng.random() < 0.8:
        name, months = rng.choice(("TEGURAN LISAN", "TEGURAN TERTULIS", "PERNYATAAN TIDAK PUAS SECARA TERTULIS")), 0
    elif new_rules:
        months = rng.choice((6, 9, 12))
        name = f"PEMOTONGAN TUNKIN 25% {months} BLN"
    else:
        name, months = rng.choice(("PENUNDAAN KGB SELAMA 1 THN", "PENUNDAAN KP SELAMA 1 THN")), 12
    code = catalog.code("jenisHukuman", name)
    if code is None:
        return []
    reasons = catalog.all_codes("alasanHukumanDisiplin")
    return [{
        "jenis_hukuman_id": code, "tingkat": catalog.attrs["jenisHukuman"][code].get("jenisTingkatHukumanId")
        or ("R" if months == 0 else "S"), "alasan_hukdis_id": rng.choice(reasons) if reasons else None,
        "keterangan": rng.choice(MISCONDUCT), "tmt_hukuman": day, "masa_tahun": months // 12,
        "masa_bulan": months % 12, "akhir_hukuman": add_months(day, months) if months else None,
        "nomor_pp": "PP 94 Tahun 2021" if new_rules else "PP 53 Tahun 2010",
        "sk_nomor": f"800.1.6.4/Kep.{rng.randint(10, 999)}-BKPSDM/{day.year}", "sk_tanggal": day - timedelta(days=7),
    }]


def awards(rng, catalog: Catalog, kind: str, start: date, as_of: date, barred_from: date | None) -> list[dict]:
    """Satyalancana Karya Satya after 10/20/30 years of service (none after a sedang/berat sanction)."""
    rows = []
    if kind == "PNS":
        for years, roman in ((10, "X"), (20, "XX"), (30, "XXX")):
            year = start.year + years + rng.choice((0, 1, 1, 2))
            given = date(year, 8, rng.randint(1, 14))
            code = catalog.code("penghargaan", f"KARYA SATYA {years} TAHUN")
            if code and given <= as_of and rng.random() < 0.8 and not (barred_from and barred_from <= given):
                rows.append({"penghargaan_id": code, "nama": f"Satyalancana Karya Satya {roman} Tahun", "tahun": year,
                             "sk_nomor": f"{rng.randint(10, 130)}/TK/Tahun {year}", "sk_tanggal": given})
    if kind != "CPNS" and rng.random() < 0.02 and start.year + 1 < as_of.year:
        year = rng.randint(start.year + 1, as_of.year - 1)
        code = catalog.code("penghargaan", "TP TELADAN TK KABUPATEN/KOTA")
        if code:
            rows.append({"penghargaan_id": code, "nama": "ASN Teladan Tingkat Kota Tangerang", "tahun": year,
                         "sk_nomor": f"003.3/Kep.{rng.randint(10, 500)}-Huk/{year}",
                         "sk_tanggal": date(year, rng.randint(8, 12), rng.randint(1, 28))})
    return rows
