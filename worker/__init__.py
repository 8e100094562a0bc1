"""The Celery app, built from the Flask factory; tasks run inside an app context."""
from __future__ import annotations

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import task_failure, worker_process_init
from flask import Flask

from app.extensions import db

BEAT_SCHEDULE = {
    "heartbeat": {"task": "simasn.heartbeat", "schedule": 60.0},
    "due-date-reminders": {"task": "simasn.due_reminders", "schedule": crontab(hour=6, minute=0)},  # 06:00 WIB
    "outbox-sweep": {"task": "simasn.outbox.deliver", "schedule": 30.0},
}



def timer_sweep_entry(seconds: int) -> dict:
    """The timer sweep every `seconds`; a sweep message older than one interval is dropped, not run late."""
    return {"task": "simasn.timers.sweep", "schedule": float(seconds), "options": {"expires": float(seconds)}}


def init_celery(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    db.session.remove()

    settings = app.config["SETTINGS"]
    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=settings.broker_url, result_backend=settings.result_backend,
        broker_connection_retry_on_startup=True, task_acks_late=True, task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1, task_serializer="json", result_serializer="json", accept_content=["json"],
        timezone="Asia/Jakarta", enable_utc=True, result_expires=3600, beat_schedule=BEAT_SCHEDULE,
        beat_schedule_filename=str(settings.instance_path / "celerybeat-schedule"),
    )
    # No broker_transport_options for sqla+: kombu's SQLAlchemy transport passes every one of them to
    # create_engine(), so e.g. a polling_interval made every publish and the worker fail with TypeError.
    celery.conf.beat_schedule = {**BEAT_SCHEDULE, "timer-sweep": timer_sweep_entry(settings.timer_sweep_seconds)}
    celery.set_default()
    app.extensions["celery"] = celery
    _record_failures(app)
    from . import tasks  # noqa: F401  (registers the task shims)
    return celery


@worker_process_init.connect
def _dispose_engine_after_fork(**_kwargs):
    # A forked child must not reuse the parent's database connections.
    if db.engine is not None:
        db.engine.dispose(close=False)


def _record_failures(app: Flask) -> None:
    """Every task that raises is kept in `job_failures` for the operations page (and its re-run)."""
    from app.services import jobs

    def record(sender=None, task_id=None, exception=None, args=None, kwargs=None, **_extra):
        with app.app_context():
            try:
                jobs.record_failure(db.session(), getattr(sender, "name", str(sender)), task_id, args, kwargs,
                                    exception)
            except Exception:  # the database may be what failed; the worker log still has the error
                app.logger.exception("Tugas gagal %s tidak dapat dicatat.", task_id)
            finally:
                db.session.remove()

    task_failure.connect(record, weak=False, dispatch_uid="simasn.record_job_failure")
