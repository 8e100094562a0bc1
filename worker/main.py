"""Entry point for `celery -A worker.main worker|beat`."""
from app import create_app

from . import init_celery

flask_app = create_app()
celery = init_celery(flask_app)
