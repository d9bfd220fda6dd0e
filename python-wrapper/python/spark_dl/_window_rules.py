"""Field checks and shape rules of the layers that slide a window over spatial axes (convolutions and
pooling): the twin of Java's ``org.sparkdl.spec.WindowRules`` and ``Padding``, worded the same way.

Padding is held as ``"same"``, a tuple of explicit sizes, one per spatial axis, applied on both
sides, or a tuple of ``(before, after)`` pairs, one per axis, where the two sides of an axis differ.
``"same"`` pads so that the output has ``ceil(in / stride)`` positions along each axis, splitting
the total padding ``max((out - 1) stride + dilation (kernel - 1) + 1 - in, 0)`` evenly with an odd
element at the end (TensorFlow's and ONNX's ``SAME_UPPER``); ``"valid"`` is explicit padding of 0.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, Union

from spark_dl._spec_checks import (
    INITS,
    MAX_ELEMENTS,
    _as_int,
    _dims,
    _element_count,
    _layer_error,
)
from spark_dl.errors import NetworkSpecError

#: ``"same"``, explicit sizes per spatial axis, or ``(before, after)`` pairs per axis.
PaddingValue = Union[str, Tuple[int, ...], Tuple[Tuple[int, int], ...]]
#: What a layer's ``padding`` argument accepts: ``"same"``, ``"valid"``, an int, sizes or pairs per axis.
PaddingArg = Union[str, int, Sequence[int], Sequence[Sequence[int]]]
_INT_MAX = 2**31 - 1


def padding_sizes(layer: Optional[str], padding: Any) -> PaddingValue:
    """A padding argument (``"same"``, ``"valid"``, an int or a sequence of ints) as ``"same"`` or the
    sizes given (empty for ``"valid"``), each checked >= 0 like Java's ``Padding`` record."""
    if padding is None:
        raise _layer_error(layer, "padding is missing.")
    if isinstance(padding, str):
        if padding == "same":
            return "same"
        if padding == "valid":
            return ()
        raise _layer_error(layer, "padding must be an integer, a sequence of integers, 'same' or 'valid', found %r."
                           % (padding,))
    values = (padding,) if isinstance(padding, int) or not hasattr(padding, "__iter__") else tuple(padding)
    if values and all(hasattr(v, "__iter__") and not isinstance(v, str) for v in values):
        return _padding_pairs(layer, values)
    sizes = tuple(_as_int("Layer '%s'" % layer, "padding", v) for v in values)
    if any(s < 0 for s in sizes):
        raise NetworkSpecError("Padding sizes must be >= 0, found %s." % _dims(sizes))
    return sizes


def _padding_pairs(layer: Optional[str], values: Tuple[Any, ...]) -> PaddingValue:
    """``(before, after)`` pairs, checked as Java's ``Padding`` checks its two lists; the sizes where
    every pair is even."""
    pairs = [tuple(v) for v in values]
    if any(len(p) != 2 for p in pairs):
        raise _layer_error(layer, "padding pairs must be (before, after), found %r." % (values,))
    before = tuple(_as_int("Layer '%s'" % layer, "padding", p[0]) for p in pairs)
    after = tuple(_as_int("Layer '%s'" % layer, "padding", p[1]) for p in pairs)
    for sizes in (before, after):
        if any(s < 0 for s in sizes):
            raise NetworkSpecError("Padding sizes must be >= 0, found %s." % _dims(sizes))
    if before == after:
        return before
    return tuple(zip(before, after))


def is_pairs(padding: Any) -> bool:
    """Whether a normalised padding is held as ``(before, after)`` pairs."""
    return not isinstance(padding, str) and len(padding) > 0 and isinstance(padding[0], tuple)


def for_rank(layer: Optional[str], padding: PaddingValue, rank: int) -> PaddingValue:
    """The padding for ``rank`` spatial axes: a single size (or none, for ``"valid"``) is repeated."""
    if isinstance(padding, str) or len(padding) == rank:
        return padding
    if len(padding) <= 1:
        return tuple([padding[0] if padding else 0] * rank)
    raise _layer_error(layer, "padding %s must have %d size%s (one per spatial axis), or be a single size, 'same' or "
                       "'valid'." % (padding_text(padding), rank, "" if rank == 1 else "s"))


def padding_text(padding: PaddingValue) -> str:
    """How Java prints a padding: ``same``, ``[1, 1]`` or ``[[0, 1], [1, 0]]``."""
    if isinstance(padding, str):
        return padding
    if is_pairs(padding):
        return "[" + ", ".join(_dims(p) for p in padding) + "]"
    return _dims(padding)


def amounts(padding: PaddingValue, axis: int, size: int, kernel: int, stride: int, dilation: int) -> Tuple[int, int]:
    """Zeros before and after a spatial axis of ``size`` positions."""
    if is_pairs(padding):
        return padding[axis][0], padding[axis][1]
    if not isinstance(padding, str):
        return padding[axis], padding[axis]
    out = (size + stride - 1) // stride
    total = max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - size)
    return total // 2, total - total // 2


