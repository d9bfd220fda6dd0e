"""Typed, strict access to the fields of one JSON object of a network, the twin of Java's
``org.sparkdl.spec.JsonFields``: the same rules (a present field must have the right JSON type; an
explicit ``null`` never means "use the default") and the same messages, which name the object's owner
and the field."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence

from spark_dl._spec_checks import _java_double
from spark_dl.errors import NetworkSpecError

_MAX_SHOWN_CHARS = 40
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _is_integral(value: Any) -> bool:
    """Jackson's ``isIntegralNumber``: a JSON number written without fraction or exponent."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _compact(value: Any) -> str:
    """A JSON value as Jackson's ``JsonNode.toString()`` writes it: compact, doubles as Java prints them."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in _SHORT_ESCAPES:
                out.append(_SHORT_ESCAPES[ch])
            elif ord(ch) < 0x20:
                out.append("\\u%04X" % ord(ch))
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, list):
        return "[" + ",".join(_compact(v) for v in value) + "]"
    return "{" + ",".join(_compact(k) + ":" + _compact(v) for k, v in value.items()) + "}"


def describe(value: Any) -> str:
    """A short description of a JSON value for messages, e.g. ``string "128"``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, (int, float)):
        kind = "number"
    elif isinstance(value, str):
        kind = "string"
    elif isinstance(value, list):
        kind = "array"
    else:
        kind = "object"
    text = _compact(value)
    if len(text) > _MAX_SHOWN_CHARS:
        text = text[:_MAX_SHOWN_CHARS] + "..."
    return kind + " " + text


def object_at(node: Any, where: str) -> "JsonFields":
    """The fields of ``node``, which must be a JSON object; ``where`` names it, e.g. ``layers[2]``."""
    if not isinstance(node, dict):
        raise NetworkSpecError("%s must be an object, found %s." % (where, describe(node)))
    return JsonFields(node, where)


class JsonFields:
    """The fields of one parsed JSON object (a dict), read by type.

    Args:
        node: the object, as ``json.loads`` gives it.
        owner: how messages refer to the object, e.g. ``"Layer 'dense_1'"``.
    """

    def __init__(self, node: Dict[str, Any], owner: str) -> None:
        self._node = node
        self._owner = owner

    def allow_only(self, known: Sequence[str]) -> None:
        """Rejects any field not in ``known``, listing the known ones so that typos are easy to fix."""
        for field in self._node:
            if field not in known:
                raise NetworkSpecError("%s has unknown field '%s'; known fields: %s."
                                       % (self._owner, field, ", ".join(sorted(known))))

    def has(self, field: str) -> bool:
        """Whether the field is present (even as ``null``)."""
        return field in self._node

    def require(self, field: str) -> Any:
        if field not in self._node:
            raise NetworkSpecError("%s has no '%s'." % (self._owner, field))
        return self._node[field]

    def require_int(self, field: str) -> int:
        return self._as_int(field, self.require(field))

    def int_or(self, field: str, fallback: int) -> int:
        return self.require_int(field) if self.has(field) else fallback

    def require_double(self, field: str) -> float:
        """A required number; integers are accepted and widened."""
        value = self.require(field)
        if not _is_number(value):
            raise self._wrong_type(field, "a number", value)
        try:
            return float(value)
        except OverflowError:  # an integer beyond the double range widens to an infinity, as in Java
            return math.inf if value > 0 else -math.inf

    def double_or(self, field: str, fallback: float) -> float:
        return self.require_double(field) if self.has(field) else fallback

    def boolean_or(self, field: str, fallback: bool) -> bool:
        if not self.has(field):
            return fallback
        value = self._node[field]
        if not isinstance(value, bool):
            raise self._wrong_type(field, "a boolean", value)
        return value

    def require_string(self, field: str) -> str:
        value = self.require(field)
        if not isinstance(value, str):
            raise self._wrong_type(field, "a string", value)
        return value

    def string_or(self, field: str, fallback: str) -> str:
        return self.require_string(field) if self.has(field) else fallback

    def require_array(self, field: str) -> List[Any]:
        value = self.require(field)
        if not isinstance(value, list):
            raise self._wrong_type(field, "an array", value)
        return value

    def require_int_list(self, field: str) -> List[int]:
        array = self.require_array(field)
        for element in array:
            if not _is_integral(element) or not _INT_MIN <= element <= _INT_MAX:
                raise self._wrong_type(field, "an array of integers", array)
        return list(array)

    def require_ints(self, field: str) -> List[int]:
        """An integer or an array of integers, as a list (one entry for a single integer)."""
        value = self.require(field)
        if _is_integral(value):
            return [self._as_int(field, value)]
        if not isinstance(value, list):
            raise self._wrong_type(field, "an integer or an array of integers", value)
        return self.require_int_list(field)

    def ints_or(self, field: str, fallback: List[int]) -> List[int]:
        return self.require_ints(field) if self.has(field) else fallback

    def padding_or(self, field: str) -> Any:
        """Padding: an integer, an array of integers, an array of ``[before, after]`` pairs, ``"same"`` or
        ``"valid"``; ``"valid"`` when absent. Returns ``"same"``, the sizes as given (empty for
        ``"valid"``), or the pairs where the two sides of an axis differ."""
        if not self.has(field):
            return ()
        value = self._node[field]
        if value == "same":
            return "same"
        if value == "valid":
            return ()
        if not _is_integral(value) and not isinstance(value, list):
            raise self._wrong_type(field, 'an integer, an array of integers, "same" or "valid"', value)
        if isinstance(value, list) and value and isinstance(value[0], list):
            return self._padding_pairs(field, value)
        sizes = self.require_ints(field)
        for size in sizes:
            if size < 0:
                raise NetworkSpecError("%s: field '%s' must be >= 0, found %s." % (self._owner, field, _compact(value)))
        return tuple(sizes)

    def _padding_pairs(self, field: str, value: List[Any]) -> Any:
        """Padding as ``[before, after]`` pairs, one per spatial axis (or one for every axis): the sizes
        where each pair is even, else the pairs."""
        pairs = []
        for pair in value:
            if not isinstance(pair, list) or len(pair) != 2 or not all(
                    _is_integral(v) and -2**31 <= v < 2**31 for v in pair):
                raise NetworkSpecError("%s: field '%s' must hold [before, after] pairs of integers, found %s."
                                       % (self._owner, field, _compact(value)))
            if pair[0] < 0 or pair[1] < 0:
                raise NetworkSpecError("%s: field '%s' must be >= 0, found %s." % (self._owner, field, _compact(value)))
            pairs.append((pair[0], pair[1]))
        if all(b == a for b, a in pairs):
            return tuple(b for b, _ in pairs)
        return tuple(pairs)

    def require_string_list(self, field: str) -> List[str]:
        array = self.require_array(field)
        for element in array:
            if not isinstance(element, str):
                raise self._wrong_type(field, "an array of strings", array)
        return list(array)

    def _as_int(self, field: str, value: Any) -> int:
        if not _is_integral(value):
            raise self._wrong_type(field, "an integer", value)
        if not _INT_MIN <= value <= _INT_MAX:
            raise NetworkSpecError("%s: field '%s' is out of range, found %s." % (self._owner, field, _compact(value)))
        return int(value)

    def _wrong_type(self, field: str, expected: str, found: Optional[Any]) -> NetworkSpecError:
        return NetworkSpecError("%s: field '%s' must be %s, found %s."
                                % (self._owner, field, expected, describe(found)))
