"""The Celery broker as the web process sees it: publishing a task without waiting on a broker that is
down, and looking at the broker for the operations page (reachable? how many messages wait?)."""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import redis
from celery import Celery
from kombu import Connection
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
DELIVER_OUTBOX = "simasn.outbox.deliver"
SWEEP_TIMERS = "simasn.timers.sweep"
DEFAULT_QUEUE = "celery"
PROBE_TIMEOUT = 2  # seconds; the operations page must answer even when the broker does not


def _is_redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://"))


class TaskQueue:
    """A publish-only Celery client, built lazily in each process (never shared across a fork)."""

    def __init__(self, broker_url: str):
        self.broker_url = broker_url
        self._client: Celery | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def send(self, name: str, args: list | tuple = (), kwargs: dict | None = None, **options) -> bool:
        """Publish `name` (`options`: Celery's, e.g. `eta`, `expires`); False (logged) when the broker
        cannot take it — callers carry on."""
        try:
            self._celery().send_task(name, args=list(args), kwargs=kwargs or {}, retry=False, **options)
        except Exception as exc:  # any broker failure: the beat sweep picks the work up later
            log.warning("Tugas %s tidak dapat dikirim ke broker (%s); sweep berikutnya akan menjalankannya.",
                        name, exc)
            return False
        return True

    def wake_outbox(self) -> None:
        self.send(DELIVER_OUTBOX)

    def book_sweep(self, moment: datetime, expires_seconds: float) -> None:
        """A timer sweep due at `moment` (naive UTC), dropped if it cannot run within `expires_seconds`."""
        self.send(SWEEP_TIMERS, **booked_sweep(moment, expires_seconds))

    def _celery(self) -> Celery:
        with self._lock:
            if self._client is None or self._pid != os.getpid():
                self._client, self._pid = self._build(), os.getpid()
            return self._client

    def _build(self) -> Celery:
        client = Celery("simasn-client", broker=self.broker_url, set_as_current=False)
        client.conf.update(broker_connection_timeout=PROBE_TIMEOUT, broker_connection_retry=False,
                           broker_connection_max_retries=0, task_serializer="json", accept_content=["json"])
        if _is_redis(self.broker_url):  # the SQLAlchemy transport would pass these to create_engine()
            client.conf.broker_transport_options = {"socket_connect_timeout": PROBE_TIMEOUT,
                                                    "socket_timeout": PROBE_TIMEOUT, "max_retries": 0}
        return client


def booked_sweep(moment: datetime, expires_seconds: float) -> dict:
    """Celery's options for a booked timer sweep (`kwargs`, `eta`, `expires`) due at `moment` (naive UTC)
    and dropped if it cannot run within `expires_seconds` of it."""
    eta = moment.replace(tzinfo=UTC)
    return {"kwargs": {"booked": True}, "eta": eta, "expires": eta + timedelta(seconds=expires_seconds)}


@dataclass
class BrokerStatus:
    kind: str
    reachable: bool
    detail: str = ""
    queues: dict[str, int] = field(default_factory=dict)
    depth_unavailable: str | None = None


def broker_status(broker_url: str) -> BrokerStatus:
    """Is the broker reachable, and how many task messages wait in each queue."""
    if _is_redis(broker_url):
        return _redis_status(broker_url)
    if broker_url.startswith("sqla+"):
        return _sqla_status(broker_url.removeprefix("sqla+"))
    kind = broker_url.split(":", 1)[0]
    reachable, detail = _kombu_reachable(broker_url)
    return BrokerStatus(kind, reachable=reachable, detail=detail,
                        depth_unavailable=f"antrean broker {kind} tidak dapat dibaca langsung")


def _kombu_reachable(url: str) -> tuple[bool, str]:
    try:
        with Connection(url, connect_timeout=PROBE_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT)
    except Exception as exc:  # whatever the transport raises: the page reports it
        return False, str(exc)[:300]
    return True, ""


def _redis_status(url: str) -> BrokerStatus:
    client = redis.Redis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT)
    try:
        client.ping()
        depth = client.llen(DEFAULT_QUEUE)
    except redis.RedisError as exc:
        return BrokerStatus("redis", reachable=False, detail=str(exc),
                            depth_unavailable="Redis tidak dapat dihubungi")
    finally:
        client.close()
    return BrokerStatus("redis", reachable=True, queues={DEFAULT_QUEUE: depth})


def _sqla_status(database_url: str) -> BrokerStatus:
    engine = create_engine(database_url, connect_args={"timeout": PROBE_TIMEOUT}
                           if database_url.startswith("sqlite") else {})
    try:
        with engine.connect() as conn:
            if not _has_kombu_tables(conn):
                return BrokerStatus("sqlalchemy", reachable=True, queues={DEFAULT_QUEUE: 0})
            rows = conn.execute(text("SELECT q.name, COUNT(m.id) FROM kombu_queue q LEFT JOIN kombu_message m "
                                     "ON m.queue_id = q.id AND m.visible GROUP BY q.name"))
            queues = {name: count for name, count in rows if not name.endswith(".pidbox")}
    except SQLAlchemyError as exc:
        return BrokerStatus("sqlalchemy", reachable=False, detail=str(getattr(exc, "orig", None) or exc)[:300],
                            depth_unavailable="basis data broker tidak dapat dibuka")
    finally:
        engine.dispose()
    return BrokerStatus("sqlalchemy", reachable=True, queues=queues or {DEFAULT_QUEUE: 0})


def _has_kombu_tables(conn) -> bool:
    return {"kombu_queue", "kombu_message"} <= set(inspect(conn).get_table_names())
