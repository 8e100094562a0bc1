"""Publishing variants of the studio test process (tests/data/bpmn/studio/good.bpmn) and moving an
instance of it along, for the version, migration and comparison tests."""
from __future__ import annotations

from pathlib import Path

from app.models import HumanTask, ProcessInstance, User
from app.services import definitions, inbox, operators, processes
from app.services.audit import SYSTEM, Actor

DATA = Path(__file__).resolve().parent / "data"
GOOD = DATA / "bpmn" / "studio" / "good.bpmn"
FORMS = DATA / "forms"
KEY = "studio_uji"


def variant(*replacements: tuple[str, str]) -> bytes:
    xml = GOOD.read_text()
    for old, new in replacements:
        assert old in xml, old
        xml = xml.replace(old, new)
    return xml.encode()


# v2 of the tests: the first task renamed, the deadline 5 working days, "verifikasi" replaced by "verifikasi_baru"
V2 = (('name="Periksa usulan"', 'name="Periksa usulan (v2)"'), ("hari_kerja(3)", "hari_kerja(5)"),
      ('"verifikasi"', '"verifikasi_baru"'), (">verifikasi<", ">verifikasi_baru<"),
      ('name="Verifikasi BKPSDM"', 'name="Verifikasi akhir BKPSDM"'))


def publish(session, tmp_path: Path, xml: bytes | None = None, *, bpmn: Path = GOOD, key: str = KEY,
            forms: Path = FORMS):
    """Publish `key` from `bpmn` (or a variant's `xml`) from a fresh folder; the new version (None if
    unchanged). By default the studio test process, studio_uji."""
    folder = tmp_path / f"workflows-{len(list(tmp_path.glob('workflows-*')))}"
    folder.mkdir()
    (folder / bpmn.name).write_bytes(xml if xml is not None else bpmn.read_bytes())
    return definitions.load_shipped(session, folder, forms, operators.operator_names(), SYSTEM)[key]


def user(session, world, username: str) -> User:
    return session.get(User, world["users"][username])


def actor(u: User) -> Actor:
    return Actor(u.id, u.display_name)


def start(session, world, username: str = "asn.dinkes") -> ProcessInstance:
    u = user(session, world, username)
    return processes.start(session, u, actor(u), KEY, subject_employee_id=world["employees"]["dinkes"])


def tasks_of(session, instance: ProcessInstance) -> list[HumanTask]:
    return list(session.query(HumanTask).filter_by(instance_id=instance.id).order_by(HumanTask.id))


def act(session, world, username: str, instance: ProcessInstance, data: dict) -> ProcessInstance:
    u = user(session, world, username)
    (task,) = [t for t in inbox.tasks_for(session, u) if t.instance_id == instance.id]
    return processes.complete_task(session, u, actor(u), task.id, data)
