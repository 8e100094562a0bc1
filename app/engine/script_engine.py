"""The script engine SpiffWorkflow runs with: safe expressions, no scripts, registered operators.

SpiffWorkflow evaluates expressions both through the engine (`evaluate`) and directly
through its environment (process completion conditions, message correlations), so both
layers are replaced. Scripts (script tasks, pre/post scripts) are always refused.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import (
    BasePythonScriptEngineEnvironment,
    PythonScriptEngine,
)

from app.engine.errors import ExpressionError, OperatorError
from app.engine.expressions import check_expression, evaluate
from app.engine.functions import build_functions
from app.engine.workdays import WorkCalendar

Operator = Callable[[dict, dict], Any]
SCRIPT_REFUSED = "Script tidak diizinkan; gunakan service task dengan operator yang terdaftar."


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions with the whitelist and dispatches service calls to a registry."""

    def __init__(self, operators: Mapping[str, Operator] | None = None, calendar: WorkCalendar | None = None):
        super().__init__()
        self.functions = build_functions(calendar)
        self.operators = dict(operators or {})

    def evaluate(self, expression, context, external_context=None):
        variables = {**(external_context or {}), **context}
        return evaluate(expression, variables, self.functions)

    def execute(self, script, context, external_context=None):
        raise ExpressionError(SCRIPT_REFUSED)

    def call_service(self, context, operation_name=None, operation_params=None, **_ignored):
        """Run operator `operation_name` with plain parameter values and the live task data."""
        operator = self.operators.get(operation_name)
        if operator is None:
            raise OperatorError(f"Operator '{operation_name}' tidak terdaftar.")
        params = {name: param["value"] for name, param in (operation_params or {}).items()}
        return operator(params, context)


class SafeScriptEngine(PythonScriptEngine):
    """The only script engine a workflow of this application may run with."""

    def __init__(self, operators: Mapping[str, Operator] | None = None, calendar: WorkCalendar | None = None):
        super().__init__(environment=SafeEnvironment(operators, calendar))

    @property
    def operators(self) -> dict[str, Operator]:
        return self.environment.operators

    def validate(self, expression):
        faults = check_expression(expression, self.environment.functions)
        if faults:
            raise ExpressionError(" ".join(faults))

    def evaluate(self, task, expression, external_context=None):
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except ExpressionError as err:
            raise WorkflowTaskException(_at(task, str(err)), task=task, exception=err) from err

    def execute(self, task, script, external_context=None):
        raise WorkflowTaskException(_at(task, SCRIPT_REFUSED), task=task)

    def call_service(self, task, **kwargs):
        """SpiffWorkflow's service task expects a JSON text back; the result lands in its result variable."""
        try:
            result = self.environment.call_service(task.data, **kwargs)
            return json.dumps(result, default=str)
        except OperatorError as err:
            raise WorkflowTaskException(_at(task, str(err)), task=task, exception=err) from err
        except Exception as err:
            name = kwargs.get("operation_name")
            message = _at(task, f"Operator '{name}' gagal: {type(err).__name__}: {err}")
            raise WorkflowTaskException(message, task=task, exception=err) from err


def _at(task, message: str) -> str:
    spec = task.task_spec
    label = getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name
    return f"Langkah '{label}': {message}"
