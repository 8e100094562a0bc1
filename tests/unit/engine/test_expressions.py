"""The safe expression evaluator: what a diagram may compute, and what it may never reach."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from app.engine.errors import ExpressionError
from app.engine.expressions import MAX_LENGTH, check_expression, evaluate
from app.engine.functions import build_functions
from app.engine.workdays import WIB, WorkCalendar

VARIABLES = {
    "keputusan": "setuju",
    "jumlah": 3,
    "nilai": 2.5,
    "anak": [{"nama": "Ani"}, {"nama": "Budi"}],
    "usulan": {"kategori": "pendidikan", "dokumen": ["sk.pdf"]},
    "kosong": None,
    "aktif": True,
}

ALLOWED = [
    ('keputusan == "setuju"', True),
    ('keputusan != "tolak"', True),
    ("jumlah > 2 and jumlah <= 3", True),
    ("1 < jumlah < 5", True),
    ("jumlah >= 4 or nilai < 3", True),
    ("not aktif", False),
    ('"pendidikan" in usulan["kategori"]', True),
    ('"ijazah.pdf" not in usulan["dokumen"]', True),
    ('anak[1]["nama"]', "Budi"),
    ("anak[-1]", {"nama": "Budi"}),
    ("jumlah + 1", 4),
    ("jumlah - 5", -2),
    ("jumlah * 2", 6),
    ("jumlah / 2", 1.5),
    ("jumlah // 2", 1),
    ("jumlah % 2", 1),
    ("-jumlah", -3),
    ('"ya" if aktif else "tidak"', "ya"),
    ("kosong == None", True),
    ("[1, 2.5, 'a', None, True]", [1, 2.5, "a", None, True]),
    ("(1, 2)", (1, 2)),
    ('{"a": [1], "b": {"c": 2}}', {"a": [1], "b": {"c": 2}}),
    ("len(anak)", 2),
    ("str(jumlah)", "3"),
    ('int("12")', 12),
    ('lower("SK")', "sk"),
    ('upper(keputusan)', "SETUJU"),
    ('any_of(keputusan, "setuju", "tolak")', True),
    ('any_of(keputusan, "revisi")', False),
    ("hari(3)", "P3D"),
    ("jam(4)", "PT4H"),
    ('"ab" * 3', "ababab"),
]

REFUSED = [
    ('__import__("os")', "Fungsi '__import__' tidak diizinkan"),
    ("().__class__", "Akses atribut '.__class__' tidak diizinkan"),
    ("usulan.keys()", "Akses atribut '.keys' tidak diizinkan"),
    ("().__class__.__bases__[0].__subclasses__()", "Akses atribut '.__subclasses__' tidak diizinkan"),
    ('open("/etc/passwd")', "Fungsi 'open' tidak diizinkan"),
    ("getattr(usulan, 'x')", "Fungsi 'getattr' tidak diizinkan"),
    ("__builtins__", "Nama yang diawali garis bawah ('__builtins__') tidak diizinkan"),
    ("lambda: 1", "Lambda tidak diizinkan"),
    ("[x for x in anak]", "Comprehension tidak diizinkan"),
    ("{k: 1 for k in anak}", "Comprehension tidak diizinkan"),
    ("any(x for x in anak)", "Generator tidak diizinkan"),
    ("(y := 1)", "Operator walrus (:=) tidak diizinkan"),
    ("len(*anak)", "Argumen berbintang (*) tidak diizinkan"),
    ('f"{jumlah}"', "F-string tidak diizinkan"),
    ('f"{jumlah!r:>{10}}"', "F-string tidak diizinkan"),
    ("{1, 2}", "Himpunan (set) tidak diizinkan"),
    ("anak[0:1]", "Irisan (slice) tidak diizinkan"),
    ("10**10**10", "Pangkat (**) tidak diizinkan"),
    ("jumlah << 2", "Operator geser bit (<<) tidak diizinkan"),
    ("~jumlah", "Operator bit (~) tidak diizinkan"),
    ("kosong is None", "Operator 'is' (gunakan ==) tidak diizinkan"),
    ('"%s" % jumlah', "Pemformatan teks dengan % tidak diizinkan"),
    ("{**usulan}", "Pembongkaran kamus (**) tidak diizinkan"),
    ("str(jumlah, base=2)", "Argumen bernama (nama=nilai) tidak diizinkan"),
    ("len", "Fungsi 'len' harus dipanggil"),
    ("len(anak, anak)", "Fungsi 'len' menerima 1 argumen, bukan 2"),
    ("any_of(keputusan)", "Fungsi 'any_of' menerima paling sedikit 2 argumen, bukan 1"),
    ("b'bytes'", "Konstanta jenis bytes tidak diizinkan"),
    ("1j", "Konstanta jenis complex tidak diizinkan"),
    ("...", "Konstanta jenis ellipsis tidak diizinkan"),
    ("1" + "0" * 40, "Bilangan dalam ekspresi terlalu besar"),
    ("x = 1", "Ekspresi tidak dapat dibaca"),
    ("import os", "Ekspresi tidak dapat dibaca"),
    ("jumlah +", "Ekspresi tidak dapat dibaca"),
    ("a\x00b", "Ekspresi tidak dapat dibaca"),
    ("", "Ekspresi kosong"),
    ("x" * (MAX_LENGTH + 1), "Ekspresi terlalu panjang"),
    ("+".join(["1"] * 150), "Ekspresi terlalu rumit"),
    ("-" * 400 + "1", "Ekspresi terlalu rumit"),
]


@pytest.mark.parametrize(("expression", "expected"), ALLOWED)
def test_allowed_forms(expression, expected):
    """Do the allowed forms (literals, names, subscripts, comparisons, logic, arithmetic, calls) compute right?"""
    assert check_expression(expression) == []
    assert evaluate(expression, VARIABLES) == expected


@pytest.mark.parametrize(("expression", "message"), REFUSED)
def test_refused_forms_name_what_is_not_allowed(expression, message):
    """Is every form outside the whitelist refused, both when loading and when evaluating, with its reason?"""
    faults = check_expression(expression)
    assert any(message in fault for fault in faults), faults
    with pytest.raises(ExpressionError, match=re.escape(message)):
        evaluate(expression, VARIABLES)


def test_check_reports_every_fault_at_once():
    """Does the load-time check list all faults of an expression, not only the first?"""
    faults = check_expression('x.y or __import__("os") or 2 ** 8')
    assert len(faults) == 3


def test_check_needs_no_variables():
    """Can an expression over variables that do not exist yet pass the load-time check?"""
    assert check_expression('status_usulan == "baru" and len(lampiran) > 0') == []


@pytest.mark.parametrize(
    ("expression", "variables", "message"),
    [
        ("tidak_ada == 1", {}, "Variabel 'tidak_ada' tidak dikenal"),
        ("jumlah / 0", VARIABLES, "Pembagian dengan nol"),
        ('usulan["tidak_ada"]', VARIABLES, "Kunci 'tidak_ada' tidak ada"),
        ("anak[5]", VARIABLES, "Indeks 5 di luar jangkauan"),
        ("jumlah[0]", VARIABLES, "Nilai jenis int tidak dapat diberi indeks"),
        ('"a" * 100000', {}, "Hasil perkalian teks atau daftar terlalu besar"),
        ("teks * 1000000000", {"teks": "ab"}, "Hasil perkalian teks atau daftar terlalu besar"),
        ("daftar + daftar", {"daftar": list(range(6000))}, "Hasil perhitungan terlalu panjang"),
        ("angka * angka", {"angka": 10**20}, "Hasil perhitungan terlalu besar"),
        ("teks % 1", {"teks": "%s"}, "Pemformatan teks dengan % tidak diizinkan"),
        ('1 < "a"', {}, "gagal dihitung"),
        ('int("abc")', {}, "Nilai 'abc' bukan bilangan bulat"),
        ("len(1)", {}, "Argumen len(...) harus teks, daftar atau kamus"),
        ("lower(1)", {}, "Argumen lower(...) harus teks"),
        ("hari(-1)", {}, "Argumen hari(...) harus antara 0 dan 3650"),
        ('jam("2")', {}, "Argumen jam(...) harus bilangan bulat"),
        ("hari_kerja(1000)", {}, "Argumen hari_kerja(...) harus antara 0 dan 366"),
    ],
)
def test_failures_while_evaluating(expression, variables, message):
    """Does an allowed expression that fails on its data raise ExpressionError with a clear message?"""
    with pytest.raises(ExpressionError, match=re.escape(message)):
        evaluate(expression, variables)


def test_only_registered_functions_are_callable():
    """Is a function missing from the registry given to the evaluator refused, even a standard one?"""
    functions = {name: fn for name, fn in build_functions().items() if name != "len"}
    with pytest.raises(ExpressionError, match="Fungsi 'len' tidak diizinkan"):
        evaluate("len(anak)", VARIABLES, functions)


def _calendar_at(moment: datetime, holidays=()) -> WorkCalendar:
    return WorkCalendar.with_holidays(holidays, clock=lambda: moment)


def test_hari_kerja_skips_the_weekend():
    """Are 3 working days from a Friday the next Wednesday (5 calendar days)?"""
    friday = datetime(2025, 1, 3, 10, 0, tzinfo=WIB)
    functions = build_functions(_calendar_at(friday))
    assert evaluate("hari_kerja(3)", {}, functions) == "P5D"
    assert evaluate("hari_kerja(0)", {}, functions) == "P0D"


def test_hari_kerja_skips_holidays_from_the_injected_calendar():
    """Does a public holiday on the Monday push 3 working days from Friday to Thursday?"""
    friday = datetime(2025, 1, 3, 10, 0, tzinfo=WIB)
    functions = build_functions(_calendar_at(friday, holidays=[date(2025, 1, 6)]))
    assert evaluate("hari_kerja(3)", {}, functions) == "P6D"


def test_hari_kerja_counts_days_in_jakarta_time():
    """Is Friday 20:00 WIB (13:00 UTC) treated as Friday, so 1 working day later is Monday?"""
    friday_evening_utc = datetime(2025, 1, 3, 13, 0, tzinfo=UTC)
    assert evaluate("hari_kerja(1)", {}, build_functions(_calendar_at(friday_evening_utc))) == "P3D"
    saturday_early_wib = datetime(2025, 1, 3, 17, 30, tzinfo=UTC)  # 00:30 WIB on Saturday
    assert evaluate("hari_kerja(1)", {}, build_functions(_calendar_at(saturday_early_wib))) == "P2D"
