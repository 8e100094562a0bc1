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
    _register(app)
    return app


def _register(app: Flask) -> None:
    from .blueprints import (
        admin,
        auth,
        diagrams,
        documents,
        employees,
        errors,
        home,
        me,
        notifications,
        proposals,
        reference,
        requests,
        tasks,
        transfers,
    )
    from .web import install_template_helpers

    for module in (auth, home, employees, me, admin, reference, tasks, proposals, requests, documents,
                   notifications, diagrams, transfers):
        app.register_blueprint(module.bp)
    errors.install(app)
    install_template_helpers(app)
