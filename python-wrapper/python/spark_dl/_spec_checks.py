"""Validation shared by the network classes, worded like Java's ``org.sparkdl.spec.SpecChecks`` so
that Python and the JVM report the same problem with the same message."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple

from spark_dl.errors import NetworkSpecError

if TYPE_CHECKING:
    from spark_dl.layers import Input, Layer

FORMAT_VERSION = 1
MLP_INPUT = "features"
#: Weight initializers of :class:`~spark_dl.layers.Dense`.
INITS: Tuple[str, ...] = ("glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "normal", "uniform", "zeros")
#: Functions of :class:`~spark_dl.layers.Activation`.
ACTIVATION_FUNCTIONS: Tuple[str, ...] = (
    "elu", "gelu", "gelu_erf", "hard_sigmoid", "hard_swish", "identity", "leaky_relu", "log_softmax", "mish", "relu",
    "relu6", "selu", "sigmoid", "silu", "softmax", "softplus", "tanh",
)
DEFAULT_INIT = "glorot_uniform"
MAX_UNITS = 1 << 24
MAX_RANK = 8
MAX_NAME_LENGTH = 128
MAX_ELEMENTS = 2**31 - 1
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*\Z")


def _layer_error(layer: Optional[str], message: str) -> NetworkSpecError:
    return NetworkSpecError("Layer '%s': %s" % (layer, message))


def _check_name(kind: str, name: Any) -> None:
    if name is None:
        raise NetworkSpecError("%s has no name." % kind)
    if not isinstance(name, str) or len(name) > MAX_NAME_LENGTH or not _NAME.match(name):
        raise NetworkSpecError(
            "%s name '%s' is invalid; names use letters, digits, '_', '.', '/' and '-', do not start "
            "with '.', '/' or '-', and have at most %d characters." % (kind, name, MAX_NAME_LENGTH)
        )


def _check_inputs(layer: Optional[str], type_: str, inputs: Any, low: int, high: Optional[int]) -> Tuple[str, ...]:
    if isinstance(inputs, str):
        inputs = (inputs,)
    if inputs is None:
        raise _layer_error(layer, "inputs are missing.")
    copy = tuple(inputs)
    for name in copy:
        if name is None:
            raise _layer_error(layer, "inputs contain null.")
        if not isinstance(name, str):
            raise _layer_error(layer, "inputs must be node names (strings), found %r." % (name,))
    n = len(copy)
    if low == high and n != low:
        raise _layer_error(layer, "%s reads exactly %d input%s, found %d." % (type_, low, "" if low == 1 else "s", n))
    if n < low:
        raise _layer_error(layer, "%s needs at least %d inputs, found %d." % (type_, low, n))
    if high is not None and n > high:
        raise _layer_error(layer, "%s reads at most %d inputs, found %d." % (type_, high, n))
    return copy


def _as_int(owner: str, what: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise NetworkSpecError("%s: %s must be an integer, found %r." % (owner, what, value))
    return int(value)


def _as_float(owner: str, what: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NetworkSpecError("%s: %s must be a number, found %r." % (owner, what, value))
    # -0.0 would print differently from 0.0 and break exact JSON round trips.
    return float(value) + 0.0


def _copy_dims(prefix: str, shape: Any) -> Tuple[int, ...]:
    if shape is None:
        raise NetworkSpecError(prefix + "shape is missing.")
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    dims = []
    for d in shape:
        if d is None:
            raise NetworkSpecError(prefix + "shape contains null.")
        dims.append(_as_int(prefix.rstrip(": "), "shape", d))
    if not dims or len(dims) > MAX_RANK:
        raise NetworkSpecError(prefix + "shape must have rank 1 to %d, found %s." % (MAX_RANK, _dims(dims)))
    return tuple(dims)


def _element_count(shape: Iterable[int]) -> int:
    n = 1
    for d in shape:
        n *= abs(d)
        if n > MAX_ELEMENTS:
            return MAX_ELEMENTS + 1
    return n


def _dims(shape: Iterable[int]) -> str:
    """A shape as Java's List.toString writes it: ``[1, 28, 28]``."""
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _check_shape_count(layer: "Layer", shapes: Sequence[Sequence[int]]) -> None:
    expected = len(layer.inputs or ())
    if len(shapes) != expected:
        raise _layer_error(layer.name, "expected %d input shape%s, got %d." % (expected, "" if expected == 1 else "s", len(shapes)))


def _infer_shapes(inputs: Sequence["Input"], layers: Sequence["Layer"]) -> Dict[str, List[int]]:
    """The shape of every input and layer output, in network order, for layers whose inputs exist
    (Java's ``NetworkGraph.inferShapes``)."""
    shapes: Dict[str, List[int]] = {i.name: list(i.shape) for i in inputs}
    for layer in layers:
        out = layer.output_shape([shapes[name] for name in layer.inputs or ()])
        if not out or len(out) > MAX_RANK:
            raise _layer_error(layer.name, "output shape %s must have rank 1 to %d." % (_dims(out), MAX_RANK))
        shapes[str(layer.name)] = list(out)
    return shapes


def _duplicate(name: str) -> NetworkSpecError:
    return NetworkSpecError("Duplicate name '%s': every input and layer needs a unique name." % name)


def _unknown_reference(layer: Optional[str], name: str) -> NetworkSpecError:
    return NetworkSpecError("Layer '%s' reads '%s', which is not an input or an earlier layer." % (layer, name))


def _java_double(x: float) -> str:
    """``Double.toString(x)`` of Java: shortest round-trip digits, plain notation for
    ``1e-3 <= |x| < 1e7`` (at least one fractional digit), else ``d.dddE[-]n``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    magnitude = abs(x)
    _, digit_tuple, exponent = Decimal(repr(magnitude)).normalize().as_tuple()
    digits = "".join(str(d) for d in digit_tuple)
    point = len(digits) + int(exponent)  # value = 0.<digits> * 10**point
    if 1e-3 <= magnitude < 1e7:
        if point <= 0:
            body = "0." + "0" * (-point) + digits
        elif point >= len(digits):
            body = digits + "0" * (point - len(digits)) + ".0"
        else:
            body = digits[:point] + "." + digits[point:]
    else:
        body = digits[0] + "." + (digits[1:] or "0") + "E" + str(point - 1)
    return sign + body
