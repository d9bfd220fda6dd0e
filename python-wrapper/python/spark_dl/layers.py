"""The nodes of a :class:`~spark_dl.network.Network`: :class:`Input` and the layer types, the twins of
Java's ``org.sparkdl.spec`` records. Each is an immutable value that validates its own fields and
states its shape rule; shapes never include the batch dimension.

This module holds the core types (dense, activation, dropout, merge and reshape layers) and gives
access to every other family: :mod:`spark_dl.conv_layers` (``Conv1d``, ``Conv2d``),
:mod:`spark_dl.pool_layers` (``MaxPool2d``, ``AvgPool2d``, ``GlobalAvgPool``),
:mod:`spark_dl.norm_layers` (``BatchNorm``, ``LayerNorm``), :mod:`spark_dl.sequence_layers`
(``Embedding``, ``Lstm``, ``Gru``, ``SequenceMeanPool``) and :mod:`spark_dl.attention_layers`
(``MultiHeadAttention``, ``PositionalEmbedding``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Tuple

from spark_dl._layer_base import Layer
from spark_dl.attention_layers import MultiHeadAttention, PositionalEmbedding
from spark_dl._spec_checks import (
    ACTIVATION_FUNCTIONS,
    DEFAULT_INIT,
    INITS,
    MAX_ELEMENTS,
    MAX_UNITS,
    _as_float,
    _as_int,
    _check_name,
    _check_shape_count,
    _copy_dims,
    _dims,
    _element_count,
    _java_double,
    _layer_error,
)
from spark_dl.conv_layers import Conv1d, Conv2d
from spark_dl.errors import NetworkSpecError
from spark_dl.norm_layers import BatchNorm, LayerNorm
from spark_dl.pool_layers import AvgPool2d, GlobalAvgPool, MaxPool2d
from spark_dl.sequence_layers import Embedding, Gru, Lstm, SequenceMeanPool

__all__ = ["Input", "Layer", "Dense", "Activation", "Dropout", "Add", "Concat", "Reshape", "Flatten",
           "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "GlobalAvgPool", "BatchNorm", "LayerNorm",
           "Embedding", "Lstm", "Gru", "MultiHeadAttention", "PositionalEmbedding", "SequenceMeanPool",
           "INITS", "ACTIVATION_FUNCTIONS"]


@dataclass(frozen=True)
class Input:
    """A network input: a named value fed per example, of the given shape (batch dimension excluded;
    a feature vector of width 784 has shape ``(784,)``).

    Args:
        name: unique node name that layers read, e.g. ``"features"``.
        shape: rank 1 to 8, every dimension > 0; an int means a vector of that width.
        sparse: rows come as sparse rows (their non-zeros), read only by dense layers, which keep
            their weight by input, ``[in, out]``; the shape is then one width.
    """

    name: str
    shape: Tuple[int, ...]
    sparse: bool = False

    def __post_init__(self) -> None:
        _check_name("Input", self.name)
        prefix = "Input '%s': " % self.name
        dims = _copy_dims(prefix, self.shape)
        for d in dims:
            if d <= 0:
                raise NetworkSpecError(prefix + "shape dims must be > 0, found %s." % _dims(dims))
        if _element_count(dims) > MAX_ELEMENTS:
            raise NetworkSpecError(prefix + "shape %s has more than %d elements." % (_dims(dims), MAX_ELEMENTS))
        if self.sparse and len(dims) != 1:
            raise NetworkSpecError("Input '%s' is sparse, so its shape must be one width, e.g. [1000000]; found %s."
                                   % (self.name, _dims(dims)))
        object.__setattr__(self, "shape", dims)


@dataclass(frozen=True)
class Dense(Layer):
    """A fully connected layer, ``y = x W + b``, over the last axis.

    Shapes: input ``[..., in]`` gives output ``[..., units]``. Parameters: weight ``[in, units]``
    and, with ``bias``, bias ``[units]`` (zeros at start).

    Args:
        units: output width, 1 to 2**24.
        bias: whether to add a learned bias (default True).
        init: weight initializer, one of :data:`INITS` (default ``glorot_uniform``).
        name: unique layer name; chosen by the builder when left out (``dense_1``, ...).
        inputs: the one node it reads; the previous node when left out.
    """

    TYPE: ClassVar[str] = "dense"
    units: int
    bias: bool = True
    init: str = DEFAULT_INIT
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)
        units = _as_int("Layer '%s'" % self.name, "units", self.units)
        if units <= 0:
            raise _layer_error(self.name, "units must be > 0, found %d." % units)
        if units > MAX_UNITS:
            raise _layer_error(self.name, "units must be at most %d, found %d." % (MAX_UNITS, units))
        if not isinstance(self.bias, bool):
            raise _layer_error(self.name, "bias must be True or False, found %r." % (self.bias,))
        if self.init not in INITS:
            raise _layer_error(self.name, "unknown init '%s'; known inits: %s." % (self.init, ", ".join(INITS)))
        object.__setattr__(self, "units", units)

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("units", self.units), ("bias", self.bias), ("init", self.init)]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        fan_in = shape[-1]
        if fan_in * self.units > MAX_ELEMENTS:
            raise _layer_error(self.name, "weight [%d, %d] for input shape %s has more than %d elements."
                               % (fan_in, self.units, _dims(shape), MAX_ELEMENTS))
        shape[-1] = self.units
        if _element_count(shape) > MAX_ELEMENTS:
            raise _layer_error(self.name, "output shape %s has more than %d elements." % (_dims(shape), MAX_ELEMENTS))
        return shape


def _uses_alpha(function: str) -> bool:
    return function in ("leaky_relu", "elu")


def _default_alpha(function: str) -> float:
    return 0.01 if function == "leaky_relu" else 1.0 if function == "elu" else 0.0


@dataclass(frozen=True)
class Activation(Layer):
    """An elementwise (for the softmax family, last-axis) nonlinearity; output shape = input shape.

    Args:
        function: one of :data:`ACTIVATION_FUNCTIONS`: ``relu``, ``leaky_relu`` (slope ``alpha`` for
            x < 0, default 0.01), ``elu`` (``alpha (e^x - 1)`` for x < 0, default 1.0), ``gelu``
            (tanh approximation, ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``), ``gelu_erf``
            (exact, ``0.5 x (1 + erf(x / sqrt 2))``, PyTorch's ``nn.GELU()`` default), ``silu``
            (``x sigmoid(x)``, also called swish), ``relu6`` (``min(max(x, 0), 6)``), ``hard_sigmoid``
            (``relu6(x + 3) / 6``), ``hard_swish`` (``x hard_sigmoid(x)``), ``softplus``
            (``log(1 + e^x)``), ``mish`` (``x tanh(softplus(x))``), ``selu`` (the self-normalising scaled ELU,
            PyTorch's ``nn.SELU``), ``sigmoid``, ``tanh``,
            ``softmax`` and ``log_softmax`` (both over the last axis), ``identity``.
        alpha: the function's parameter (leaky_relu, elu); left out, the function's default.
        name: unique layer name; chosen by the builder when left out (``relu_1``, ...).
        inputs: the one node it reads; the previous node when left out.
    """

    TYPE: ClassVar[str] = "activation"
    function: str
    alpha: Optional[float] = None
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)
        if self.function not in ACTIVATION_FUNCTIONS:
            raise _layer_error(self.name, "unknown activation function '%s'; known functions: %s."
                               % (self.function, ", ".join(ACTIVATION_FUNCTIONS)))
        alpha = _default_alpha(self.function) if self.alpha is None else _as_float("Layer '%s'" % self.name, "alpha", self.alpha)
        if _uses_alpha(self.function):
            if not math.isfinite(alpha) or alpha < 0:
                raise _layer_error(self.name, "alpha of %s must be finite and >= 0, found %s." % (self.function, _java_double(alpha)))
        elif alpha != 0.0:
            raise _layer_error(self.name, "function '%s' takes no alpha, found %s." % (self.function, _java_double(alpha)))
        object.__setattr__(self, "alpha", alpha + 0.0)

    def _name_prefix(self) -> str:
        return self.function

    def _fields(self) -> List[Tuple[str, Any]]:
        fields: List[Tuple[str, Any]] = [("function", self.function)]
        if _uses_alpha(self.function):
            fields.append(("alpha", float(self.alpha or 0.0)))
        return fields

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        _check_shape_count(self, input_shapes)
        return list(input_shapes[0])


@dataclass(frozen=True)
class Dropout(Layer):
    """Inverted dropout: in training each element is zeroed with probability ``rate`` and the rest
    scaled by ``1 / (1 - rate)``; the identity at inference. Output shape = input shape.

    Args:
        rate: drop probability, ``0 <= rate < 1``.
        name: unique layer name; chosen by the builder when left out (``dropout_1``, ...).
        inputs: the one node it reads; the previous node when left out.
    """

    TYPE: ClassVar[str] = "dropout"
    rate: float
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)
        rate = _as_float("Layer '%s'" % self.name, "rate", self.rate)
        if not (0.0 <= rate < 1.0):
            raise _layer_error(self.name, "rate must be in [0, 1), found %s." % _java_double(rate))
        object.__setattr__(self, "rate", rate)

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("rate", self.rate)]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        _check_shape_count(self, input_shapes)
        return list(input_shapes[0])


@dataclass(frozen=True)
class Add(Layer):
    """Elementwise sum of two or more equally shaped nodes (a residual connection); no broadcasting.

    Args:
        inputs: two or more node names (the same node may appear twice).
        name: unique layer name; chosen by the builder when left out (``add_1``, ...).
    """

    TYPE: ClassVar[str] = "add"
    inputs: Optional[Tuple[str, ...]] = None
    name: Optional[str] = None

    def __post_init__(self) -> None:
        self._check_common(2, None)

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        _check_shape_count(self, input_shapes)
        first = list(input_shapes[0])
        names = self.inputs or ()
        for i in range(1, len(input_shapes)):
            other = list(input_shapes[i])
            if other != first:
                raise _layer_error(self.name, "input shapes %s ('%s') and %s ('%s') differ; add needs equal shapes."
                                   % (_dims(first), names[0], _dims(other), names[i]))
        return first


@dataclass(frozen=True)
class Concat(Layer):
    """Concatenation of two or more nodes along ``axis``, counted over the per-example dimensions
    (``-1``, the default, is the last). Other dimensions must match.

    Args:
        inputs: two or more node names.
        axis: the dimension to join along, in ``[-rank, rank)``.
        name: unique layer name; chosen by the builder when left out (``concat_1``, ...).
    """

    TYPE: ClassVar[str] = "concat"
    inputs: Optional[Tuple[str, ...]] = None
    axis: int = -1
    name: Optional[str] = None

    def __post_init__(self) -> None:
        self._check_common(2, None)
        object.__setattr__(self, "axis", _as_int("Layer '%s'" % self.name, "axis", self.axis))

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("axis", self.axis)]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        _check_shape_count(self, input_shapes)
        names = self.inputs or ()
        first = list(input_shapes[0])
        rank = len(first)
        if self.axis < -rank or self.axis >= rank:
            raise _layer_error(self.name, "axis %d is out of range for input shape %s; use %d to %d (the batch "
                               "dimension is not counted)." % (self.axis, _dims(first), -rank, rank - 1))
        a = self.axis + rank if self.axis < 0 else self.axis
        total = first[a]
        for i in range(1, len(input_shapes)):
            other = list(input_shapes[i])
            pair = "input shapes %s ('%s') and %s ('%s')" % (_dims(first), names[0], _dims(other), names[i])
            if len(other) != rank:
                raise _layer_error(self.name, pair + " have different ranks; concat needs equal ranks.")
            for d in range(rank):
                if d != a and other[d] != first[d]:
                    raise _layer_error(self.name, pair + " differ outside axis %d; concat needs equal sizes in every "
                                       "other dimension." % self.axis)
            total += other[a]
        if total > MAX_ELEMENTS or _element_count(first) // first[a] * total > MAX_ELEMENTS:
            raise _layer_error(self.name, "output has more than %d elements." % MAX_ELEMENTS)
        first[a] = total
        return first


@dataclass(frozen=True)
class Reshape(Layer):
    """Reinterprets each example's elements with a new shape, in row-major order; one dimension may
    be ``-1`` (whatever makes the element counts match). ``(784,)`` to ``(1, 28, 28)`` gives one
    28x28 channel per example.

    Args:
        shape: target shape, rank 1 to 8, dims > 0 except at most one -1.
        name: unique layer name; chosen by the builder when left out (``reshape_1``, ...).
        inputs: the one node it reads; the previous node when left out.
    """

    TYPE: ClassVar[str] = "reshape"
    shape: Tuple[int, ...]
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)
        prefix = "Layer '%s': " % self.name
        dims = _copy_dims(prefix, self.shape)
        wildcards = 0
        for d in dims:
            if d == -1:
                wildcards += 1
            elif d <= 0:
                raise NetworkSpecError(prefix + "shape dims must be > 0 or -1, found %s." % _dims(dims))
        if wildcards > 1:
            raise NetworkSpecError(prefix + "shape may contain at most one -1, found %s." % _dims(dims))
        if _element_count(dims) > MAX_ELEMENTS:
            raise NetworkSpecError(prefix + "shape %s has more than %d elements." % (_dims(dims), MAX_ELEMENTS))
        object.__setattr__(self, "shape", dims)

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("shape", list(self.shape))]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        _check_shape_count(self, input_shapes)
        source = list(input_shapes[0])
        count = _element_count(source)
        known = _element_count(self.shape)
        if -1 not in self.shape:
            if known != count:
                raise _layer_error(self.name, "cannot reshape %s (%d elements) to %s (%d elements)."
                                   % (_dims(source), count, _dims(self.shape), known))
            return list(self.shape)
        if count % known != 0:
            raise _layer_error(self.name, "cannot reshape %s (%d elements) to %s; %d is not a multiple of %d."
                               % (_dims(source), count, _dims(self.shape), count, known))
        return [count // known if d == -1 else d for d in self.shape]


@dataclass(frozen=True)
class Flatten(Layer):
    """Flattens each example to a vector in row-major order: ``[d1, ..., dn]`` to ``[d1 * ... * dn]``.

    Args:
        name: unique layer name; chosen by the builder when left out (``flatten_1``, ...).
        inputs: the one node it reads; the previous node when left out.
    """

    TYPE: ClassVar[str] = "flatten"
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        _check_shape_count(self, input_shapes)
        return [_element_count(input_shapes[0])]


_LAYER_TYPES: Dict[str, type] = {t.TYPE: t for t in (Dense, Activation, Dropout, Add, Concat, Reshape, Flatten, Conv1d,
                                                     Conv2d, MaxPool2d, AvgPool2d, GlobalAvgPool, BatchNorm,
                                                     LayerNorm, Embedding, Lstm, Gru, MultiHeadAttention,
                                                     PositionalEmbedding, SequenceMeanPool)}
_TYPE_FIELDS: Dict[str, Tuple[str, ...]] = {
    "dense": ("units", "bias", "init"),
    "activation": ("function", "alpha"),
    "dropout": ("rate",),
    "add": (),
    "concat": ("axis",),
    "reshape": ("shape",),
    "flatten": (),
    "conv2d": ("filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "init"),
    "conv1d": ("filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "init"),
    "max_pool2d": ("kernel", "stride", "padding"),
    "avg_pool2d": ("kernel", "stride", "padding", "count_include_pad"),
    "global_avg_pool": (),
    "batch_norm": ("momentum", "epsilon"),
    "layer_norm": ("axes", "epsilon"),
    "embedding": ("vocabulary_size", "dimension", "padding_index"),
    "lstm": ("hidden_size", "num_layers", "bidirectional", "return_sequences"),
    "gru": ("hidden_size", "num_layers", "bidirectional", "return_sequences"),
    "multi_head_attention": ("heads", "causal", "bias"),
    "positional_embedding": ("init",),
    "sequence_mean_pool": (),
}
