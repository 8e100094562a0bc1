"""One demo employee as table rows: data utama, the nine history categories, derived columns."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

from ..services.current import derive_current
from ..services.employees import normalize_name
from .bulk import IdCounter
from .careers import GOL_PPPK, Career, plan_career
from .catalog import KOTA_TANGERANG, Catalog, name_key
from .common import FastRandom, Weighted, add_months, months_between, sk_number, years_between
from .family import family, mark_allowances
from .people import address, appointment, contacts, name_group, nik_for, nip_for, nip_serial, person_name, religion
from .names import NameGroup
from .profiles import PROFESSIONS, Path, Profession
from .records import awards, discipline, education, trainings

KINDS = Weighted((("PNS", 70), ("CPNS", 3), ("PPPK", 27)))
PROFESSIONS_BY_KIND = {
    "PNS": Weighted((p, p.weights[0]) for p in PROFESSIONS),
    "PPPK": Weighted((p, p.weights[1]) for p in PROFESSIONS),
}
PATHS = {p.key: Weighted((path, path.weight) for path in p.paths) for p in PROFESSIONS}
KP_NAMES = {"pengadaan": "Gol. dari Pengadaan CPNS/PNS", "reguler": "Reguler",
            "jf": "Pilihan (Jabatan Fungsional Tertentu)", "struktural": "Pilihan (Jabatan Struktural)",
            "ijazah": "Pilihan (Penyesuaian Ijazah)"}
JENIS_JABATAN = {"struktural": "Jabatan Struktural", "jft": "Jabatan Fungsional Tertentu",
                 "jfu": "Jabatan Fungsional Umum"}
ANGKA_KREDIT = {"II/b": 40, "II/c": 60, "II/d": 80, "III/a": 100, "III/b": 150, "III/c": 200, "III/d": 300,
                "IV/a": 400, "IV/b": 550, "IV/c": 700, "IV/d": 850, "IV/e": 1050}
PNS_DAERAH = "PNS Daerah Kab./Kota yang bekerja pada Kab./Kota"


@dataclass(frozen=True)
class Person:
    kind: str
    profession: Profession
    path: Path
    sex: str
    start: date  # TMT CPNS or TMT PPPK
    birth: date
    group: NameGroup
    nama: str
    agama: str
    district: int  # kecamatan code of the NIK and the address


class EmployeeBuilder:
    """Builds employee number `index` of the stream of `seed`; the same pair always gives the same person.

    Ids count from 1 per builder; IdCounter.place moves a chunk to the real ids before writing.
    """

    def __init__(self, catalog: Catalog, seed: int, as_of: date):
        self.catalog, self.seed, self.as_of, self.ids = catalog, seed, as_of, IdCounter()
        self.rng = FastRandom()
        self.kota = catalog.codes["instansi"].get(name_key("Pemerintah Kota Tangerang"), KOTA_TANGERANG)

    def build(self, index: int, out: dict[str, list[dict]]) -> dict:
        self.rng.seed(((self.seed & 0xFFFFFFFF) << 32) | index)
        person = self._person()
        rows, keluarga, titles = self._histories(person)
        employee_id = self.ids.take("employees")
        for table, table_rows in rows.items():
            self._own(table, table_rows, employee_id, out)
        self._family(keluarga, employee_id, out)
        employee = self._employee(person, employee_id, keluarga.marital_status, titles, rows)
        out["employees"].append(employee)
        return employee

    def _person(self) -> Person:
        rng = self.rng
        kind = KINDS.pick(rng)
        profession = PROFESSIONS_BY_KIND["PPPK" if kind == "PPPK" else "PNS"].pick(rng)
        path = PATHS[profession.key].pick(rng)
        sex = "F" if rng.random() < profession.female else "M"
        start, birth = appointment(rng, kind, path.degrees[-1].grad_age, self.as_of)
        group = name_group(rng, birth)
        return Person(kind, profession, path, sex, start, birth, group, person_name(rng, group, sex),
                      religion(rng, group), rng.randint(1, 13))

    def _histories(self, p: Person) -> tuple[dict[str, list[dict]], object, tuple]:
        rng, catalog, as_of = self.rng, self.catalog, self.as_of
        schooling, upgrade, front, back = education(rng, catalog, p.profession, p.path, p.kind, p.sex,
                                                    p.agama == "Islam", p.birth, p.start, as_of)
        career = plan_career(rng, catalog, p.kind, p.profession, p.path, p.start, as_of, upgrade)
        hukdis = discipline(rng, catalog, p.start, as_of) if p.kind != "CPNS" else []
        barred = next((h["tmt_hukuman"] for h in hukdis if h["tingkat"] in ("S", "B")), None)
        keluarga = family(rng, catalog, p.group, p.sex, p.nama, p.birth, p.district, as_of)
        mark_allowances(keluarga.children, as_of)
        rows = {
            "riwayat_pendidikan": schooling,
            "riwayat_golongan": self._golongan(rng, p.kind, career, p.start, p.birth),
            "riwayat_jabatan": self._jabatan(rng, career),
            "riwayat_pindah_unit": [self._transfer(rng, t) for t in career.transfers],
            "riwayat_pindah_instansi": self._masuk(rng, career),
            "riwayat_diklat": self._trainings(rng, p.kind, p.profession, career, p.start),
            "riwayat_penghargaan": awards(rng, catalog, p.kind, p.start, as_of, barred),
            "riwayat_hukdis": hukdis,
        }
        if p.agama == "Islam" and years_between(p.birth, as_of) >= 40 and rng.random() < 0.08:
            front = ("H." if p.sex == "M" else "Hj.") + (f" {front}" if front else "")  # after the hajj
        return rows, keluarga, (front, back)

    def _employee(self, p: Person, employee_id: int, marital_status: str, titles: tuple, rows: dict) -> dict:
        rng, catalog = self.rng, self.catalog
        return {
            "id": employee_id, "nama": p.nama, "nama_cari": normalize_name(p.nama), "gelar_depan": titles[0],
            "gelar_belakang": titles[1], "tempat_lahir": self._birthplace(rng, p.group, p.birth),
            "tanggal_lahir": p.birth, "jenis_kelamin": p.sex, "agama_id": catalog.need("agama", p.agama),
            "jenis_kawin_id": catalog.need("kawin", marital_status), "kind": p.kind,
            "nip": nip_for(p.kind, p.birth, p.sex, p.start, nip_serial(rng)),
            "nik": nik_for(p.birth, p.sex, p.district, rng.randint(1, 2999)),
            "alamat": address(rng, catalog, p.district),
            **self._status(rng, p.kind, p.profession.key, p.start), **contacts(rng, p.nama, p.birth),
            **self._derived(rows),
        }

    def _own(self, table: str, rows: list[dict], employee_id: int, out) -> None:
        for row in rows:
            row["id"], row["employee_id"] = self.ids.take(table), employee_id
            out[table].append(row)

    def _family(self, keluarga, employee_id: int, out) -> None:
        self._own("riwayat_pasangan", keluarga.spouses, employee_id, out)
        for spouse_index, child in keluarga.children:
            child["pasangan_id"] = keluarga.spouses[spouse_index]["id"]
        self._own("riwayat_anak", [child for _, child in keluarga.children], employee_id, out)

    def _derived(self, rows: dict) -> dict:
        ns = {table: [SimpleNamespace(**row) for row in rows[table]] for table in (
            "riwayat_golongan", "riwayat_jabatan", "riwayat_pendidikan", "riwayat_pindah_unit")}
        return derive_current(ns["riwayat_golongan"], ns["riwayat_jabatan"], ns["riwayat_pendidikan"],
                              ns["riwayat_pindah_unit"], self.catalog.opd_of)

    def _status(self, rng, kind: str, profession: str, start: date) -> dict:
        catalog, pppk = self.catalog, kind == "PPPK"
        pengadaan = "PPPK" if pppk else "TENAGA GURU" if profession == "guru" and start.year >= 2019 \
            else "KHUSUS DOKTER" if profession == "dokter" and start.year >= 2019 else "UMUM"
        kedudukan = "Tugas Belajar" if kind == "PNS" and rng.random() < 0.005 else "Aktif"
        return {
            "jenis_pegawai_id": (pppk and catalog.code("jenisPegawai", "PPPK")) or catalog.need("jenisPegawai",
                                                                                              PNS_DAERAH),
            "kedudukan_hukum_id": catalog.need("kedudukanHukum", kedudukan),
            "jenis_pengadaan_id": catalog.code("jenisPengadaan", pengadaan),
            "tmt_cpns": None if pppk else start, "tmt_pppk": start if pppk else None, "pns_id": None,
            "tmt_pns": min(add_months(start, rng.randint(12, 24)), self.as_of).replace(day=1)
            if kind == "PNS" else None,
        }

    @staticmethod
    def _birthplace(rng, group, birth: date) -> str:
        return "Tangerang" if birth.year >= 1985 and rng.random() < 0.4 else rng.choice(group.birthplaces)

    def _golongan(self, rng, kind: str, career: Career, start: date, birth: date) -> list[dict]:
        rows, catalog = [], self.catalog
        honorer = rng.randint(0, max(0, min(15, years_between(birth, start) - 21))) if kind == "PPPK" else 0
        for step in career.steps:
            pppk = step.golongan in GOL_PPPK
            served = months_between(start, step.tmt)
            credit = ANGKA_KREDIT.get(step.golongan) if step.kp == "jf" else None
            rows.append({
                "golongan_id": catalog.need("golonganPppk" if pppk else "golonganPns", step.golongan),
                "jenis_kp_id": None if pppk else catalog.code("kenaikanPangkat", KP_NAMES[step.kp]),
                "tmt_golongan": step.tmt, "masa_kerja_tahun": honorer + served // 12, "masa_kerja_bulan": served % 12,
                "pertek_nomor": None, "pertek_tanggal": None,
                "angka_kredit_utama": round(credit * rng.uniform(0.82, 0.9), 3) if credit else None,
                "angka_kredit_tambahan": round(credit * rng.uniform(0.1, 0.2), 3) if credit else None,
                "sk_nomor": sk_number(rng, "813.3" if step.kp in ("pengadaan", "pppk") else "823.3", step.tmt),
                "sk_tanggal": step.tmt - timedelta(days=rng.randint(10, 60)),
            })
        return rows

    def _jabatan(self, rng, career: Career) -> list[dict]:
        rows, catalog, previous = [], self.catalog, None
        for position in career.positions:
            moved = previous is not None or career.masuk is not None
            rows.append({
                "jenis_riwayat": "pemindahan" if moved else "pengangkatan",
                "jenis_jabatan_id": catalog.need("jenisJabatan", JENIS_JABATAN[position.jenis]),
                "jabatan_nama": position.title, "jabatan_fungsional_id": position.jf_code,
                "jabatan_pelaksana_id": position.jp_code,
                "eselon_id": catalog.code("eselon", position.eselon) if position.eselon else None,
                "unor_id": position.unit, "instansi_id": self.kota,
                "jenis_mutasi_id": catalog.code("jenisMutasi", "Mutasi Jabatan" if previous is None
                                                or previous.title != position.title else "Mutasi Unor")
                if moved else None,
                "jenis_penugasan_id": catalog.code("jenisPenugasan", "Definitif"), "jenis_pemberhentian_id": None,
                "tmt_jabatan": position.tmt,
                "tmt_pelantikan": None if position.jenis == "jfu"
                else position.tmt + timedelta(days=rng.randint(0, 14)),
                "sk_nomor": sk_number(rng, "821.2", position.tmt),
                "sk_tanggal": position.tmt - timedelta(days=rng.randint(3, 30)),
            })
            previous = position
        return rows

    def _transfer(self, rng, transfer) -> dict:
        day, origin, target = transfer
        return {"unor_asal_id": origin, "unor_baru_id": target, "tmt_pindah": day,
                "sk_nomor": sk_number(rng, "821.2", day), "sk_tanggal": day - timedelta(days=rng.randint(5, 30))}

    def _masuk(self, rng, career: Career) -> list[dict]:
        if not career.masuk:
            return []
        day, origin = career.masuk
        code = self.catalog.codes["instansi"].get(name_key(origin))
        if code is None:
            return []
        bkn = day - timedelta(days=rng.randint(30, 120))
        return [{"arah": "masuk", "instansi_asal_id": code, "instansi_tujuan_id": self.kota,
                 "unor_baru_id": career.positions[0].unit, "tmt_pindah": day,
                 "sk_bkn_nomor": f"MT.{rng.randint(1, 99)}-{rng.randint(10, 99)}/V {rng.randint(1, 999)}-"
                                 f"{rng.randint(1, 99)}/{bkn.year % 100}",
                 "sk_bkn_tanggal": bkn, "sk_nomor": sk_number(rng, "824", day),
                 "sk_tanggal": day - timedelta(days=rng.randint(5, 20))}]

    def _trainings(self, rng, kind, profession, career: Career, start: date) -> list[dict]:
        levels = {}
        for position in career.positions:
            if position.eselon:
                level = 2 if position.eselon.startswith("II.") else 3 if position.eselon.startswith("III.") else 4
                levels.setdefault(level, position.tmt)
        functional = [(p.tmt, p.title) for p in career.positions if p.jenis == "jft"]
        return trainings(rng, self.catalog, kind, profession, career.steps[0].golongan, levels, functional, start,
                         self.as_of)

