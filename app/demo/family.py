"""Keluarga of a demo ASN: marriages (with divorce or a spouse's death now and then) and children."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .catalog import Catalog
from .common import Weighted, add_months, document_number, random_day, shift_years, years_between
from .names import GROUPS, SPOUSE_JOBS, NameGroup
from .people import nik_for, nip_for, person_name

CHILDREN = Weighted(((0, 0.1), (1, 0.22), (2, 0.38), (3, 0.2), (4, 0.1)))
OTHER_REGIONS = ((36, 3), (36, 74), (31, 74), (31, 73), (32, 75))  # Kab. Tangerang, Tangsel, Jaksel, Jakbar, Bekasi
MILENIAL = next(g for g in GROUPS if g.key == "milenial")


@dataclass
class Family:
    marital_status: str  # name in "kawin"
    spouses: list[dict] = field(default_factory=list)
    children: list[tuple[int, dict]] = field(default_factory=list)  # (index into spouses, row)


def family(rng: random.Random, catalog: Catalog, group: NameGroup, sex: str, nama: str, birth: date,
           district: int, as_of: date) -> Family:
    age = years_between(birth, as_of)
    chance = 0.2 if age < 25 else 0.55 if age < 30 else 0.8 if age < 35 else 0.9
    if rng.random() >= chance:
        return Family("Belum Kawin")
    wedding = random_day(rng, shift_years(birth, 20 if sex == "F" else 22),
                         min(shift_years(birth, 31 if sex == "F" else 33), as_of - timedelta(days=60)))
    if wedding > as_of - timedelta(days=60):
        return Family("Belum Kawin")
    result = Family("Menikah")
    surname = nama.split()[-1] if group.surname_for_women and sex == "M" else None
    while wedding <= as_of:
        spouse, ended = _spouse(rng, catalog, group, sex, birth, district, wedding, as_of)
        result.spouses.append(spouse)
        end = ended or as_of
        _children(rng, catalog, result, group, surname or _surname(group, spouse), district, wedding, end, as_of,
                  birth if sex == "F" else spouse["tanggal_lahir"])
        if ended is None:
            return result
        result.marital_status = "Cerai" if spouse["tanggal_cerai"] else "Janda / Duda"
        if rng.random() >= 0.5:
            return result
        wedding = ended + timedelta(days=rng.randint(365, 1500))
        result.marital_status = "Menikah"
    result.marital_status = "Cerai" if result.spouses[-1]["tanggal_cerai"] else "Janda / Duda"
    return result


def _surname(group: NameGroup, spouse: dict) -> str | None:
    return spouse["nama"].split()[-1] if group.surname_for_women and spouse["jenis_kelamin"] == "M" else None


def _spouse(rng, catalog, group, sex, birth, district, wedding, as_of) -> tuple[dict, date | None]:
    spouse_sex = "F" if sex == "M" else "M"
    gap = rng.randint(0, 6) * (1 if sex == "F" else -1) + rng.randint(-1, 1)
    spouse_birth = min(shift_years(birth, -gap) + timedelta(days=rng.randint(-150, 150)),
                       shift_years(wedding, -19))
    spouse_group = group if rng.random() < 0.8 else rng.choice(GROUPS)
    province, regency, area = (36, 71, district) if rng.random() < 0.85 else (*rng.choice(OTHER_REGIONS),
                                                                              rng.randint(1, 10))
    job = rng.choice(SPOUSE_JOBS)
    if job == "Mengurus Rumah Tangga" and spouse_sex == "M":
        job = "Karyawan Swasta"
    row = {
        "nama": person_name(rng, spouse_group, spouse_sex), "jenis_kelamin": spouse_sex,
        "nik": nik_for(spouse_birth, spouse_sex, area, rng.randint(1, 2999), province, regency),
        "tanggal_lahir": spouse_birth, "status_pekerjaan": job,
        "nip_pasangan": _spouse_nip(rng, spouse_birth, spouse_sex, as_of) if job == "PNS" else None,
        "status_perkawinan": catalog.need("kawin", "Menikah"), "tanggal_menikah": wedding,
        "akta_nikah": document_number(rng, f"{rng.randint(1, 99):02d}", wedding),
        "tanggal_cerai": None, "akta_cerai": None, "tanggal_meninggal": None, "akta_meninggal": None,
    }
    return row, _ending(rng, catalog, row, birth, wedding, as_of)


def _ending(rng, catalog, row: dict, birth: date, wedding: date, as_of: date) -> date | None:
    """About 4 % of marriages end in divorce and 1.5 % with the spouse's death."""
    if wedding > shift_years(as_of, -3):
        return None
    roll = rng.random()
    if roll < 0.04:
        day = random_day(rng, shift_years(wedding, 2), as_of - timedelta(days=90))
        row.update(tanggal_cerai=day, akta_cerai=f"{rng.randint(100, 3999)}/AC/{day.year}/PA.Tng",
                   status_perkawinan=catalog.need("kawin", "Cerai"))
        return day
    if roll < 0.055 and years_between(birth, as_of) >= 40:
        day = random_day(rng, shift_years(wedding, 3), as_of - timedelta(days=90))
        row.update(tanggal_meninggal=day, akta_meninggal=f"3671-KM-{day:%d%m%Y}-{rng.randint(1, 9999):04d}",
                   status_perkawinan=catalog.need("kawin", "Janda / Duda"))
        return day
    return None


def _spouse_nip(rng, birth: date, sex: str, as_of: date) -> str | None:
    tmt = date(birth.year + rng.randint(23, 30), rng.choice((1, 3, 4)), 1)
    return nip_for("PNS", birth, sex, tmt, rng.randint(1, 5)) if tmt <= as_of else None


def _children(rng, catalog, result: Family, group, surname, district, wedding, end, as_of, mother_birth) -> None:
    spouse_index, day = len(result.spouses) - 1, add_months(wedding, rng.randint(10, 30))
    for _ in range(CHILDREN.pick(rng)):
        if day > end or day > as_of or day > shift_years(mother_birth, 44):
            return
        sex = rng.choice("MF")
        child_group = MILENIAL if day.year >= 2005 and rng.random() < 0.6 else group
        kind = "Anak kandung" if rng.random() < 0.97 else "Anak angkat"
        result.children.append((spouse_index, {
            "nama": person_name(rng, child_group, sex, surname), "jenis_kelamin": sex,
            "nik": nik_for(day, sex, district, rng.randint(1, 2999)), "tanggal_lahir": day,
            "tempat_lahir": "Tangerang" if rng.random() < 0.8 else rng.choice(("Jakarta", "Serang", "Bogor")),
            "jenis_anak_id": catalog.need("jenisAnak", kind),
            "akta_kelahiran": f"3671-LT-{day:%d%m%Y}-{rng.randint(1, 9999):04d}", "status_tunjangan": False,
        }))
        day = add_months(day, rng.randint(18, 60))


def mark_allowances(children: list[tuple[int, dict]], as_of: date) -> None:
    """Tunjangan anak is paid for at most two children under 21."""
    eligible = sorted((row for _, row in children if years_between(row["tanggal_lahir"], as_of) < 21),
                      key=lambda row: row["tanggal_lahir"])
    for row in eligible[:2]:
        row["status_tunjangan"] = True

