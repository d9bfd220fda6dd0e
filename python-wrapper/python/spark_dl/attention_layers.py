"""Attention layers, :class:`MultiHeadAttention` and :class:`PositionalEmbedding`: the twins of Java's
``org.sparkdl.spec.MultiHeadAttention`` and ``PositionalEmbedding`` (same fields, defaults, JSON, shape
rules and messages). The builder's ``transformer_encoder`` writes a whole Transformer encoder block
out of these and the core layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, List, Optional, Sequence, Tuple

from spark_dl._json_fields import JsonFields
from spark_dl._layer_base import Layer
from spark_dl._spec_checks import MAX_ELEMENTS, _as_int, _check_shape_count, _dims, _layer_error
from spark_dl._window_rules import check_bool, check_init
from spark_dl.sequence_layers import check_lengths

__all__ = ["MultiHeadAttention", "PositionalEmbedding", "POSITIONAL_INIT"]

#: Initializer of :class:`PositionalEmbedding` when none is given: N(0, 0.05^2).
POSITIONAL_INIT = "normal"


@dataclass(frozen=True)
class MultiHeadAttention(Layer):
    r"""Multi-head self-attention over a sequence, as PyTorch's ``nn.MultiheadAttention`` with
    query = key = value = :math:`x`:

    .. math::
        \text{head}_h = \mathrm{softmax}\!\left(\frac{Q_h K_h^\top}{\sqrt{d}} + M\right) V_h, \qquad
        y = [\text{head}_1, \ldots, \text{head}_{\text{heads}}] \, W_O^\top + b_O

    where :math:`[Q, K, V] = x W_{\text{in}}^\top + b_{\text{in}}` split into ``heads`` heads of width
    :math:`d = D / \text{heads}`, and the mask :math:`M` is :math:`-\infty` where a key is not attended.

    Args:
        heads: number of heads, >= 1, dividing the features ``D``.
        causal: whether step ``i`` attends only to steps ``<= i``. Default: False.
        bias: whether the projections add learned biases. Default: True.
        name: unique layer name; chosen by the builder when left out (``attention_1``, ...).
        inputs: the sequence node, then optionally a lengths node of shape ``[1]``: keys past an
            example's length are not attended and the outputs there are zero. The previous node when
            left out.

    Shape:
        - Input: ``[T, D]`` (batch excluded), ``D`` divisible by ``heads``, and lengths ``[1]``.
        - Output: ``[T, D]``.

    Parameters (PyTorch's names): ``in_proj_weight [3D, D]``, ``out_proj.weight [D, D]`` and, with
    ``bias``, ``in_proj_bias [3D]`` and ``out_proj.bias [D]``.

    Example::

        >>> net = Network.builder().input("seq", 10, 32).multi_head_attention(4, causal=True).build()
        >>> net.layers[0].name, net.output_shape
        ('attention_1', [10, 32])
    """

    TYPE: ClassVar[str] = "multi_head_attention"
    NAME_PREFIX: ClassVar[str] = "attention"
    heads: int
    causal: bool = False
    bias: bool = True
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 2)
        heads = _as_int("Layer '%s'" % self.name, "heads", self.heads)
        if heads < 1:
            raise _layer_error(self.name, "heads must be >= 1, found %d." % heads)
        check_bool(self.name, "causal", self.causal)
        check_bool(self.name, "bias", self.bias)
        object.__setattr__(self, "heads", heads)

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("heads", self.heads), ("causal", self.causal), ("bias", self.bias)]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """``[T, D] -> [T, D]``, ``D`` divisible by ``heads``."""
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        if len(shape) != 2:
            raise _layer_error(self.name, "multi_head_attention needs an input [steps, features] (batch excluded), "
                               "found %s." % _dims(shape))
        features = shape[1]
        if features % self.heads != 0:
            raise _layer_error(self.name, "input shape %s has %d features, which do not split into %d heads; the "
                               "features must be divisible by heads." % (_dims(shape), features, self.heads))
        if 3 * features * features > MAX_ELEMENTS:
            raise _layer_error(self.name, "in_proj_weight [%d, %d] for input shape %s has more than %d elements."
                               % (3 * features, features, _dims(shape), MAX_ELEMENTS))
        check_lengths(self, input_shapes)
        return shape

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "MultiHeadAttention":
        return cls(f.require_int("heads"), f.boolean_or("causal", False), f.boolean_or("bias", True), name=name,
                   inputs=inputs)


@dataclass(frozen=True)
class PositionalEmbedding(Layer):
    r"""A learned positional embedding: a trainable tensor shaped as one example, added to every
    example so that layers blind to order (attention) can tell the steps apart:

    .. math::
        y[t, :] = x[t, :] + W[t, :]

    Args:
        init: initializer of the weight, one of :data:`~spark_dl.layers.INITS`. Default: ``"normal"``,
            N(0, 0.05^2).
        name: unique layer name; chosen by the builder when left out (``positional_embedding_1``, ...).
        inputs: the one node it reads; the previous node when left out.

    Shape:
        - Input: any shape, usually ``[T, D]`` (batch excluded).
        - Output: the same as the input.

    Parameters: ``weight``, shaped as the input.

    Example::

        >>> Network.builder().input("seq", 10, 32).positional_embedding().build().layers[0].init
        'normal'
    """

    TYPE: ClassVar[str] = "positional_embedding"
    init: str = POSITIONAL_INIT
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)
        check_init(self.name, self.init)

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("init", self.init)]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """Shape unchanged."""
        _check_shape_count(self, input_shapes)
        return list(input_shapes[0])

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "PositionalEmbedding":
        return cls(f.string_or("init", POSITIONAL_INIT), name=name, inputs=inputs)
