"""A tiny formula language: one rule text, two readings (an Excel formula and a Python value).

Scheme files write their rules as ``IF(actual >= target, weight, ROUND(actual / target * weight, 2))``.
:func:`to_excel` turns a rule into an Excel 2007 formula by replacing each name with a cell;
:func:`evaluate` computes the same rule in Python with decimals. Because both come from one text,
the template and the reconciliation cannot drift apart.

The syntax is Python's expression syntax restricted to numbers, strings, names, ``+ - * /``,
comparisons (``== != < <= > >=``) and the functions in :data:`FUNCTIONS`.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from perfxl.numbers import round_half_up, to_decimal

Value = Decimal | str | bool


def _if(condition: Value, then: Value, otherwise: Value) -> Value:
    return then if condition else otherwise


def _round(value: Value, places: Value) -> Decimal:
    return round_half_up(_num(value), int(_num(places)))


def _rounddown(value: Value, places: Value) -> Decimal:
    """Excel's ROUNDDOWN: cut the digits past ``places``, towards zero (truncation, no rounding)."""
    return _num(value).quantize(Decimal(1).scaleb(-int(_num(places))), rounding=ROUND_DOWN)


def _num(value: Value) -> Decimal:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, str):
        if value == "":
            return Decimal(0)  # Excel treats an empty cell as 0 in arithmetic
        raise ExprError(f"text {value!r} used as a number")
    return value


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "IF": _if,
    "MIN": lambda *xs: min(_num(x) for x in xs),
    "MAX": lambda *xs: max(_num(x) for x in xs),
    "ROUND": _round,
    "ROUNDDOWN": _rounddown,
    "ABS": lambda x: abs(_num(x)),
    "AND": lambda *xs: all(xs),
    "OR": lambda *xs: any(xs),
    "NOT": lambda x: not x,
    "ISNUMBER": lambda x: isinstance(x, Decimal),
}

_BINARY = {ast.Add: ("+", 4), ast.Sub: ("-", 4), ast.Mult: ("*", 5), ast.Div: ("/", 5)}
_COMPARE = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_COMPARE_PRECEDENCE = 3


class ExprError(ValueError):
    """A rule text that is not in the formula language, or that cannot be computed."""


@dataclass(frozen=True)
class Rule:
    """A parsed rule: its source text, the names it needs and its compiled Python form."""

    text: str
    tree: ast.expr
    names: frozenset[str]
    run: Callable[[Mapping[str, Value]], Value]


def parse(text: str) -> Rule:
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExprError(f"规则无法解析 / cannot parse rule {text!r}: {exc.msg}") from None
    names: set[str] = set()
    functions: set[int] = set()
    for node in ast.walk(tree):
        _check_node(node, text)
        if isinstance(node, ast.Call):
            functions.add(id(node.func))
        elif isinstance(node, ast.Name) and id(node) not in functions:
            names.add(node.id)
    return Rule(text, tree, frozenset(names), _compile(tree))


def functions_of(rule: Rule) -> frozenset[str]:
    """The functions a rule calls (a scheme option may need one, e.g. a ROUND to truncate)."""
    return frozenset(node.func.id for node in ast.walk(rule.tree)
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Name))


def rename_function(rule: Rule, old: str, new: str) -> Rule:
    """The same rule calling ``new`` wherever it called ``old`` (ROUND → ROUNDDOWN for truncation).

    Rebuilt from the tree, so the text, the Excel rendering and the Python evaluation stay one rule.
    """
    if new not in FUNCTIONS:
        raise ExprError(f"unknown function {new}")
    tree = ast.parse(rule.text.strip(), mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == old:
            node.func.id = new
    return parse(ast.unparse(tree))


def _check_node(node: ast.AST, text: str) -> None:
    allowed = (ast.Constant, ast.Name, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Call, ast.Load,
               ast.USub, ast.UAdd, *_BINARY, *_COMPARE)
    if not isinstance(node, allowed):
        raise ExprError(f"rule {text!r}: {type(node).__name__} is not allowed")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            raise ExprError(f"rule {text!r}: only the functions {sorted(FUNCTIONS)} are allowed")
    if isinstance(node, ast.Compare) and len(node.ops) != 1:
        raise ExprError(f"rule {text!r}: chained comparisons are not allowed")
    if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)):
        raise ExprError(f"rule {text!r}: constant {node.value!r} is not allowed")


