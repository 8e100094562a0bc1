"""Process definitions: publishing versions from the shipped `workflows/` and `forms/` folders,
and the specs of a version, deserialized once per process."""
from __future__ import annotations

import copy

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine.errors import DefinitionError
from ..engine.loading import (
    LoadedDefinition,
    ProcessSpecs,
    load_definition,
    parse_xml_safely,
)
from ..engine.rules import NS, SCHEMA_SUFFIX, lane_properties
from ..engine.state import deserialize_spec, serialize_spec
from ..models import ProcessDefinition, ProcessVersion
from . import audit, form_store
from .errors import NotFoundError, ValidationError

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


@dataclass(frozen=True)
class _Candidate:
    filename: str
    xml: bytes
    loaded: LoadedDefinition
    forms: dict


@dataclass(frozen=True)
class CompiledVersion:
    """What a step needs of a published version, built once per process: versions never change."""
    id: int
    process_key: str
    version: int
    checksum: str
    forms: Mapping[str, dict]
    specs: ProcessSpecs
    lanes: Mapping[str, Mapping[str, str]]


_SPECS: dict[tuple[int, str], ProcessSpecs] = {}
_LANES: dict[tuple[int, str], dict[str, dict[str, str]]] = {}
# (id, checksum, published_at): ids alone repeat across databases and rolled-back test transactions.
_COMPILED: dict[tuple, CompiledVersion] = {}


def load_shipped(session: Session, workflows_dir: Path, forms_dir: Path, operator_names: Collection[str],
                 actor: audit.Actor) -> dict[str, ProcessVersion | None]:
    """Publish every changed `*.bpmn` as a new version; nothing at all if one file is refused."""
    workflows_dir, forms_dir = Path(workflows_dir), Path(forms_dir)
    form_store.sync_from_files(session, forms_dir, actor)
    candidates = [_candidate(path, forms_dir, operator_names, session)
                  for path in sorted(workflows_dir.glob("*.bpmn"))]
    published = {c.loaded.key: publish(session, actor, c.xml, c.loaded, c.forms) for c in candidates}
    session.commit()
    return published


def publish(session: Session, actor: audit.Actor, xml: bytes, loaded: LoadedDefinition, forms: dict,
            source: str = "shipped") -> ProcessVersion | None:
    """Store version n+1 unless the latest one has the same XML and the same pinned forms (caller commits)."""
    latest = latest_version(session, loaded.key)
    if latest is not None and latest.checksum == loaded.checksum and latest.forms == forms:
        return None
    _ensure_definition(session, loaded)
    version = ProcessVersion(
        process_key=loaded.key, version=(latest.version if latest else 0) + 1, bpmn_xml=xml.decode("utf-8-sig"),
        checksum=loaded.checksum, spec=json.loads(serialize_spec(loaded.specs)), forms=forms, source=source,
        published_by=actor.user_id)
    session.add(version)
    session.flush()
    audit.record(session, actor, "process.published", "process_version", version.id,
                 key=loaded.key, version=version.version, checksum=loaded.checksum, forms=sorted(forms))
    return version


def _candidate(path: Path, forms_dir: Path, operator_names: Collection[str],
               session: Session | None = None) -> _Candidate:
    xml = path.read_bytes()
    try:
        loaded = load_definition(xml, operators=operator_names, known_forms=known_forms(forms_dir, session),
                                 filename=path.name)
    except DefinitionError as err:
        raise ValidationError(f"Definisi {path.name} ditolak: {err}", fields={path.name: err.problems}) from None
    return _Candidate(path.name, xml, loaded, pinned_forms(session, loaded.forms, forms_dir))


def known_forms(forms_dir: Path = FORMS_DIR, session: Session | None = None) -> frozenset[str]:
    """Form ids a user task may name (`usul` for `usul.schema.json`): files in `forms_dir` and,
    given a session, every form with a published version in the form table."""
    files = {p.name[: -len(SCHEMA_SUFFIX)] for p in Path(forms_dir).glob(f"*{SCHEMA_SUFFIX}")}
    return frozenset(files | (form_store.published_names(session) if session is not None else set()))


def form_content(session: Session | None, filename: str, forms_dir: Path = FORMS_DIR) -> dict:
    """What a version publishing now pins for `filename` (`x.schema.json` / `x.uischema.json`): the
    latest published content in the form table, else the shipped file."""
    content = form_store.published_content(session, filename) if session is not None else None
    return content if content is not None else _read_json(Path(forms_dir) / filename)


def pinned_forms(session: Session | None, filenames: Collection[str], forms_dir: Path = FORMS_DIR) -> dict:
    """{file name: content} for the forms a definition names, as `publish` expects them."""
    return {name: form_content(session, name, forms_dir) for name in sorted(filenames)}


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValidationError(f"Formulir {path.name} tidak dapat dibaca: {err}") from None


def _ensure_definition(session: Session, loaded: LoadedDefinition) -> None:
    definition = session.get(ProcessDefinition, loaded.key)
    if definition is None:
        session.add(ProcessDefinition(key=loaded.key, name=loaded.name[:200]))
        session.flush()
    else:
        definition.name = loaded.name[:200]


def latest_version(session: Session, key: str) -> ProcessVersion | None:
    stmt = (select(ProcessVersion).where(ProcessVersion.process_key == key)
            .order_by(ProcessVersion.version.desc()).limit(1))
    return session.scalars(stmt).first()


def require_latest(session: Session, key: str) -> ProcessVersion:
    version = latest_version(session, key)
    if version is None:
        raise NotFoundError(f"Proses '{key}' belum diterbitkan.")
    return version


def version_stamp(version: ProcessVersion) -> tuple:
    return version.id, version.checksum, version.published_at


def compiled(version: ProcessVersion | CompiledVersion) -> CompiledVersion:
    """The version's compiled form, cached per process."""
    if isinstance(version, CompiledVersion):
        return version
    stamp = version_stamp(version)
    if stamp not in _COMPILED:
        _COMPILED[stamp] = CompiledVersion(
            id=version.id, process_key=version.process_key, version=version.version, checksum=version.checksum,
            forms=copy.deepcopy(version.forms), specs=specs_for(version), lanes=lanes_for(version))
    return _COMPILED[stamp]


def compiled_by_stamp(session: Session, stamp: tuple) -> CompiledVersion:
    """The compiled version for a stamp read alongside the instance; the row is loaded only on a miss."""
    cached = _COMPILED.get(tuple(stamp))
    if cached is not None:
        return cached
    version = session.get(ProcessVersion, stamp[0])
    if version is None:
        raise NotFoundError("Versi proses tidak ditemukan.")
    return compiled(version)


def specs_for(version: ProcessVersion) -> ProcessSpecs:
    """The version's specs, deserialized once per process (keyed by id and checksum)."""
    cache_key = (version.id, version.checksum)
    if cache_key not in _SPECS:
        # SpiffWorkflow's converter rewrites the dict it is given; keep the stored JSON intact.
        _SPECS[cache_key] = deserialize_spec(copy.deepcopy(version.spec))
    return _SPECS[cache_key]


def lanes_for(version: ProcessVersion) -> Mapping[str, Mapping[str, str]]:
    """Lane name -> its spiff properties (e.g. `scopeVariable`), read from the stored XML once."""
    cache_key = (version.id, version.checksum)
    if cache_key not in _LANES:
        tree = parse_xml_safely(version.bpmn_xml.encode("utf-8"))
        process = tree.xpath("//bpmn:process[@id=$key]", namespaces=NS, key=version.process_key)
        _LANES[cache_key] = lane_properties(process[0]) if process else {}
    return _LANES[cache_key]
