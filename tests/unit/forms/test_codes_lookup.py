"""Reference-backed choices checked by a codes lookup: asked once, with the submitted codes only."""
from __future__ import annotations

from app.forms import validate_submission
from app.forms.validate import CHOICE

SCHEMA = {"type": "object", "properties": {
    "golongan": {"type": "string"}, "jabatan": {"type": "string"},
    "anak": {"type": "array", "items": {"type": "object", "properties": {"golongan": {"type": "string"}}}}}}
UI = {"golongan": {"ui:referenceTable": "golongan"}, "jabatan": {"ui:referenceTable": "jabatan"},
      "anak": {"items": {"golongan": {"ui:referenceTable": "golongan"}}}}


def test_lookup_is_asked_once_with_only_the_submitted_codes():
    """Is the lookup called once, with each table's submitted codes, and is an unknown code refused?"""
    calls = []

    def lookup(wanted):
        calls.append(wanted)
        return {"golongan": {"32"}, "jabatan": set()}

    data = {"golongan": "32", "jabatan": "999", "anak": [{"golongan": "41"}, {"golongan": "32"}]}
    errors = validate_submission(SCHEMA, data, UI, codes_lookup=lookup)
    assert calls == [{"golongan": {"32", "41"}, "jabatan": {"999"}}]
    assert errors == {"jabatan": [CHOICE], "anak[0].golongan": [CHOICE]}


def test_no_lookup_without_reference_values():
    """Does a submission with no reference-backed value ask nothing?"""
    calls = []
    assert validate_submission(SCHEMA, {"anak": []}, UI, codes_lookup=lambda wanted: calls.append(wanted)) == {}
    assert calls == []


def test_choices_provider_still_works():
    """Does the older whole-table provider (used by the studio's checks) give the same answer?"""
    provider = {"golongan": [("32", "III/b")], "jabatan": [("7", "Analis")]}.get
    errors = validate_submission(SCHEMA, {"golongan": "31", "jabatan": "7"}, UI, provider)
    assert errors == {"golongan": [CHOICE]}
