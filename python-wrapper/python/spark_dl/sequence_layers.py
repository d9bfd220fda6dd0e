"""Sequence layers, :class:`Embedding`, :class:`Lstm`, :class:`Gru` and :class:`SequenceMeanPool`: the
twins of Java's ``org.sparkdl.spec.Embedding``, ``Lstm``, ``Gru`` and ``SequenceMeanPool`` (same fields,
defaults, JSON, shape rules and messages).

Sequences have the per-example shape ``[T, F]``: ``T`` steps of ``F`` features. Sequences of different
lengths are padded to ``T`` steps, and a network input of shape ``[1]``, conventionally named
``lengths``, holds each example's number of real steps (a float holding a whole number in ``[1, T]``);
a layer that honours it lists it as its second input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, List, Optional, Sequence, Tuple

from spark_dl._json_fields import JsonFields
from spark_dl._layer_base import Layer
from spark_dl._spec_checks import MAX_ELEMENTS, MAX_UNITS, _as_int, _check_shape_count, _dims, _layer_error
from spark_dl._window_rules import check_bool

__all__ = ["Embedding", "Lstm", "Gru", "SequenceMeanPool", "MAX_RECURRENT_LAYERS"]

#: Most stacked recurrent layers; deeper stacks are almost certainly a mistake.
MAX_RECURRENT_LAYERS = 64


def check_lengths(layer: Layer, input_shapes: Sequence[Sequence[int]]) -> None:
    """Checks that the layer's optional second input, if any, has the shape ``[1]`` of a lengths input
    (Java's ``SequenceLengths.check``)."""
    if len(input_shapes) > 1 and list(input_shapes[1]) != [1]:
        raise _layer_error(layer.name, "its second input '%s' holds the sequence lengths and must have shape [1] "
                           "(one length per example); found %s." % ((layer.inputs or ())[1], _dims(input_shapes[1])))


@dataclass(frozen=True)
class Embedding(Layer):
    r"""A learned vector per token id, as PyTorch's ``nn.Embedding``:

    .. math::
        y[t, :] = W[x[t], :]

    Args:
        vocabulary_size: number of rows, so token ids ``0 .. vocabulary_size - 1``; > 0.
        dimension: width of each vector, > 0.
        padding_index: the padding token's row in ``[0, vocabulary_size)``, which starts at zero and
            never gets a gradient; ``None`` for none. Default: ``None`` (left out of the JSON).
        name: unique layer name; chosen by the builder when left out (``embedding_1``, ...).
        inputs: the one node it reads; the previous node when left out.

    Shape:
        - Input: ``[T]`` token ids stored as floats, each a whole number in ``[0, vocabulary_size)``
          (checked on every batch).
        - Output: ``[T, dimension]``.

    Parameters: ``weight [vocabulary_size, dimension]``, drawn from N(0, 1).

    Example::

        >>> Network.builder().input("tokens", 50).embedding(10000, 64, padding_index=0).build().output_shape
        [50, 64]
    """

    TYPE: ClassVar[str] = "embedding"
    vocabulary_size: int
    dimension: int
    padding_index: Optional[int] = None
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)
        owner = "Layer '%s'" % self.name
        size = _as_int(owner, "vocabulary_size", self.vocabulary_size)
        dimension = _as_int(owner, "dimension", self.dimension)
        if size <= 0 or dimension <= 0:
            raise _layer_error(self.name, "vocabulary_size and dimension must be > 0, found %d and %d."
                               % (size, dimension))
        if size * dimension > MAX_ELEMENTS:
            raise _layer_error(self.name, "weight [%d, %d] has more than %d elements."
                               % (size, dimension, MAX_ELEMENTS))
        padding = None if self.padding_index is None else _as_int(owner, "padding_index", self.padding_index)
        if padding is not None and not 0 <= padding < size:
            raise _layer_error(self.name, "padding_index must be in [0, %d), the vocabulary; found %d."
                               % (size, padding))
        for field, value in (("vocabulary_size", size), ("dimension", dimension), ("padding_index", padding)):
            object.__setattr__(self, field, value)

    def _fields(self) -> List[Tuple[str, Any]]:
        fields: List[Tuple[str, Any]] = [("vocabulary_size", self.vocabulary_size), ("dimension", self.dimension)]
        if self.padding_index is not None:
            fields.append(("padding_index", self.padding_index))
        return fields

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """``[T] -> [T, dimension]``."""
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        if len(shape) != 1:
            raise _layer_error(self.name, "embedding reads token ids of shape [steps]; found input shape %s ('%s')."
                               % (_dims(shape), (self.inputs or ())[0]))
        if shape[0] * self.dimension > MAX_ELEMENTS:
            raise _layer_error(self.name, "output shape [%d, %d] has more than %d elements."
                               % (shape[0], self.dimension, MAX_ELEMENTS))
        return [shape[0], self.dimension]

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "Embedding":
        return cls(f.require_int("vocabulary_size"), f.require_int("dimension"),
                   f.require_int("padding_index") if f.has("padding_index") else None, name=name, inputs=inputs)