def evaluate(rule: Rule, values: Mapping[str, Value]) -> Value:
    """Compute the rule in decimals; IF evaluates only the branch it takes, like Excel."""
    missing = rule.names - set(values)
    if missing:
        raise ExprError(f"rule {rule.text!r} needs {sorted(missing)}")
    return rule.run(values)


Compiled = Callable[[Mapping[str, Value]], Value]


def _compile(node: ast.expr) -> Compiled:
    """Turn the tree into nested closures once, so a batch does not walk the tree per cell."""
    if isinstance(node, ast.Constant):
        constant = node.value if isinstance(node.value, str) else to_decimal(node.value)
        return lambda values: constant
    if isinstance(node, ast.Name):
        name = node.id
        return lambda values: values[name]
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda values: -_num(operand(values))
        return lambda values: _num(operand(values))
    if isinstance(node, ast.BinOp):
        left, right = _compile(node.left), _compile(node.right)
        return _binary(type(node.op), left, right)
    if isinstance(node, ast.Compare):
        op, left, right = type(node.ops[0]), _compile(node.left), _compile(node.comparators[0])
        return lambda values: _compare(op, left(values), right(values))
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = [_compile(arg) for arg in node.args]
    if node.func.id == "IF":
        condition, then = args[0], args[1]
        otherwise = args[2] if len(args) > 2 else (lambda values: False)
        return lambda values: then(values) if condition(values) else otherwise(values)
    function = FUNCTIONS[node.func.id]
    return lambda values: function(*(arg(values) for arg in args))


def _binary(op: type, left: Compiled, right: Compiled) -> Compiled:
    if op is ast.Add:
        return lambda values: _num(left(values)) + _num(right(values))
    if op is ast.Sub:
        return lambda values: _num(left(values)) - _num(right(values))
    if op is ast.Mult:
        return lambda values: _num(left(values)) * _num(right(values))

    def divide(values: Mapping[str, Value]) -> Decimal:
        divisor = _num(right(values))
        if divisor == 0:
            raise ExprError("#DIV/0!")
        return _num(left(values)) / divisor

    return divide


_COMPARISONS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
                ast.Gt: operator.gt, ast.GtE: operator.ge}


def _compare(op: type, left: Value, right: Value) -> bool:
    if isinstance(left, str) != isinstance(right, str):
        # Excel: any text is greater than any number, and never equal to one.
        return _COMPARISONS[op](isinstance(left, str), isinstance(right, str))
    return _COMPARISONS[op](left, right)


def to_excel(rule: Rule, cells: Mapping[str, str]) -> str:
    """The rule as an Excel formula (without '='), each name replaced by its cell."""
    missing = rule.names - set(cells)
    if missing:
        raise ExprError(f"rule {rule.text!r} needs cells for {sorted(missing)}")
    return _excel(rule.tree, cells, 0)


def _excel(node: ast.expr, cells: Mapping[str, str], parent_precedence: int) -> str:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return '"' + node.value.replace('"', '""') + '"'
        return format(to_decimal(node.value), "f")
    if isinstance(node, ast.Name):
        return cells[node.id]
    if isinstance(node, ast.UnaryOp):
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return sign + _excel(node.operand, cells, 6)
    if isinstance(node, ast.BinOp):
        symbol, precedence = _BINARY[type(node.op)]
        left = _excel(node.left, cells, precedence)
        # a - (b - c) and a / (b * c) need their brackets: the right side binds tighter.
        right = _excel(node.right, cells, precedence + 1)
        text = f"{left}{symbol}{right}"
        return f"({text})" if precedence < parent_precedence else text
    if isinstance(node, ast.Compare):
        left = _excel(node.left, cells, _COMPARE_PRECEDENCE + 1)
        right = _excel(node.comparators[0], cells, _COMPARE_PRECEDENCE + 1)
        text = f"{left}{_COMPARE[type(node.ops[0])]}{right}"
        return f"({text})" if _COMPARE_PRECEDENCE < parent_precedence else text
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return node.func.id + "(" + ",".join(_excel(arg, cells, 0) for arg in node.args) + ")"
