"""Typed errors of the engine; each message is Bahasa Indonesia and safe to show to a user."""
from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class ExpressionError(EngineError):
    """An expression is not allowed, or failed while it was being evaluated."""


class DefinitionError(EngineError):
    """A BPMN definition was refused; `problems` lists every fault, one message each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class TaskNotFoundError(EngineError):
    """No task with that id exists in the workflow."""


class TaskNotReadyError(EngineError):
    """The task exists but cannot be completed now (already done, or not a user task)."""


class OperatorError(EngineError):
    """A service-task operator is unknown or failed."""


class ProcessStepError(EngineError):
    """Running the process failed at a task; the workflow object must be discarded."""