@dataclass(frozen=True)
class _Recurrent(Layer):
    """The fields, checks, JSON and shape rule :class:`Lstm` and :class:`Gru` share (Java's
    ``RecurrentRules``)."""

    GATES: ClassVar[int] = 0
    hidden_size: int
    num_layers: int = 1
    bidirectional: bool = False
    return_sequences: bool = False
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 2)
        owner = "Layer '%s'" % self.name
        hidden = _as_int(owner, "hidden_size", self.hidden_size)
        if not 0 < hidden <= MAX_UNITS:
            raise _layer_error(self.name, "hidden_size must be in [1, %d], found %d." % (MAX_UNITS, hidden))
        layers = _as_int(owner, "num_layers", self.num_layers)
        if not 1 <= layers <= MAX_RECURRENT_LAYERS:
            raise _layer_error(self.name, "num_layers must be in [1, %d], found %d." % (MAX_RECURRENT_LAYERS, layers))
        check_bool(self.name, "bidirectional", self.bidirectional)
        check_bool(self.name, "return_sequences", self.return_sequences)
        object.__setattr__(self, "hidden_size", hidden)
        object.__setattr__(self, "num_layers", layers)

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("hidden_size", self.hidden_size), ("num_layers", self.num_layers),
                ("bidirectional", self.bidirectional), ("return_sequences", self.return_sequences)]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """``[T, F]`` (and lengths ``[1]``) to ``[T, D hidden_size]`` with ``return_sequences``, else
        ``[D hidden_size]``; ``D`` is 2 when bidirectional, else 1."""
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        names = self.inputs or ()
        if len(shape) != 2:
            raise _layer_error(self.name, "%s reads sequences of shape [steps, features]; found input shape %s ('%s'). "
                               "Reshape it first, e.g. [784] to [28, 28]." % (self.TYPE, _dims(shape), names[0]))
        if len(input_shapes) > 1 and list(input_shapes[1]) != [1]:
            raise _layer_error(self.name, "the lengths input '%s' must have shape [1], one length per example; found "
                               "%s." % (names[1], _dims(input_shapes[1])))
        width = (2 if self.bidirectional else 1) * self.hidden_size
        rows = self.GATES * self.hidden_size
        if rows * max(shape[1], width) > MAX_ELEMENTS or shape[0] * width > MAX_ELEMENTS:
            raise _layer_error(self.name, "weights [%d, %d] or output [%d, %d] have more than %d elements."
                               % (rows, max(shape[1], width), shape[0], width, MAX_ELEMENTS))
        return [shape[0], width] if self.return_sequences else [width]

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "_Recurrent":
        return cls(f.require_int("hidden_size"), f.int_or("num_layers", 1), f.boolean_or("bidirectional", False),
                   f.boolean_or("return_sequences", False), name=name, inputs=inputs)


