"""SIMASN application factory."""
from __future__ import annotations

from flask import Flask

from .config import load_settings
from .extensions import csrf, db, limiter, login_manager


def create_app(config: dict | None = None, **overrides) -> Flask:
    """Build the app: bind extensions and register blueprints. No migrations, no network."""
    app = Flask(__name__, instance_relative_config=False)
    settings = load_settings(**overrides)
    app.config.from_mapping(settings.as_flask_config())
    app.config["SETTINGS"] = settings
    app.config.update(config or {})
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    _bind_outbox(app)
    _register(app)
    return app


def _bind_outbox(app: Flask) -> None:
    """Email settings for the outbox, and the publisher that, after a commit, wakes the worker for the
    outbox and books a timer sweep for a timer falling due before the next beat looks ahead."""
    from .dispatch import TaskQueue
    from .services import outbox, sweep_booking
    from .services.mail import MailSettings

    settings = app.config["SETTINGS"]
    queue = TaskQueue(settings.broker_url)
    app.extensions["simasn_queue"] = queue
    outbox.configure(MailSettings.from_settings(settings), wake=queue.wake_outbox)
    interval = float(settings.timer_sweep_seconds)
    sweep_booking.configure(lambda moment: queue.book_sweep(moment, interval), interval)


def _register(app: Flask) -> None:
    from .blueprints import (
        admin,
        auth,
        days_off,
        diagrams,
        documents,
        due_dates,
        employees,
        errors,
        form_editor,
        home,
        instances,
        lateness,
        me,
        notifications,
        operations,
        proposals,
        reference,
        requests,
        studio,
        studio_admin,
        tasks,
        transfers,
    )
    from .web import install_template_helpers

    for module in (auth, home, employees, me, due_dates, admin, reference, tasks, proposals, requests, documents,
                   notifications, diagrams, transfers, operations, days_off, lateness, instances,
                   studio_admin, form_editor, studio):
        app.register_blueprint(module.bp)
    errors.install(app)
    install_template_helpers(app)
