"""The `simasn` command: set-up steps, demo data, audit verification, and running everything."""
from __future__ import annotations

import sys

import click

from .config import ConfigError, load_settings


def _settings():
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(f"Konfigurasi tidak sah — {exc}") from None


def _session():
    from .extensions import db
    db.configure(_settings().database_url)
    return db.session()


@click.group(help="SIMASN — Sistem Informasi Manajemen ASN Kota Tangerang")
@click.pass_context
def main(ctx) -> None:
    from .extensions import db
    ctx.call_on_close(db.session.remove)


@main.command("check-config", help="Periksa variabel SIMASN_* dan tampilkan ringkasannya.")
def check_config() -> None:
    s = _settings()
    click.echo(f"Basis data : {s.database_url.split('@')[-1]}\nBroker     : {s.broker_url.split('@')[-1]}\n"
               f"Dokumen    : {s.document_store}\nMode demo  : {'ya' if s.demo_mode else 'tidak'}\n"
               f"SMTP       : {s.smtp_host or '(tidak diatur: notifikasi hanya di aplikasi)'}")


@main.command(help="Jalankan migrasi basis data sampai versi terbaru.")
def migrate() -> None:
    from .migrate import upgrade
    upgrade(_settings().database_url)
    click.echo("Migrasi selesai.")


@main.command("load-reference", help="Muat tabel referensi BKN dan tabel lokal (idempoten).")
def load_reference() -> None:
    from .services.reference import load_reference as load
    session = _session()
    loaded = load(session)
    session.commit()
    changed = {k: v for k, v in loaded.items() if v}
    click.echo(f"Referensi: {len(loaded)} tabel, {len(changed)} dimuat ulang, {sum(changed.values())} baris.")


@main.command("load-org", help="Muat pohon organisasi Kota Tangerang (idempoten).")
def load_org() -> None:
    from .services.organization import load_org_tree
    session = _session()
    count = load_org_tree(session)
    session.commit()
    click.echo(f"Organisasi: {count} unit.")


@main.command("load-processes", help="Terbitkan definisi proses dari workflows/ dan forms/ (idempoten).")
def load_processes() -> None:
    from pathlib import Path

    from . import __file__ as package_file
    from .services import operators
    from .services.audit import SYSTEM
    from .services.definitions import load_shipped
    from .services.errors import DomainError
    from .services.form_store import sync_from_files
    root = Path(package_file).resolve().parent.parent
    session = _session()
    try:
        forms = sync_from_files(session, root / "forms", SYSTEM)  # committed with the processes, or not at all
        published = load_shipped(session, root / "workflows", root / "forms", operators.operator_names(), SYSTEM)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Formulir: {len(forms)} berkas" + "".join(
        f"\n  {name}: {outcome}" for name, outcome in sorted(forms.items()) if outcome != "tetap"))
    changed = {key: v.version for key, v in published.items() if v is not None}
    click.echo(f"Proses: {len(published)} definisi, {len(changed)} versi baru"
               + "".join(f"\n  {key} v{number}" for key, number in sorted(changed.items())))


@main.command(help="Bangkitkan pegawai demo dan akun demo (hanya dalam mode demo).")
@click.option("--count", default=2000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Tanggal acuan data (bawaan: hari ini); seed + tanggal acuan yang sama = data yang sama.")
def demo(count: int, seed: int, as_of=None) -> None:
    if not _settings().demo_mode:
        raise click.ClickException("Data dan akun demo hanya dibuat bila SIMASN_DEMO_MODE=true.")
    from .demo.accounts import ensure_demo_accounts
    from .demo.generator import generate_employees
    session = _session()
    result = generate_employees(session, count=count, seed=seed, as_of=as_of.date() if as_of else None)
    click.echo(f"Pegawai demo: {result}")
    for username, password, roles in ensure_demo_accounts(session):
        click.echo(f"  {username:<18} {password:<18} {roles}")


@main.command("verify-audit", help="Periksa rantai hash jejak audit; sebutkan mata rantai pertama yang rusak.")
def verify_audit() -> None:
    from .services.audit import verify_chain
    report = verify_chain(_session())
    if report.ok:
        click.echo(f"Rantai audit utuh: {report.checked} kejadian diperiksa.")
        return
    click.echo(f"RUSAK: kejadian #{report.first_broken_seq} — {report.reason} "
               f"({report.checked} kejadian sebelumnya utuh).", err=True)
    sys.exit(1)


@main.command(help="Migrasi, referensi dan organisasi; dengan --demo juga data dan akun demo.")
@click.option("--demo/--no-demo", "with_demo", default=False)
@click.option("--count", default=2000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.pass_context
def setup(ctx, with_demo: bool, count: int) -> None:
    ctx.invoke(migrate)
    ctx.invoke(load_reference)
    ctx.invoke(load_org)
    ctx.invoke(load_processes)
    if with_demo:
        ctx.invoke(demo, count=count, seed=42)


@main.command(help="Jalankan server web, worker Celery dan beat dalam satu perintah.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--web-workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, web_workers: int) -> None:
    from .supervisor import run_all
    settings = _settings()
    sys.exit(run_all(settings, host, port, web_workers))
