"""Careers of demo ASN over time: golongan steps, positions (jabatan) and the units they worked in."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from .catalog import Catalog, Unit, name_key
from .common import Weighted, add_months, kp_period, random_day, shift_years, title_case
from .profiles import PELAKSANA, POOLS, UNIT_PELAKSANA, Path, Profession

GOLONGAN = ("I/a", "I/b", "I/c", "I/d", "II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d",
            "IV/a", "IV/b", "IV/c", "IV/d", "IV/e")
GOL_PPPK = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI",
            "XVII")
START_PNS = {"SLTA": "II/a", "D-III": "II/c", "D-IV": "III/a", "S-1": "III/a", "Profesi": "III/b", "S-2": "III/b"}
START_PPPK = {"SLTA": "V", "D-III": "VII", "D-IV": "IX", "S-1": "IX", "Profesi": "X", "S-2": "X"}
CAP = {"SLTA": "III/b", "D-III": "III/d", "D-IV": "IV/a", "S-1": "IV/a", "Profesi": "IV/c", "S-2": "IV/b"}
LADDER_CAP = {"ahli": "IV/b", "struktural": "IV/c"}
JENJANG = {
    "ahli": {"III/a": "Ahli Pertama", "III/b": "Ahli Pertama", "III/c": "Ahli Muda", "III/d": "Ahli Muda",
             "IV/a": "Ahli Madya", "IV/b": "Ahli Madya", "IV/c": "Ahli Madya", "IV/d": "Ahli Utama",
             "IV/e": "Ahli Utama"},
    "terampil": {"II/a": "Pemula", "II/b": "Terampil", "II/c": "Terampil", "II/d": "Terampil",
                 "III/a": "Mahir", "III/b": "Mahir"},
}
LADDER_ORDER = {"ahli": ("Ahli Pertama", "Ahli Muda", "Ahli Madya", "Ahli Utama"),
                "terampil": ("Pemula", "Terampil", "Mahir", "Penyelia")}
IRREGULAR_HEADS = {"PELAKSANA", "PELAKSANA PEMULA", "PELAKSANA LANJUTAN", "PERTAMA", "MUDA", "MADYA", "UTAMA"}
# Structural levels: (months after the previous level, chance, minimum golongan)
LEVELS = ((4, (96, 150), 1.0, "III/b"), (3, (48, 84), 0.55, "III/d"), (2, (48, 84), 0.3, "IV/a"))


@dataclass
class Step:
    tmt: date
    golongan: str  # a name from GOLONGAN or GOL_PPPK
    kp: str  # pengadaan | reguler | jf | struktural | ijazah | pppk


@dataclass
class Position:
    tmt: date
    title: str
    jenis: str  # struktural | jft | jfu
    jf_code: str | None = None
    jp_code: str | None = None
    eselon: str | None = None
    unit: str | None = None


@dataclass
class Career:
    steps: list[Step]
    positions: list[Position]
    transfers: list[tuple[date, str, str]] = field(default_factory=list)
    masuk: tuple[date, str] | None = None  # pindah instansi: TMT and the instansi of origin


def plan_career(rng: random.Random, catalog: Catalog, kind: str, profession: Profession, path: Path,
                start: date, as_of: date, upgrade: tuple[date, str] | None) -> Career:
    tingkat = path.degrees[-1].tingkat
    if kind == "PPPK":
        steps = [Step(start, START_PPPK[tingkat], "pppk")]
    elif kind == "CPNS":
        steps = [Step(start, START_PNS[tingkat], "pengadaan")]
    else:
        steps = _pns_steps(rng, path.ladder, tingkat, start, as_of, upgrade)
    masuk = _masuk(rng, start, as_of) if kind == "PNS" else None
    first = masuk[0] if masuk else start
    timeline = [(first, pick_unit(rng, catalog, profession.units))]
    if kind == "PNS" and path.ladder != "struktural":
        _add_transfers(rng, catalog, profession.units, timeline, as_of)
    positions = _positions(rng, catalog, kind, profession, path, steps, timeline[0][1], upgrade)
    if path.ladder == "struktural" and kind == "PNS":
        positions = _structural(rng, catalog, steps, positions, as_of)
    before = [p for p in positions if p.tmt <= first]
    positions = before[-1:] + [p for p in positions if p.tmt > first]
    positions[0].tmt = first
    for position in positions:
        position.unit = position.unit or _unit_at(timeline, position.tmt)
    transfers = [(day, timeline[i - 1][1].id, unit.id) for i, (day, unit) in enumerate(timeline) if i]
    return Career(steps, positions, transfers, masuk)


def _pns_steps(rng, ladder: str, tingkat: str, start: date, as_of: date, upgrade) -> list[Step]:
    index = GOLONGAN.index(START_PNS[tingkat])
    cap = _cap(rng, ladder, tingkat)
    steps, day = [Step(start, GOLONGAN[index], "pengadaan")], start
    pace = (2.5, 4.5) if ladder in ("ahli", "terampil") else (4.0, 5.5)
    adjust = kp_period(add_months(upgrade[0], 6)) if upgrade else None
    while True:
        day = kp_period(add_months(day, int(rng.uniform(*pace) * 12)))
        if adjust and adjust <= min(day, as_of) and index < GOLONGAN.index(START_PNS[upgrade[1]]):
            day, index = adjust, GOLONGAN.index(START_PNS[upgrade[1]])
            cap = max(cap, _cap(rng, ladder, upgrade[1]))
            steps.append(Step(day, GOLONGAN[index], "ijazah"))
            continue
        if day > as_of or index >= cap:
            return steps
        index += 1
        steps.append(Step(day, GOLONGAN[index], "jf" if ladder in ("ahli", "terampil") else "reguler"))


def _cap(rng, ladder: str, tingkat: str) -> int:
    cap = GOLONGAN.index(CAP[tingkat])
    if ladder in LADDER_CAP and tingkat not in ("SLTA", "D-III"):
        cap = max(cap, GOLONGAN.index(LADDER_CAP[ladder]))
    return min(cap + rng.choice((-1, 0, 0, 1)), len(GOLONGAN) - 2)


def _masuk(rng, start: date, as_of: date) -> tuple[date, str] | None:
    """About 2.5 % came from another government (pindah instansi masuk)."""
    if rng.random() >= 0.025 or start > shift_years(as_of, -6):
        return None
    day = random_day(rng, shift_years(start, 3), shift_years(as_of, -1)).replace(day=1)
    return day, rng.choice(("Pemerintah Kab. Tangerang", "Pemerintah Kota Tangerang Selatan",
                            "Pemerintah Provinsi Banten", "Pemerintah Kota Serang", "Pemerintah Kab. Serang",
                            "Pemerintah Kab. Lebak", "Pemerintah Kota Depok", "Pemerintah Kota Bekasi",
                            "Pemerintah Kab. Bogor", "Pemerintah Provinsi Daerah Khusus Ibukota Jakarta",
                            "Pemerintah Kota Bandung", "Pemerintah Kab. Pandeglang"))


def _add_transfers(rng, catalog, pool: str, timeline: list, as_of: date) -> None:
    first = timeline[0][0]
    if first > shift_years(as_of, -4) or rng.random() >= 0.25:
        return
    latest = as_of - timedelta(days=60)
    for _ in range(1 if rng.random() < 0.8 else 2):
        day = random_day(rng, shift_years(timeline[-1][0], 2), latest).replace(day=1)
        unit = pick_unit(rng, catalog, pool)
        if timeline[-1][0] < day <= latest and unit.id != timeline[-1][1].id:
            timeline.append((day, unit))


def _unit_at(timeline: list, day: date) -> str:
    current = timeline[0][1]
    for start, unit in timeline:
        if start <= day:
            current = unit
    return current.id


def _positions(rng, catalog, kind, profession, path, steps, unit: Unit, upgrade) -> list[Position]:
    if path.ladder in ("ahli", "terampil"):
        return _functional(catalog, kind, profession.jf, path.ladder, steps)
    first = _pelaksana(rng, catalog, path.degrees[-1].tingkat, unit)
    positions = [Position(steps[0].tmt, *first)]
    adjusted = [s for s in steps if s.kp == "ijazah"]
    if adjusted:
        positions.append(Position(adjusted[0].tmt, *_pelaksana(rng, catalog, upgrade[1], None)))
    return positions


def _functional(catalog, kind, base, ladder, steps) -> list[Position]:
    positions: list[Position] = []
    for step in steps:
        jenjang = _jenjang(kind, ladder, step.golongan)
        code, title = jf_lookup(catalog, base, ladder, jenjang)
        if not positions or positions[-1].title != title:
            positions.append(Position(step.tmt, title, "jft", jf_code=code))
    return positions


def _jenjang(kind: str, ladder: str, golongan: str) -> str:
    if kind == "PPPK":
        return "Ahli Pertama" if ladder == "ahli" else "Terampil"
    return JENJANG[ladder].get(golongan, LADDER_ORDER[ladder][-1])


def jf_lookup(catalog: Catalog, base: str, ladder: str, jenjang: str) -> tuple[str | None, str]:
    """The JF code and title for `base` at `jenjang`, or the nearest jenjang the JF has."""
    key = ("jf", base, jenjang)
    if key not in catalog.memo:
        order = LADDER_ORDER[ladder]
        at = order.index(jenjang)
        nearest = sorted(order, key=lambda j: (abs(order.index(j) - at), -order.index(j)))
        catalog.memo[key] = next(((code, f"{base} {j}") for j in nearest
                                  if (code := _jf_code(catalog, base, j))), (None, f"{base} {jenjang}"))
    return catalog.memo[key]


def _jf_code(catalog: Catalog, base: str, jenjang: str) -> str | None:
    """Exact "<base> <jenjang>", else an old-style name such as "<base> Pelaksana / Terampil"."""
    exact = catalog.code("jabatanFungsional", f"{base} {jenjang}")
    if exact:
        return exact
    prefix, word = name_key(base) + " ", name_key(jenjang)
    names = catalog.codes.get("jabatanFungsional", {})
    return next((code for name, code in sorted(names.items()) if name.startswith(prefix)
                 and _irregular_match(name[len(prefix):], word)), None)


def _irregular_match(rest: str, word: str) -> bool:
    parts = [part.strip() for part in rest.split("/")]
    return len(parts) > 1 and word in parts and parts[0] in IRREGULAR_HEADS | {word}


def _pelaksana(rng, catalog, tingkat: str, unit: Unit | None) -> tuple:
    names = PELAKSANA.get(tingkat, PELAKSANA["S-1"])
    name = UNIT_PELAKSANA.get(unit.kind) if unit and unit.kind in UNIT_PELAKSANA and rng.random() < 0.7 else None
    name = name or rng.choice(names)
    return title_case(name), "jfu", None, catalog.code("jabatanPelaksana", name)


def _structural(rng, catalog, steps, positions, as_of) -> list[Position]:
    roles, day = structural_roles(catalog), steps[0].tmt
    for level, (low, high), chance, minimum in LEVELS:
        if rng.random() >= chance or not roles.get(level):
            break
        reached = _reached(steps, minimum)
        if reached is None:
            break
        day = kp_period(max(add_months(day, rng.randint(low, high)), reached))
        if day > as_of - timedelta(days=30):
            break
        positions = [p for p in positions if p.tmt < day]
        positions.append(_role_position(rng, roles[level], day))
        rotation = kp_period(add_months(day, rng.randint(24, 48)))
        if rng.random() < 0.35 and rotation <= as_of:
            positions.append(_role_position(rng, roles[level], rotation))
    first = next((p.tmt for p in positions if p.jenis == "struktural"), None)
    for step in steps:
        if first and step.tmt > first and step.kp == "reguler":
            step.kp = "struktural"
    return positions


def _reached(steps: list[Step], minimum: str) -> date | None:
    return next((s.tmt for s in steps if GOLONGAN.index(s.golongan) >= GOLONGAN.index(minimum)), None)


def _role_position(rng, roles, day: date) -> Position:
    unit, title, eselon = rng.choice(roles)
    return Position(day, title, "struktural", eselon=eselon, unit=unit)


def structural_roles(catalog: Catalog) -> dict[int, list[tuple[str, str, str]]]:
    """Every structural position the org tree offers, by level: {4: [(unit, title, eselon)], ...}."""
    if "roles" not in catalog.memo:
        roles: dict[int, list] = {2: [], 3: [], 4: []}
        for unit in catalog.units:
            for title, eselon in _unit_roles(unit):
                level = 2 if eselon.startswith("II.") else 3 if eselon.startswith("III.") else 4
                roles[level].append((unit.id, title, eselon))
        catalog.memo["roles"] = roles
    return catalog.memo["roles"]


def _unit_roles(unit: Unit) -> list[tuple[str, str]]:
    name, opd = unit.name, unit.opd_name
    if unit.kind == "opd":
        special = {"Sekretariat Daerah": ("Sekretaris Daerah", "II.a"), "Inspektorat": ("Inspektur", "II.b")}
        if name in special:
            return [special[name]]
        if name.startswith("Sekretariat Dewan"):
            return [("Sekretaris DPRD", "II.b")]
        return [(("Direktur " if name.startswith("Rumah Sakit") else "Kepala ") + name, "II.b")]
    if unit.kind == "kecamatan":
        area = name.removeprefix("Kecamatan ")
        return [(f"Camat {area}", "III.a")] + [(f"Kepala Seksi {s} Kecamatan {area}", "IV.a") for s in (
            "Pemerintahan", "Ketenteraman dan Ketertiban Umum", "Kesejahteraan Sosial")]
    if unit.kind == "kelurahan":
        area = name.removeprefix("Kelurahan ")
        return [(f"Lurah {area}", "IV.a"), (f"Sekretaris Kelurahan {area}", "IV.b")] + [
            (f"Kepala Seksi {s} Kelurahan {area}", "IV.b")
            for s in ("Pemerintahan dan Ketenteraman", "Pembangunan dan Pemberdayaan Masyarakat")]
    if unit.kind == "bidang":
        if opd == "Sekretariat Daerah" or name.startswith("Inspektur Pembantu"):
            return [(name, "II.b" if opd == "Sekretariat Daerah" else "III.a")]
        return [(f"Kepala {name}", "III.b")]
    if unit.kind == "bagian" and name.startswith("Sekretariat"):
        if opd.startswith("Kecamatan"):
            return [(f"Sekretaris {opd}", "III.b"), (f"Kepala Subbagian Umum dan Kepegawaian {opd}", "IV.a")]
        return [(f"Sekretaris {opd}", "III.a")] + [(f"Kepala Subbagian {s} {opd}", "IV.a") for s in (
            "Umum dan Kepegawaian", "Perencanaan dan Keuangan")]
    if unit.kind == "bagian":
        return [(f"Kepala {name}", "III.a")]
    if unit.kind == "upt":
        return [(f"Kepala {name}", "IV.a"), (f"Kepala Subbagian Tata Usaha {name}", "IV.b")]
    return []


def pick_unit(rng: random.Random, catalog: Catalog, pool: str) -> Unit:
    key = ("subpools", pool)
    if key not in catalog.memo:
        catalog.memo[key] = Weighted((catalog.pool(f"{finder}:{arg}", _finder(finder, arg)), weight)
                                     for weight, finder, arg in POOLS[pool])
    return rng.choice(catalog.memo[key].pick(rng))


def _finder(finder: str, arg: str):
    if finder == "kind":
        return lambda u: u.kind == arg
    if finder == "opd":
        regex = re.compile(arg, re.IGNORECASE)
        return lambda u: bool(regex.search(u.opd_name)) and u.kind not in ("sekolah", "puskesmas")
    if finder == "wilayah":
        return lambda u: u.opd_name.startswith("Kecamatan")
    return lambda u: u.kind in ("opd", "bidang", "bagian", "upt") and not u.opd_name.startswith("Kecamatan")