def per_axis(layer: Optional[str], field: str, values: Any, rank: int, minimum: int) -> Tuple[int, ...]:
    """A per-axis field (kernel, stride, dilation) with one entry per spatial axis; a single value is
    used for every axis."""
    if values is None:
        raise _layer_error(layer, "%s is missing." % field)
    if isinstance(values, int) or not hasattr(values, "__iter__") or isinstance(values, str):
        values = (values,)
    given = tuple(_as_int("Layer '%s'" % layer, field, v) for v in values)
    if len(given) != rank and len(given) != 1:
        raise _layer_error(layer, "%s %s must have %d entr%s (one per spatial axis) or be a single number."
                           % (field, _dims(given), rank, "y" if rank == 1 else "ies"))
    out = []
    for i in range(rank):
        v = given[0 if len(given) == 1 else i]
        if v < minimum:
            raise _layer_error(layer, "%s must be >= %d, found %s." % (field, minimum, _dims(given)))
        out.append(v)
    return tuple(out)


def pool_padding(layer: Optional[str], padding: PaddingValue, kernel: Sequence[int]) -> PaddingValue:
    """A pooling layer's padding (as :func:`padding_sizes` gives it) for the kernel's rank: explicit
    sizes at most half the kernel, so that no window lies in the padding alone."""
    p = for_rank(layer, padding, len(kernel))
    if not isinstance(p, str):
        for a in range(len(kernel)):
            if 2 * max(amounts(p, a, 0, kernel[a], 1, 1)) > kernel[a]:
                raise _layer_error(layer, "padding %s must be at most half the kernel %s."
                                   % (padding_text(p), _dims(kernel)))
    return p


def output_sizes(layer: Optional[str], type_: str, shape: Sequence[int], kernel: Sequence[int],
                 stride: Sequence[int], dilation: Sequence[int], padding: PaddingValue) -> List[int]:
    """The spatial output sizes for an input ``[channels, ...spatial]``; rejects the wrong rank and
    kernels whose span exceeds the padded input."""
    rank = len(kernel)
    if len(shape) != rank + 1:
        expected = "[channels, length]" if rank == 1 else "[channels, height, width]"
        hint = "; reshape it first, e.g. to [1, height, width]." if len(shape) == 1 and rank == 2 else "."
        raise _layer_error(layer, "%s needs an input %s (batch excluded), found %s%s"
                           % (type_, expected, _dims(shape), hint))
    out, padded, span = [], [], []
    fits = True
    for a in range(rank):
        size = shape[a + 1]
        before, after = amounts(padding, a, size, kernel[a], stride[a], dilation[a])
        p = size + before + after
        s = dilation[a] * (kernel[a] - 1) + 1
        padded.append(min(_INT_MAX, p))
        span.append(min(_INT_MAX, s))
        fits = fits and s <= p
        o = max(0, (p - s) // stride[a] + 1)
        if fits and o > MAX_ELEMENTS:
            raise _layer_error(layer, "output size %d along spatial axis %d (input %s, padding %s) has more than %d "
                               "elements." % (o, a, _dims(shape), padding_text(padding), MAX_ELEMENTS))
        out.append(o)
    if not fits:
        raise _layer_error(layer, "kernel %s with dilation %s spans %s, more than the input %s padded to %s "
                           "(padding %s)."
                           % (_dims(kernel), _dims(dilation), _dims(span), _dims(shape), _dims(padded),
                              padding_text(padding)))
    return out


def ints(values: Any) -> List[int]:
    """A normalised per-axis field or padding (held in a field typed for the arguments it accepts)."""
    return [int(v) for v in values]


def padding_value(padding: Any) -> PaddingValue:
    """A normalised padding field as :data:`PaddingValue`."""
    if padding == "same":
        return "same"
    if is_pairs(padding):
        return tuple((int(b), int(a)) for b, a in padding)
    return tuple(ints(padding))


def padding_json(padding: Any) -> Any:
    """The canonical JSON of a normalised padding: ``"same"``, one size per spatial axis, or one
    ``[before, after]`` pair per axis."""
    if padding == "same":
        return "same"
    if is_pairs(padding):
        return [[int(b), int(a)] for b, a in padding]
    return ints(padding)


def window_shape(layer: Optional[str], channels: int, sizes: Sequence[int]) -> List[int]:
    """``[channels, ...sizes]``, checked against the element limit."""
    out = [channels, *sizes]
    if _element_count(out) > MAX_ELEMENTS:
        raise _layer_error(layer, "output shape %s has more than %d elements." % (_dims(out), MAX_ELEMENTS))
    return out


def check_init(layer: Optional[str], init: Any) -> None:
    if init not in INITS:
        shown = "null" if init is None else init  # as Java prints a missing one
        raise _layer_error(layer, "unknown init '%s'; known inits: %s." % (shown, ", ".join(INITS)))


def check_groups(layer: Optional[str], filters: int, groups: int) -> None:
    """``filters`` > 0 and ``groups`` >= 1 dividing it."""
    if filters <= 0:
        raise _layer_error(layer, "filters must be > 0, found %d." % filters)
    if groups < 1 or filters % groups != 0:
        raise _layer_error(layer, "groups must be >= 1 and divide filters %d, found %d." % (filters, groups))


def check_input_groups(layer: Optional[str], shape: Sequence[int], groups: int) -> None:
    if shape[0] % groups != 0:
        raise _layer_error(layer, "input channels %d (input shape %s) are not divisible by groups %d."
                           % (shape[0], _dims(shape), groups))


def check_bool(layer: Optional[str], field: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise _layer_error(layer, "%s must be True or False, found %r." % (field, value))
