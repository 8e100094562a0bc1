"""A safe evaluator for the expressions inside BPMN diagrams (conditions, timers, parameters).

A diagram is not a trusted program, so expressions are parsed with `ast` and interpreted
node by node: only literals, variable names, subscripts, comparisons, boolean logic,
basic arithmetic, conditional expressions and calls to registered functions are allowed.
Anything else is refused with a message in Bahasa Indonesia naming what is not allowed.
"""
from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Collection, Mapping
from functools import lru_cache
from typing import Any

from app.engine.errors import ExpressionError
from app.engine.functions import FUNCTION_ARITY, FUNCTION_NAMES, build_functions

MAX_LENGTH = 500
MAX_NODES = 200
MAX_SEQUENCE = 10_000
MAX_INT = 10**30

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_UNARY = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}
_CONSTANT_TYPES = (str, int, float, bool, type(None))

_REFUSED_NODES = {
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator",
    ast.NamedExpr: "operator walrus (:=)",
    ast.Starred: "argumen berbintang (*)",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Set: "himpunan (set)",
    ast.Slice: "irisan (slice)",
}
_REFUSED_OPERATORS = {
    ast.Pow: "pangkat (**)",
    ast.MatMult: "operator @",
    ast.LShift: "operator geser bit (<<)",
    ast.RShift: "operator geser bit (>>)",
    ast.BitAnd: "operator bit (&)",
    ast.BitOr: "operator bit (|)",
    ast.BitXor: "operator bit (^)",
    ast.Invert: "operator bit (~)",
    ast.Is: "operator 'is' (gunakan ==)",
    ast.IsNot: "operator 'is not' (gunakan !=)",
}


def _refused(what: str) -> str:
    return f"{what[0].upper()}{what[1:]} tidak diizinkan dalam ekspresi."


# ---------------------------------------------------------------- static checking


class _Checker:
    """Collects every fault of a parsed expression without evaluating anything."""

    def __init__(self, function_names: Collection[str]):
        self.function_names = function_names
        self.faults: list[str] = []

    def check(self, node: ast.AST) -> None:
        handler = getattr(self, f"_check_{type(node).__name__}", None)
        if handler is None:
            self.faults.append(_refused(_describe_node(node)))
            if isinstance(node, ast.Attribute):
                self.check(node.value)
            return
        handler(node)

    def _check_all(self, nodes) -> None:
        for child in nodes:
            self.check(child)

    def _check_Expression(self, node: ast.Expression) -> None:
        self.check(node.body)

    def _check_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, _CONSTANT_TYPES):
            self.faults.append(_refused(f"Konstanta jenis {type(node.value).__name__}"))
        elif isinstance(node.value, int) and abs(node.value) > MAX_INT:
            self.faults.append("Bilangan dalam ekspresi terlalu besar.")

    def _check_Name(self, node: ast.Name) -> None:
        if node.id.startswith("_"):
            self.faults.append(_refused(f"Nama yang diawali garis bawah ('{node.id}')"))
        elif node.id in self.function_names:
            self.faults.append(f"Fungsi '{node.id}' harus dipanggil, misalnya {node.id}(...).")

    def _check_Subscript(self, node: ast.Subscript) -> None:
        self._check_all((node.value, node.slice))

    def _check_Compare(self, node: ast.Compare) -> None:
        for op in node.ops:
            self._check_operator(op, _COMPARE)
        self._check_all((node.left, *node.comparators))

    def _check_BoolOp(self, node: ast.BoolOp) -> None:
        self._check_all(node.values)

    def _check_BinOp(self, node: ast.BinOp) -> None:
        self._check_operator(node.op, _BINARY)
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            self.faults.append(_refused("Pemformatan teks dengan %"))
        self._check_all((node.left, node.right))

    def _check_UnaryOp(self, node: ast.UnaryOp) -> None:
        self._check_operator(node.op, _UNARY)
        self.check(node.operand)

    def _check_IfExp(self, node: ast.IfExp) -> None:
        self._check_all((node.test, node.body, node.orelse))

    def _check_List(self, node: ast.List) -> None:
        self._check_all(node.elts)

    _check_Tuple = _check_List

    def _check_Dict(self, node: ast.Dict) -> None:
        if any(key is None for key in node.keys):
            self.faults.append(_refused("Pembongkaran kamus (**)"))
        self._check_all([key for key in node.keys if key is not None] + node.values)

    def _check_Call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            self.check(node.func)
            self.faults.append(_refused("Pemanggilan selain fungsi yang terdaftar"))
        elif node.func.id not in self.function_names:
            allowed = ", ".join(sorted(self.function_names))
            self.faults.append(f"Fungsi '{node.func.id}' tidak diizinkan dalam ekspresi; "
                               f"fungsi yang tersedia: {allowed}.")
        else:
            self._check_arity(node.func.id, len(node.args))
        if node.keywords:
            self.faults.append(_refused("Argumen bernama (nama=nilai)"))
        self._check_all(node.args)

    def _check_arity(self, name: str, count: int) -> None:
        low, high = FUNCTION_ARITY.get(name, (0, None))
        if count < low or (high is not None and count > high):
            expected = str(low) if low == high else f"paling sedikit {low}"
            self.faults.append(f"Fungsi '{name}' menerima {expected} argumen, bukan {count}.")

    def _check_operator(self, op: ast.AST, allowed: Mapping) -> None:
        if type(op) not in allowed:
            self.faults.append(_refused(_REFUSED_OPERATORS.get(type(op), f"Operator {type(op).__name__}")))