@dataclass(frozen=True)
class Lstm(_Recurrent):
    r"""A long short-term memory layer, or a stack of them, over each example's sequence, as PyTorch's
    ``nn.LSTM`` with ``batch_first=True``. For each step :math:`t`:

    .. math::
        \begin{array}{ll}
        i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) &
        f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
        g_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) &
        o_t = \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
        c_t = f_t \odot c_{t-1} + i_t \odot g_t & h_t = o_t \odot \tanh(c_t)
        \end{array}

    with :math:`h_0 = c_0 = 0`.

    Args:
        hidden_size: features of the state ``H``, 1 to 2**24.
        num_layers: stacked layers, each reading the previous one's sequence, 1 to 64. Default: 1.
        bidirectional: add a pass from the last step to the first; its features follow the forward
            ones. Default: False.
        return_sequences: output every step rather than the last state. Default: False.
        name: unique layer name; chosen by the builder when left out (``lstm_1``, ...).
        inputs: the sequence node, then optionally a lengths node of shape ``[1]``; the previous node
            when left out. Steps from an example's length on are masked: the state carries through
            unchanged, sequence outputs there are zero, and the reverse pass starts at the last real
            step, as with PyTorch's packed sequences.

    Shape:
        - Input: ``[T, F]`` (batch excluded), and lengths ``[1]``.
        - Output: ``[T, D * H]`` with ``return_sequences``, else ``[D * H]``; ``D = 2`` when
          bidirectional, else 1.

    Parameters per layer ``k`` (PyTorch's names, so weights port unchanged): ``weight_ih_l<k> [4H, F_k]``,
    ``weight_hh_l<k> [4H, H]``, ``bias_ih_l<k>`` and ``bias_hh_l<k> [4H]`` (gates in the order
    ``i, f, g, o``), plus the same with ``_reverse`` when bidirectional; all from
    U(-1/sqrt(H), 1/sqrt(H)).

    Example::

        >>> net = Network.builder().input("features", 784).reshape(28, 28).lstm(64).dense(10).build()
        >>> net.infer_shapes()["lstm_1"]
        [64]
    """

    TYPE: ClassVar[str] = "lstm"
    GATES: ClassVar[int] = 4


@dataclass(frozen=True)
class Gru(_Recurrent):
    r"""A gated recurrent unit layer, or a stack of them, over each example's sequence, as PyTorch's
    ``nn.GRU`` with ``batch_first=True``. For each step :math:`t`:

    .. math::
        \begin{array}{ll}
        r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) &
        z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
        n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) &
        h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}
        \end{array}

    with :math:`h_0 = 0`.

    Args:
        hidden_size: features of the state ``H``, 1 to 2**24.
        num_layers: stacked layers, each reading the previous one's sequence, 1 to 64. Default: 1.
        bidirectional: add a pass from the last step to the first; its features follow the forward
            ones. Default: False.
        return_sequences: output every step rather than the last state. Default: False.
        name: unique layer name; chosen by the builder when left out (``gru_1``, ...).
        inputs: the sequence node, then optionally a lengths node of shape ``[1]`` (masked as for
            :class:`Lstm`); the previous node when left out.

    Shape:
        - Input: ``[T, F]`` (batch excluded), and lengths ``[1]``.
        - Output: ``[T, D * H]`` with ``return_sequences``, else ``[D * H]``; ``D = 2`` when
          bidirectional, else 1.

    Parameters per layer ``k``: ``weight_ih_l<k> [3H, F_k]``, ``weight_hh_l<k> [3H, H]``,
    ``bias_ih_l<k>`` and ``bias_hh_l<k> [3H]`` (gates ``r, z, n``), plus the same with ``_reverse``
    when bidirectional; all from U(-1/sqrt(H), 1/sqrt(H)).

    Example::

        >>> net = Network.builder().input("seq", 20, 8).gru(16, num_layers=2, bidirectional=True,
        ...                                                 return_sequences=True).build()
        >>> net.output_shape
        [20, 32]
    """

    TYPE: ClassVar[str] = "gru"
    GATES: ClassVar[int] = 3


@dataclass(frozen=True)
class SequenceMeanPool(Layer):
    r"""The mean over the steps of a sequence,

    .. math::
        y = \frac{1}{L} \sum_{t < L} x[t, \ldots]

    where :math:`L` is the example's length when a lengths input is given and the number of steps
    otherwise; e.g. one vector per example for a classifier after a Transformer encoder.

    Args:
        name: unique layer name; chosen by the builder when left out (``sequence_mean_pool_1``, ...).
        inputs: the sequence node, then optionally a lengths node of shape ``[1]``; the previous node
            when left out.

    Shape:
        - Input: ``[T, ...]`` of rank 2 or more (batch excluded), and lengths ``[1]``.
        - Output: ``[...]``.

    No parameters.

    Example::

        >>> Network.builder().input("seq", 20, 8).sequence_mean_pool().build().output_shape
        [8]
    """

    TYPE: ClassVar[str] = "sequence_mean_pool"
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 2)

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """``[T, ...] -> [...]``."""
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        if len(shape) < 2:
            raise _layer_error(self.name, "sequence_mean_pool needs an input [steps, ...] of rank 2 or more (batch "
                               "excluded), found %s." % _dims(shape))
        check_lengths(self, input_shapes)
        return shape[1:]

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "SequenceMeanPool":
        return cls(name=name, inputs=inputs)
