"""Who a demo ASN is: appointment and birth dates, name, NIP/NIK, address and contacts."""
from __future__ import annotations

import random
import re
from datetime import date, timedelta

from ..domain.identity import make_nip
from .catalog import Catalog
from .common import Weighted, add_months, shift_years
from .names import GROUPS, HP_PREFIXES, KECAMATAN, MAIL_DOMAINS, STREETS, NameGroup

MIN_AGE, MAX_AGE = 20, 58
OLDER_GROUPS = Weighted((g, g.weight) for g in GROUPS)
YOUNGER_GROUPS = Weighted((g, g.weight * (4 if g.key == "milenial" else 1)) for g in GROUPS)
CPNS_MONTHS = Weighted(((1, 3), (3, 3), (4, 2), (12, 1), (2, .3), (5, .3), (6, .5), (7, .3), (8, .3), (9, .2),
                        (10, .3), (11, .2)))
PPPK_MONTHS = Weighted(((1, 3), (3, 2), (4, 2), (7, 1), (10, 1), (12, 1)))
PPPK_YEARS_BACK = Weighted(((0, 0.3), (1, 0.3), (2, 0.2), (3, 0.15), (4, 0.05)))
NIP_SERIALS = Weighted(((1, 60), (2, 25), (3, 10), (4, 5)))


def _year_weight(year: int) -> float:
    """Recruitment waves of the city: many CPNS 1995–2009, a moratorium, new waves from 2018."""
    waves = {2018: 2.5, 2019: 2.5, 2020: 0.3, 2021: 2.5, 2022: 1.5, 2023: 1.0, 2024: 2.5, 2025: 1.5}
    if year in waves:
        return waves[year]
    return 3.0 if 1995 <= year <= 2009 else 0.6 if 2010 <= year <= 2017 else 1.0


def appointment(rng: random.Random, kind: str, grad_age: int, as_of: date) -> tuple[date, date]:
    """(TMT CPNS or TMT PPPK, birth date) with age 20–58 today and 18+ at appointment."""
    for _ in range(20):
        start, age = _start(rng, kind, grad_age, as_of)
        birth = shift_years(start, -age) - timedelta(days=rng.randrange(365))
        if _plausible(birth, start, as_of):
            return start, birth
    birth = shift_years(as_of, -MIN_AGE - 5)
    return date(birth.year + 23, 1, 1), birth


def _plausible(birth: date, start: date, as_of: date) -> bool:
    return (shift_years(as_of, -MAX_AGE) < birth <= shift_years(as_of, -MIN_AGE)
            and shift_years(birth, 18) <= start and start.year >= birth.year + 19)


def _start(rng, kind: str, grad_age: int, as_of: date) -> tuple[date, int]:
    if kind == "PPPK":
        age = min(grad_age + int(rng.expovariate(1 / 9)), 55)
        year = max(2019, as_of.year - PPPK_YEARS_BACK.pick(rng))
        start = date(year, PPPK_MONTHS.pick(rng), 1)
        return (start if start <= as_of else date(year, 1, 1)), age
    age = min(grad_age + int(rng.expovariate(1 / 3.5)), 35)
    if kind == "CPNS":
        return add_months(date(as_of.year, as_of.month, 1), -rng.randrange(11)), age
    latest = add_months(as_of, -13)
    low = max(1985, as_of.year - MAX_AGE + age + 1)
    year = next((y for y in (rng.randint(low, latest.year) for _ in range(12))
                 if rng.random() * 3.0 < _year_weight(y)), latest.year)
    start = date(year, CPNS_MONTHS.pick(rng), 1)
    return (start if start <= latest else latest.replace(day=1)), age


def name_group(rng: random.Random, birth: date) -> NameGroup:
    return (YOUNGER_GROUPS if birth.year >= 1990 else OLDER_GROUPS).pick(rng)


def person_name(rng: random.Random, group: NameGroup, sex: str, surname: str | None = None) -> str:
    if sex == "M":
        parts = [rng.choice(group.male)]
        if parts[0] in ("Muhammad", "Muhamad", "Ahmad", "Abdul") or rng.random() < 0.15:
            parts.append(rng.choice(group.male))
        if group.male_second and rng.random() < 0.8:
            parts.append(surname or rng.choice(group.male_second))
    else:
        parts = [rng.choice(group.female)]
        if group.female_second and rng.random() < 0.85:
            parts.append(rng.choice(group.female_second))
        if group.surname_for_women:
            parts.append(surname or rng.choice(group.male_second))
    return " ".join(dict.fromkeys(parts))


def religion(rng: random.Random, group: NameGroup) -> str:
    roll, total = rng.random(), 0.0
    for name, share in group.religions:
        total += share
        if roll < total:
            return name
    return group.religions[-1][0]


def nip_for(kind: str, birth: date, sex: str, start: date, serial: int) -> str:
    if kind == "PPPK":
        return make_nip(birth, sex, serial, pppk_year=start.year, appointment_digit=1)
    return make_nip(birth, sex, serial, tmt=start)


def nip_serial(rng: random.Random) -> int:
    return NIP_SERIALS.pick(rng)


def nik_for(birth: date, sex: str, district: int, serial: int, province: int = 36, regency: int = 71) -> str:
    """identity.make_nik's layout without strftime: three NIKs per employee make it hot."""
    day = birth.day + (40 if sex == "F" else 0)
    return f"{province:02d}{regency:02d}{district:02d}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def address(rng: random.Random, catalog: Catalog, district: int) -> str:
    kecamatan = KECAMATAN[district]
    kelurahan = _kelurahan(catalog, kecamatan)
    street = rng.choice(STREETS)
    house = f"Blok {rng.choice('ABCDEFGHJK')}{rng.randint(1, 20)} No. {rng.randint(1, 40)}" \
        if street.startswith(("Perum", "Komplek")) else f"No. {rng.randint(1, 150)}"
    place = f"Kel. {rng.choice(kelurahan)}, " if kelurahan else ""
    return (f"{street} {house}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}, {place}"
            f"Kec. {kecamatan}, Kota Tangerang, Banten")


def _kelurahan(catalog: Catalog, kecamatan: str) -> list[str]:
    key = ("kelurahan", kecamatan)
    if key not in catalog.memo:
        catalog.memo[key] = [u.name.removeprefix("Kelurahan ") for u in catalog.units
                             if u.kind == "kelurahan" and u.opd_name == f"Kecamatan {kecamatan}"]
    return catalog.memo[key]


def contacts(rng: random.Random, nama: str, birth: date) -> dict:
    words = [re.sub(r"[^a-z]", "", w) for w in nama.lower().split()]
    words = [w for w in words if w] or ["asn"]
    local = ".".join(words[:2]) if rng.random() < 0.6 else words[0] + (words[-1] if len(words) > 1 else "")
    local += str(rng.choice((birth.year % 100, birth.day, rng.randint(1, 99), "")))
    prefix = rng.choice(HP_PREFIXES)
    return {
        "email": f"{local}@{rng.choice(MAIL_DOMAINS)}" if rng.random() < 0.88 else None,
        "nomor_hp": f"{prefix}{rng.randrange(10 ** 8):08d}"[:len(prefix) + rng.choice((7, 8))]
        if rng.random() < 0.95 else None,
        "npwp": (f"{rng.randint(10, 99)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}.{rng.randint(0, 9)}-"
                 f"{rng.choice(('402', '411', '416', '451', '453'))}.000") if rng.random() < 0.75 else None,
    }
