"""The heat map of a process version: for every user task, how many completed instances passed it and
the median time they spent there.

"Time spent" at a task, for one instance, is the wall-clock time from the task becoming READY (its
human-task mirror row created) to the task leaving READY (completed, or ended by an interrupting
timer), summed over every pass of that instance (a revision loop passes a task again). The rows come
from `task_history`, written by the mirror (task_mirror.sync); only instances that ended as
`completed` count. One aggregate query: per element, the per-instance totals are ranked by window
functions (PostgreSQL: percentile_cont) and the median is the middle value (the mean of the two middle
values for an even count).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import ProcessDefinition, ProcessInstance, ProcessVersion, TaskHistory, User
from .errors import NotFoundError
from .instance_views import require_admin

GRADES = 5  # colour steps of the legend, from the shortest median to the longest


@dataclass(frozen=True)
class TaskHeat:
    bpmn_id: str
    name: str
    instances: int  # completed instances that passed the task
    passes: int  # times the task was passed in them (loops counted)
    median_seconds: float
    grade: int  # 1 .. GRADES, by median relative to the longest median of the version

    @property
    def median_label(self) -> str:
        return duration_label(self.median_seconds)


@dataclass(frozen=True)
class HeatMap:
    version: ProcessVersion
    definition_name: str
    completed: int  # completed instances of the version
    tasks: list[TaskHeat]

    def legend(self) -> list[tuple[int, str]]:
        """(grade, label): each grade covers medians up to its share of the longest median."""
        longest = max((task.median_seconds for task in self.tasks), default=0.0)
        if longest <= 0:
            return []
        return [(grade, f"sampai {duration_label(longest * grade / GRADES)}") for grade in range(1, GRADES + 1)]

    def as_json(self) -> dict:
        return {"xml": self.version.bpmn_xml, "completed": self.completed,
                "tasks": [{"id": t.bpmn_id, "name": t.name, "instances": t.instances, "passes": t.passes,
                           "median_seconds": t.median_seconds, "median": t.median_label, "grade": t.grade}
                          for t in self.tasks],
                "legend": [{"grade": grade, "label": label} for grade, label in self.legend()]}


def heat_map(session: Session, user: User, key: str, version_number: int) -> HeatMap:
    require_admin(user)
    version = session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == key,
                                                          ProcessVersion.version == version_number))
    if version is None:
        raise NotFoundError(f"Proses '{key[:64]}' versi {version_number} tidak ditemukan.")
    definition = session.get(ProcessDefinition, key)
    completed = session.scalar(select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.version_id == version.id, ProcessInstance.status == "completed"))
    return HeatMap(version, definition.name if definition else key, completed, _graded(_medians(session, version.id)))


def _medians(session: Session, version_id: int) -> list[tuple]:
    """(bpmn_id, name, instances, passes, median seconds) per task; PostgreSQL's percentile_cont, else the
    middle row(s) found by window functions (SQLite has no ordered-set aggregates)."""
    per_instance = (
        select(TaskHistory.bpmn_id, TaskHistory.instance_id, func.max(TaskHistory.task_name).label("name"),
               func.count().label("passes"), func.sum(TaskHistory.seconds).label("seconds"))
        .join(ProcessInstance, ProcessInstance.id == TaskHistory.instance_id)
        .where(TaskHistory.version_id == version_id, TaskHistory.bpmn_id.is_not(None),
               ProcessInstance.status == "completed")
        .group_by(TaskHistory.bpmn_id, TaskHistory.instance_id).subquery())
    if session.get_bind().dialect.name == "postgresql":
        median = func.percentile_cont(0.5).within_group(per_instance.c.seconds)
        stmt = select(per_instance.c.bpmn_id, func.max(per_instance.c.name), func.count(),
                      func.sum(per_instance.c.passes), median).group_by(per_instance.c.bpmn_id)
        return list(session.execute(stmt.order_by(per_instance.c.bpmn_id)))
    ranked = select(
        per_instance,
        func.row_number().over(partition_by=per_instance.c.bpmn_id, order_by=per_instance.c.seconds).label("rn"),
        func.count().over(partition_by=per_instance.c.bpmn_id).label("n"),
        func.sum(per_instance.c.passes).over(partition_by=per_instance.c.bpmn_id).label("all_passes"),
    ).subquery()
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    stmt = (select(ranked.c.bpmn_id, func.max(ranked.c.name), func.max(ranked.c.n), func.max(ranked.c.all_passes),
                   func.avg(ranked.c.seconds))
            .where(middle).group_by(ranked.c.bpmn_id).order_by(ranked.c.bpmn_id))
    return list(session.execute(stmt))


def _graded(rows: list[tuple]) -> list[TaskHeat]:
    longest = max((float(row[4]) for row in rows), default=0.0)
    return [TaskHeat(bpmn_id, name, int(n), int(passes), float(median), _grade(float(median), longest))
            for bpmn_id, name, n, passes, median in rows]


def _grade(median: float, longest: float) -> int:
    return max(1, math.ceil(GRADES * median / longest)) if longest > 0 else 1


def duration_label(seconds: float) -> str:
    """A duration in office words: '3 hari 4 jam', '2 jam 5 menit', '45 menit', '30 detik'."""
    minutes = int(seconds // 60)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days} hari {hours} jam" if hours else f"{days} hari"
    if hours:
        return f"{hours} jam {minutes} menit" if minutes else f"{hours} jam"
    return f"{minutes} menit" if minutes else f"{int(seconds)} detik" if seconds >= 1 else "kurang dari 1 detik"
