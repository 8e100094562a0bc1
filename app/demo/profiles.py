"""Professions of the demo ASN: how common each is, where they work, what they studied, which ladder.

Names are those of the SIASN reference tables ("pendidikan", "jabatanFungsional",
"jabatanPelaksana", "tingkatPendidikan"); the catalog turns them into codes.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Degree:
    tingkat: str  # name in "tingkatPendidikan": SLTA, D-III, D-IV, S-1, Profesi, S-2, S-3
    name: str  # name in "pendidikan"
    gelar_belakang: str | None = None
    gelar_depan: str | None = None
    school: str = "univ"  # univ | health | ipdn

    @property
    def grad_age(self) -> int:
        return {"SLTA": 18, "D-III": 21, "D-IV": 22, "S-1": 22, "Profesi": 24, "S-2": 26, "S-3": 32}[self.tingkat]


@dataclass(frozen=True)
class Path:
    """An education path (degrees held at appointment) and the career ladder it leads to."""
    weight: float
    ladder: str  # ahli | terampil | pelaksana | struktural
    degrees: tuple[Degree, ...]


@dataclass(frozen=True)
class Profession:
    key: str
    weights: tuple[float, float]  # share among PNS/CPNS, among PPPK
    female: float
    units: str  # a pool in POOLS
    jf: str | None  # base name of the jabatan fungsional, e.g. "Perawat"
    paths: tuple[Path, ...]
    masters: tuple[Degree, ...] = ()  # S-2 some take during service
    topics: str = "umum"  # key into diklat topics


def _s1(name: str, gelar: str) -> Degree:
    return Degree("S-1", name, gelar)


def _d3(name: str, gelar: str = "A.Md.") -> Degree:
    return Degree("D-III", name, gelar)


SLTA = (Degree("SLTA", "SLTA UMUM"), Degree("SLTA", "SMA ILMU PENGETAHUAN SOSIAL"),
        Degree("SLTA", "SMA MATEMATIKA DAN ILMU PENGETAHUAN ALAM"), Degree("SLTA", "SMU IPA"),
        Degree("SLTA", "SMU IPS"))
ADMIN_D3 = (_d3("D-III MANAJEMEN INFORMATIKA"), _d3("D-III AKUNTANSI", "A.Md.Ak."),
            _d3("D-III ADMINISTRASI NEGARA", "A.Md.AP."), _d3("D-III KESEKRETARIATAN"),
            _d3("D-III ADMINISTRASI PERKANTORAN"), _d3("D-III TEKNIK SIPIL", "A.Md.T."))
ADMIN_S1 = (_s1("S-1 ILMU ADMINISTRASI NEGARA", "S.AP."), _s1("S-1 ADMINISTRASI NEGARA", "S.Sos."),
            _s1("S-1 ILMU PEMERINTAHAN", "S.IP."), _s1("S-1 AKUNTANSI", "S.Ak."), _s1("S-1 MANAJEMEN", "S.E."),
            _s1("S-1 ILMU EKONOMI", "S.E."), _s1("S-1 ILMU HUKUM", "S.H."), _s1("S-1 HUKUM", "S.H."),
            _s1("S-1 TEKNIK INFORMATIKA", "S.Kom."), _s1("S-1 SISTEM INFORMASI", "S.Kom."),
            _s1("S-1 TEKNIK SIPIL", "S.T."), _s1("S-1 ARSITEKTUR", "S.Ars."), _s1("S-1 PSIKOLOGI", "S.Psi."),
            _s1("S-1 ILMU KOMUNIKASI", "S.I.Kom."), _s1("S-1 SOSIOLOGI", "S.Sos."),
            _s1("S-1 TEKNIK LINGKUNGAN", "S.T."), _s1("S-1 EKONOMI PEMBANGUNAN", "S.E."),
            _s1("S-1 PERENCANAAN WILAYAH DAN KOTA", "S.PWK."), _s1("S-1 STATISTIKA", "S.Stat."))
IPDN = Degree("D-IV", "D-IV ILMU PEMERINTAHAN", "S.STP.", school="ipdn")
ADMIN_S2 = (Degree("S-2", "S-2 ILMU ADMINISTRASI", "M.Si."), Degree("S-2", "S-2 MAGISTER MANAJEMEN", "M.M."),
            Degree("S-2", "S-2 ILMU HUKUM", "M.H."), Degree("S-2", "S-2 ILMU PEMERINTAHAN", "M.Si."),
            Degree("S-2", "S-2 MAGISTER ADMINISTRASI PUBLIK", "M.AP."), Degree("S-2", "S-2 AKUNTANSI", "M.Ak."),
            Degree("S-2", "S-2 ILMU KOMPUTER", "M.Kom."), Degree("S-2", "S-2 TEKNIK SIPIL", "M.T."),
            Degree("S-2", "S-2 PERENCANAAN WILAYAH DAN KOTA", "M.T."))
GURU_S1 = tuple(_s1(name, gelar) for name, gelar in (
    ("S-1 PENDIDIKAN GURU SEKOLAH DASAR", "S.Pd."), ("S-1 PENDIDIKAN GURU SEKOLAH DASAR", "S.Pd."),
    ("S-1 PENDIDIKAN MATEMATIKA", "S.Pd."), ("S-1 PENDIDIKAN BAHASA INGGRIS", "S.Pd."),
    ("S-1 PENDIDIKAN BAHASA INDONESIA", "S.Pd."), ("S-1 PENDIDIKAN AGAMA ISLAM", "S.Pd.I."),
    ("S-1 PENDIDIKAN JASMANI KESEHATAN DAN REKREASI", "S.Pd."), ("S-1 PENDIDIKAN BIOLOGI", "S.Pd."),
    ("S-1 PENDIDIKAN FISIKA", "S.Pd."), ("S-1 PENDIDIKAN EKONOMI", "S.Pd."), ("S-1 PENDIDIKAN SEJARAH", "S.Pd."),
    ("S-1 PENDIDIKAN PANCASILA DAN KEWARGANEGARAAN", "S.Pd."), ("S-1 PENDIDIKAN GEOGRAFI", "S.Pd."),
    ("S-1 BIMBINGAN DAN KONSELING", "S.Pd."), ("S-1 PENDIDIKAN SENI RUPA", "S.Pd."),
    ("S-1 PENDIDIKAN ILMU PENGETAHUAN ALAM", "S.Pd."), ("S-1 PENDIDIKAN GURU PENDIDIKAN ANAK USIA DINI", "S.Pd.")))
GURU_S2 = (Degree("S-2", "S-2 MANAJEMEN PENDIDIKAN", "M.Pd."), Degree("S-2", "S-2 TEKNOLOGI PENDIDIKAN", "M.Pd."),
           Degree("S-2", "S-2 ADMINISTRASI PENDIDIKAN", "M.Pd."))
KESMAS_S1 = Degree("S-1", "S-1 KESEHATAN MASYARAKAT", "S.K.M.", school="health")
KESMAS_S2 = (Degree("S-2", "S-2 ILMU KESEHATAN MASYARAKAT", "M.K.M."),
             Degree("S-2", "S-2 KESEHATAN MASYARAKAT", "M.Kes."))


def _health(name: str, tingkat: str, gelar: str | None, depan: str | None = None) -> Degree:
    return Degree(tingkat, name, gelar, depan, school="health")


def _paths(*specs) -> tuple[Path, ...]:
    """(weight, ladder, degree or tuple of alternative degrees or a chain list) → Paths."""
    paths = []
    for weight, ladder, degrees in specs:
        if isinstance(degrees, list):
            paths.append(Path(weight, ladder, tuple(degrees)))
        else:
            alternatives = degrees if isinstance(degrees, tuple) else (degrees,)
            paths += [Path(weight / len(alternatives), ladder, (d,)) for d in alternatives]
    return tuple(paths)


def _jf(key, weights, female, units, jf, paths, masters=ADMIN_S2, topics="umum") -> Profession:
    return Profession(key, weights, female, units, jf, paths, masters, topics)


DOKTER = [_health("S-1 PENDIDIKAN DOKTER", "S-1", None), _health("PROFESI DOKTER", "Profesi", None, "dr.")]
DOKTER_GIGI = [_health("S-1 KEDOKTERAN GIGI", "S-1", None), _health("PROFESI DOKTER GIGI", "Profesi", None, "drg.")]
APOTEKER = [_health("S-1 FARMASI", "S-1", "S.Farm."), _health("PROFESI APOTEKER", "Profesi", None, "apt.")]

PROFESSIONS = (
    _jf("guru", (33, 62), 0.68, "sekolah", "Guru", _paths((1, "ahli", GURU_S1)), GURU_S2, "guru"),
    _jf("dokter", (2.2, 1.2), 0.6, "faskes", "Dokter", _paths((1, "ahli", DOKTER)), KESMAS_S2, "medis"),
    _jf("dokter_gigi", (0.7, 0.3), 0.7, "faskes", "Dokter Gigi", _paths((1, "ahli", DOKTER_GIGI)), KESMAS_S2,
        "medis"),
    _jf("perawat", (5, 7), 0.72, "faskes", "Perawat", _paths(
        (0.6, "terampil", _health("D-III KEPERAWATAN", "D-III", "A.Md.Kep.")),
        (0.4, "ahli", _health("S-1 ILMU KEPERAWATAN + NERS", "S-1", "S.Kep., Ns."))), KESMAS_S2, "medis"),
    _jf("bidan", (4, 5), 1.0, "faskes", "Bidan", _paths(
        (0.75, "terampil", _health("D-III KEBIDANAN", "D-III", "A.Md.Keb.")),
        (0.25, "ahli", _health("D-IV KEBIDANAN", "D-IV", "S.Tr.Keb."))), KESMAS_S2, "medis"),
    _jf("apoteker", (0.8, 0.6), 0.75, "faskes", "Apoteker", _paths((1, "ahli", APOTEKER)), KESMAS_S2, "medis"),
    _jf("ttk", (0.7, 0.8), 0.75, "faskes", "Asisten Apoteker",
        _paths((1, "terampil", _health("D-III FARMASI", "D-III", "A.Md.Farm."))), (), "medis"),
    _jf("nutrisionis", (0.6, 0.6), 0.85, "faskes", "Nutrisionis",
        _paths((1, "terampil", _health("D-III GIZI", "D-III", "A.Md.Gz."))), (), "medis"),
    _jf("sanitarian", (0.6, 0.5), 0.6, "faskes", "Tenaga Sanitasi Lingkungan",
        _paths((1, "terampil", _health("D-III KESEHATAN LINGKUNGAN", "D-III", "A.Md.KL."))), (), "medis"),
    _jf("pranata_lab", (0.6, 0.6), 0.7, "faskes", "Pranata Laboratorium Kesehatan",
        _paths((1, "terampil", _health("D-III ANALIS KESEHATAN", "D-III", "A.Md.AK."))), (), "medis"),
    _jf("epidemiolog", (0.4, 0.3), 0.6, "kesehatan", "Epidemiolog Kesehatan", _paths((1, "ahli", KESMAS_S1)),
        KESMAS_S2, "medis"),
    _jf("adminkes", (0.6, 0.5), 0.65, "kesehatan", "Administrator Kesehatan", _paths((1, "ahli", KESMAS_S1)),
        KESMAS_S2, "medis"),
    _jf("pelaksana", (26, 10), 0.45, "pelaksana", None, _paths(
        (0.3, "pelaksana", SLTA), (0.2, "pelaksana", ADMIN_D3), (0.5, "pelaksana", ADMIN_S1))),
    _jf("analis_kebijakan", (2.0, 0.3), 0.5, "kantor", "Analis Kebijakan", _paths((1, "ahli", ADMIN_S1))),
    _jf("pranata_komputer", (1.2, 1.5), 0.35, "kominfo", "Pranata Komputer", _paths(
        (0.7, "ahli", (_s1("S-1 TEKNIK INFORMATIKA", "S.Kom."), _s1("S-1 SISTEM INFORMASI", "S.Kom."))),
        (0.3, "terampil", _d3("D-III MANAJEMEN INFORMATIKA"))), topics="it"),
    _jf("perencana", (0.8, 0.2), 0.5, "bappeda", "Perencana", _paths((1, "ahli", (
        _s1("S-1 PERENCANAAN WILAYAH DAN KOTA", "S.PWK."), _s1("S-1 EKONOMI PEMBANGUNAN", "S.E."),
        _s1("S-1 STATISTIKA", "S.Stat."))))),
    _jf("auditor", (0.8, 0.1), 0.5, "inspektorat", "Auditor", _paths((1, "ahli", (
        _s1("S-1 AKUNTANSI", "S.Ak."), _s1("S-1 ILMU HUKUM", "S.H."), _s1("S-1 MANAJEMEN", "S.E."))))),
    _jf("analis_sdm", (0.6, 0.2), 0.55, "kepegawaian", "Analis Sumber Daya Manusia Aparatur",
        _paths((1, "ahli", ADMIN_S1))),
    _jf("arsiparis", (0.4, 0.2), 0.6, "arsip", "Arsiparis", _paths(
        (0.5, "terampil", _d3("D-III ADMINISTRASI PERKANTORAN")), (0.5, "ahli", ADMIN_S1))),
    _jf("pustakawan", (0.3, 0.2), 0.6, "arsip", "Pustakawan", _paths(
        (1, "ahli", _s1("S-1 ILMU PERPUSTAKAAN", "S.IP.")))),
    _jf("penyuluh_kb", (0.6, 0.3), 0.6, "kb", "Penyuluh Keluarga Berencana", _paths((1, "ahli", ADMIN_S1))),
    _jf("pekerja_sosial", (0.4, 0.2), 0.6, "sosial", "Pekerja Sosial", _paths(
        (1, "ahli", _s1("S-1 KESEJAHTERAAN SOSIAL", "S.Sos.")))),
    _jf("pbj", (0.4, 0.1), 0.4, "setda", "Pengelola Pengadaan Barang/Jasa", _paths((1, "ahli", ADMIN_S1))),
    _jf("pengawas_sekolah", (0.5, 0), 0.5, "dindik", "Pengawas Sekolah", _paths((1, "ahli", GURU_S1)),
        GURU_S2, "guru"),
    _jf("penguji_kendaraan", (0.3, 0.1), 0.1, "dishub", "Penguji Kendaraan Bermotor",
        _paths((1, "terampil", SLTA + ADMIN_D3[-1:]))),
    _jf("humas", (0.3, 0.1), 0.5, "kominfo", "Pranata Hubungan Masyarakat",
        _paths((1, "ahli", _s1("S-1 ILMU KOMUNIKASI", "S.I.Kom.")))),
    _jf("penyuluh_pertanian", (0.3, 0.3), 0.4, "pertanian", "Penyuluh Pertanian", _paths(
        (1, "ahli", (_s1("S-1 AGRIBISNIS", "S.P."), _s1("S-1 AGROTEKNOLOGI", "S.P."))))),
    _jf("satpol_pp", (2.5, 1.0), 0.12, "satpolpp", "Polisi Pamong Praja", _paths(
        (0.7, "terampil", SLTA), (0.3, "ahli", (_s1("S-1 ILMU HUKUM", "S.H."), _s1("S-1 HUKUM", "S.H."))))),
    _jf("damkar", (2.0, 1.5), 0.04, "damkar", "Pemadam Kebakaran", _paths((1, "terampil", SLTA)), ()),
    _jf("struktural", (6, 0), 0.35, "kantor", None, _paths(
        (0.8, "struktural", ADMIN_S1), (0.2, "struktural", IPDN))),
)

# Pelaksana titles (jabatanPelaksana names) by the tingkat of the highest degree at appointment.
PELAKSANA = {
    "SLTA": ("PENGADMINISTRASI PERKANTORAN", "OPERATOR LAYANAN OPERASIONAL", "PENGADMINISTRASI UMUM",
             "PENGADMINISTRASI KEUANGAN", "PENGADMINISTRASI KEPEGAWAIAN", "PENGEMUDI", "PRAMU BAKTI",
             "PETUGAS KEAMANAN", "PENGADMINISTRASI PERSURATAN"),
    "D-III": ("PENGOLAH DATA DAN INFORMASI", "PENGELOLA LAYANAN OPERASIONAL", "PENGELOLA KEUANGAN",
              "PENGELOLA DATA", "PENGELOLA KEPEGAWAIAN", "BENDAHARA", "PENGELOLA BARANG MILIK DAERAH"),
    "S-1": ("PENATA LAYANAN OPERASIONAL", "PENGELOLA LAYANAN OPERASIONAL", "PENYUSUN LAPORAN KEUANGAN",
            "ANALIS PERENCANAAN, EVALUASI DAN PELAPORAN", "ANALIS KEPEGAWAIAN", "ANALIS HUKUM",
            "PENGELOLA TEKNOLOGI INFORMASI", "ANALIS KEUANGAN", "PENGELOLA PENGADUAN MASYARAKAT"),
}
UNIT_PELAKSANA = {"sekolah": "TENAGA ADMINISTRASI SEKOLAH", "puskesmas": "PENGELOLA LAYANAN KESEHATAN"}

# Unit pools: weighted (finder kind, argument). Finders are resolved by the career module.
POOLS = {
    "sekolah": ((1.0, "kind", "sekolah"),),
    "faskes": ((0.72, "kind", "puskesmas"), (0.22, "opd", "Rumah Sakit"), (0.06, "opd", "Kesehatan")),
    "kesehatan": ((0.6, "opd", "Kesehatan"), (0.4, "kind", "puskesmas")),
    "pelaksana": ((0.55, "office", ""), (0.30, "wilayah", ""), (0.08, "kind", "sekolah"),
                  (0.07, "kind", "puskesmas")),
    "kantor": ((1.0, "office", ""),),
    "kominfo": ((0.5, "opd", "Komunikasi"), (0.5, "office", "")),
    "bappeda": ((0.7, "opd", "Perencanaan"), (0.3, "office", "")),
    "inspektorat": ((1.0, "opd", "Inspektorat"),),
    "kepegawaian": ((0.7, "opd", "Kepegawaian"), (0.3, "office", "")),
    "arsip": ((0.7, "opd", "Perpustakaan|Arsip"), (0.3, "office", "")),
    "kb": ((1.0, "opd", "Keluarga Berencana"),),
    "sosial": ((1.0, "opd", "Dinas Sosial"),),
    "setda": ((0.7, "opd", "Sekretariat Daerah"), (0.3, "office", "")),
    "dindik": ((1.0, "opd", "Pendidikan"),),
    "dishub": ((1.0, "opd", "Perhubungan"),),
    "pertanian": ((1.0, "opd", "Pertanian|Ketahanan Pangan"),),
    "satpolpp": ((0.8, "opd", "Pamong Praja"), (0.2, "wilayah", "")),
    "damkar": ((1.0, "opd", "Pemadam|Kebakaran"),),
}