def _describe_node(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"Akses atribut '.{node.attr}'"
    return _REFUSED_NODES.get(type(node), f"Bentuk {type(node).__name__}")


def _parse(expression: str) -> tuple[ast.Expression | None, list[str]]:
    if not isinstance(expression, str) or not expression.strip():
        return None, ["Ekspresi kosong."]
    if len(expression) > MAX_LENGTH:
        return None, [f"Ekspresi terlalu panjang ({len(expression)} karakter; paling banyak {MAX_LENGTH})."]
    try:
        return ast.parse(expression.strip(), mode="eval"), []
    except SyntaxError as err:
        return None, [f"Ekspresi tidak dapat dibaca: kesalahan penulisan di kolom {err.offset or 1}."]
    except (ValueError, RecursionError, MemoryError):
        return None, ["Ekspresi tidak dapat dibaca: berisi karakter atau susunan yang tidak sah."]


@lru_cache(maxsize=1024)
def _checked(expression: str, function_names: frozenset[str]) -> tuple[ast.Expression | None, tuple[str, ...]]:
    tree, faults = _parse(expression)
    if tree is None:
        return None, tuple(faults)
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        return None, (f"Ekspresi terlalu rumit ({nodes} simpul; paling banyak {MAX_NODES}).",)
    checker = _Checker(function_names)
    checker.check(tree)
    return tree, tuple(dict.fromkeys(checker.faults))


def check_expression(expression: str, function_names: Collection[str] = FUNCTION_NAMES) -> list[str]:
    """Every reason why `expression` would be refused; empty when it is allowed."""
    return list(_checked(expression, frozenset(function_names))[1])


# ---------------------------------------------------------------- evaluation


class _Interpreter:
    def __init__(self, variables: Mapping[str, Any], functions: Mapping[str, Callable]):
        self.variables = variables
        self.functions = functions

    def run(self, node: ast.AST) -> Any:
        return getattr(self, f"_eval_{type(node).__name__}")(node)

    def _eval_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _eval_Name(self, node: ast.Name) -> Any:
        if node.id not in self.variables:
            raise ExpressionError(f"Variabel '{node.id}' tidak dikenal.")
        return self.variables[node.id]

    def _eval_Subscript(self, node: ast.Subscript) -> Any:
        container, key = self.run(node.value), self.run(node.slice)
        if not isinstance(container, (dict, list, tuple, str)):
            raise ExpressionError(f"Nilai jenis {type(container).__name__} tidak dapat diberi indeks.")
        try:
            return container[key]
        except KeyError:
            raise ExpressionError(f"Kunci {key!r} tidak ada.") from None
        except IndexError:
            raise ExpressionError(f"Indeks {key!r} di luar jangkauan.") from None

    def _eval_Compare(self, node: ast.Compare) -> bool:
        left = self.run(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.run(comparator)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def _eval_BoolOp(self, node: ast.BoolOp) -> Any:
        value = None
        for child in node.values:
            value = self.run(child)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def _eval_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.run(node.left), self.run(node.right)
        if isinstance(node.op, ast.Mod) and isinstance(left, str):
            raise ExpressionError(_refused("Pemformatan teks dengan %"))
        if isinstance(node.op, ast.Mult):
            _guard_repeat(left, right)
        return _guard_size(_BINARY[type(node.op)](left, right))

    def _eval_UnaryOp(self, node: ast.UnaryOp) -> Any:
        return _UNARY[type(node.op)](self.run(node.operand))

    def _eval_IfExp(self, node: ast.IfExp) -> Any:
        return self.run(node.body) if self.run(node.test) else self.run(node.orelse)

    def _eval_List(self, node: ast.List) -> list:
        return [self.run(item) for item in node.elts]

    def _eval_Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.run(item) for item in node.elts)

    def _eval_Dict(self, node: ast.Dict) -> dict:
        return {self.run(key): self.run(value) for key, value in zip(node.keys, node.values)}

    def _eval_Call(self, node: ast.Call) -> Any:
        name = node.func.id
        if name not in self.functions:
            raise ExpressionError(f"Fungsi '{name}' tidak tersedia.")
        args = [self.run(arg) for arg in node.args]
        return _guard_size(self.functions[name](*args))


def _guard_repeat(left: Any, right: Any) -> None:
    for sequence, count in ((left, right), (right, left)):
        repeats = isinstance(sequence, (str, list, tuple)) and isinstance(count, int)
        if repeats and len(sequence) * max(count, 0) > MAX_SEQUENCE:
            raise ExpressionError("Hasil perkalian teks atau daftar terlalu besar.")


def _guard_size(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise ExpressionError("Hasil perhitungan terlalu besar.")
    if isinstance(value, (str, list, tuple, dict)) and len(value) > MAX_SEQUENCE:
        raise ExpressionError("Hasil perhitungan terlalu panjang.")
    return value


def evaluate(expression: str, variables: Mapping[str, Any], functions: Mapping[str, Callable] | None = None) -> Any:
    """Evaluate an allowed expression against `variables`; raise ExpressionError otherwise."""
    functions = build_functions() if functions is None else functions
    tree, faults = _checked(expression, frozenset(functions))
    if faults:
        raise ExpressionError(" ".join(faults))
    try:
        return _Interpreter(variables, functions).run(tree.body)
    except ExpressionError:
        raise
    except ZeroDivisionError:
        raise ExpressionError("Pembagian dengan nol.") from None
    except (TypeError, ValueError, OverflowError) as err:
        raise ExpressionError(f"Ekspresi '{expression}' gagal dihitung: {err}.") from None
