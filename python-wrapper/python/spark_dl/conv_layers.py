"""Convolution layers, :class:`Conv1d` and :class:`Conv2d`: the twins of Java's
``org.sparkdl.spec.Conv1d`` and ``Conv2d`` (same fields, defaults, JSON, shape rules and messages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, List, Optional, Sequence, Tuple, Union, cast

from spark_dl import _window_rules as rules
from spark_dl._json_fields import JsonFields
from spark_dl._layer_base import Layer
from spark_dl._spec_checks import MAX_ELEMENTS, _as_int, _check_shape_count, _layer_error

__all__ = ["Conv1d", "Conv2d", "CONV_INIT"]

#: Initializer of the convolutions when none is given: Kaiming/He uniform, suited to ReLU networks.
CONV_INIT = "he_uniform"

IntOrPair = Union[int, Tuple[int, int], Sequence[int]]
PaddingArg = rules.PaddingArg


@dataclass(frozen=True)
class Conv2d(Layer):
    r"""A 2-D convolution over ``[channels, height, width]`` inputs (cross-correlation, as in every
    deep-learning library), with ``filters`` output channels:

    .. math::
        \text{out}[f, i, j] = b[f] + \sum_{c \in G(f)} \sum_{m, n}
            W[f, c, m, n] \; x_{\text{pad}}[c, \; i \, s_h + m \, d_h, \; j \, s_w + n \, d_w]

    where :math:`G(f)` are the ``C / groups`` input channels of the group of filter :math:`f`, and
    :math:`x_{\text{pad}}` is the input with ``padding`` zeros around it.

    Args:
        filters: output channels, > 0.
        kernel: window size, an int or ``(height, width)``, each >= 1.
        stride: step, an int or ``(height, width)``, each >= 1. Default: 1.
        padding: zeros added on both sides of each spatial axis: an int, ``(height, width)``,
            ``((top, bottom), (left, right))`` where the two sides differ, ``"same"`` (output
            ``ceil(in / stride)``; an odd total puts the extra zero at the end) or ``"valid"`` (0).
            Default: ``"valid"``.
        dilation: spacing of the kernel taps, an int or ``(height, width)``, each >= 1. Default: 1.
        groups: channel groups, dividing both the input channels and ``filters``. Default: 1.
        bias: whether to add a learned bias. Default: True.
        init: weight initializer, one of :data:`~spark_dl.layers.INITS`, with ``fan_in = C / groups *
            kernel_h * kernel_w``. Default: ``"he_uniform"``.
        name: unique layer name; chosen by the builder when left out (``conv2d_1``, ...).
        inputs: the one node it reads; the previous node when left out.

    Shape:
        - Input: ``[C, H, W]`` (batch excluded), ``C`` divisible by ``groups``.
        - Output: ``[filters, OH, OW]`` with
          ``OH = floor((H + pad_top + pad_bottom - dilation_h (kernel_h - 1) - 1) / stride_h) + 1``
          and likewise ``OW``; ``"same"`` padding gives ``OH = ceil(H / stride_h)``.

    Parameters: weight ``[filters, C / groups, kernel_h, kernel_w]`` and, with ``bias``, bias
    ``[filters]`` (zeros). ``kernel``, ``stride``, ``dilation`` and explicit ``padding`` are held as
    pairs, so ``Conv2d(8, 3) == Conv2d(8, (3, 3))``.

    Example::

        >>> net = Network.builder().input("image", 1, 28, 28).conv2d(6, 5, padding="same").build()
        >>> net.output_shape
        [6, 28, 28]
    """

    TYPE: ClassVar[str] = "conv2d"
    filters: int
    kernel: IntOrPair
    stride: IntOrPair = 1
    padding: PaddingArg = "valid"
    dilation: IntOrPair = 1
    groups: int = 1
    bias: bool = True
    init: str = CONV_INIT
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        # Java builds the Padding before the layer, so its own check comes first.
        padding = rules.padding_sizes(self.name, self.padding)
        self._check_common(1, 1)
        owner = "Layer '%s'" % self.name
        filters = _as_int(owner, "filters", self.filters)
        groups = _as_int(owner, "groups", self.groups)
        rules.check_groups(self.name, filters, groups)
        kernel = rules.per_axis(self.name, "kernel", self.kernel, 2, 1)
        stride = rules.per_axis(self.name, "stride", self.stride, 2, 1)
        dilation = rules.per_axis(self.name, "dilation", self.dilation, 2, 1)
        padding = rules.for_rank(self.name, padding, 2)
        rules.check_init(self.name, self.init)
        rules.check_bool(self.name, "bias", self.bias)
        for field, value in (("filters", filters), ("kernel", kernel), ("stride", stride), ("padding", padding),
                             ("dilation", dilation), ("groups", groups)):
            object.__setattr__(self, field, value)

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("filters", self.filters), ("kernel", rules.ints(self.kernel)), ("stride", rules.ints(self.stride)),
                ("padding", rules.padding_json(self.padding)), ("dilation", rules.ints(self.dilation)),
                ("groups", self.groups), ("bias", self.bias), ("init", self.init)]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """``[C, H, W] -> [filters, OH, OW]``; rejects channels not divisible by ``groups`` and kernels
        larger than the padded input."""
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        kernel = rules.ints(self.kernel)
        sizes = rules.output_sizes(self.name, self.TYPE, shape, kernel, rules.ints(self.stride),
                                   rules.ints(self.dilation), rules.padding_value(self.padding))
        rules.check_input_groups(self.name, shape, self.groups)
        per_group = shape[0] // self.groups
        if self.filters * per_group * kernel[0] * kernel[1] > MAX_ELEMENTS:
            raise _layer_error(self.name, "weight [%d, %d, %d, %d] has more than %d elements."
                               % (self.filters, per_group, kernel[0], kernel[1], MAX_ELEMENTS))
        return rules.window_shape(self.name, self.filters, sizes)

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "Conv2d":
        return cls(f.require_int("filters"), tuple(f.require_ints("kernel")), tuple(f.ints_or("stride", [1])),
                   f.padding_or("padding"), tuple(f.ints_or("dilation", [1])), f.int_or("groups", 1),
                   f.boolean_or("bias", True), f.string_or("init", CONV_INIT), name=name, inputs=inputs)


@dataclass(frozen=True)
class Conv1d(Layer):
    r"""A 1-D convolution over ``[channels, length]`` inputs (cross-correlation), with ``filters``
    output channels:

    .. math::
        \text{out}[f, i] = b[f] + \sum_{c \in G(f)} \sum_{m} W[f, c, m] \; x_{\text{pad}}[c, \; i \, s + m \, d]

    where :math:`G(f)` are the ``C / groups`` input channels of the group of filter :math:`f`.

    Args:
        filters: output channels, > 0.
        kernel: window length, >= 1.
        stride: step, >= 1. Default: 1.
        padding: zeros on both ends: an int, ``((before, after),)`` where they differ, ``"same"``
            (output ``ceil(L / stride)``) or ``"valid"`` (0). Default: ``"valid"``.
        dilation: spacing of the kernel taps, >= 1. Default: 1.
        groups: channel groups, dividing both the input channels and ``filters``. Default: 1.
        bias: whether to add a learned bias. Default: True.
        init: weight initializer, one of :data:`~spark_dl.layers.INITS`, with ``fan_in = C / groups *
            kernel``. Default: ``"he_uniform"``.
        name: unique layer name; chosen by the builder when left out (``conv1d_1``, ...).
        inputs: the one node it reads; the previous node when left out.

    Shape:
        - Input: ``[C, L]`` (batch excluded), ``C`` divisible by ``groups``.
        - Output: ``[filters, OL]`` with ``OL = floor((L + 2 padding - dilation (kernel - 1) - 1) /
          stride) + 1``; ``"same"`` padding gives ``OL = ceil(L / stride)``.

    Parameters: weight ``[filters, C / groups, kernel]`` and, with ``bias``, bias ``[filters]`` (zeros).
    ``padding`` is held as an int (``"valid"`` as 0) or ``"same"``.

    Example::

        >>> net = Network.builder().input("seq", 4, 20).conv1d(8, 5, stride=2, padding="same").build()
        >>> net.output_shape
        [8, 10]
    """

    TYPE: ClassVar[str] = "conv1d"
    filters: int
    kernel: int
    stride: int = 1
    padding: PaddingArg = "valid"
    dilation: int = 1
    groups: int = 1
    bias: bool = True
    init: str = CONV_INIT
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        padding = rules.padding_sizes(self.name, self.padding)
        self._check_common(1, 1)
        owner = "Layer '%s'" % self.name
        filters = _as_int(owner, "filters", self.filters)
        groups = _as_int(owner, "groups", self.groups)
        rules.check_groups(self.name, filters, groups)
        (kernel,) = rules.per_axis(self.name, "kernel", _as_int(owner, "kernel", self.kernel), 1, 1)
        (stride,) = rules.per_axis(self.name, "stride", _as_int(owner, "stride", self.stride), 1, 1)
        (dilation,) = rules.per_axis(self.name, "dilation", _as_int(owner, "dilation", self.dilation), 1, 1)
        padding = rules.for_rank(self.name, padding, 1)
        rules.check_init(self.name, self.init)
        rules.check_bool(self.name, "bias", self.bias)
        for field, value in (("filters", filters), ("kernel", kernel), ("stride", stride),
                             # one size, or where the two ends differ the padding itself: ((before, after),)
                             ("padding", padding if padding == "same" or rules.is_pairs(padding) else padding[0]),
                             ("dilation", dilation), ("groups", groups)):
            object.__setattr__(self, field, value)

    def _fields(self) -> List[Tuple[str, Any]]:
        padding = rules.padding_json(self.padding) if isinstance(self.padding, tuple) else self.padding
        return [("filters", self.filters), ("kernel", self.kernel), ("stride", self.stride), ("padding", padding),
                ("dilation", self.dilation), ("groups", self.groups), ("bias", self.bias), ("init", self.init)]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """``[C, L] -> [filters, OL]``; rejects channels not divisible by ``groups`` and kernels longer
        than the padded input."""
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        kernel = int(self.kernel)
        padding: rules.PaddingValue = "same" if self.padding == "same" else (
            rules.padding_value(self.padding) if isinstance(self.padding, tuple) else (cast(int, self.padding),))
        sizes = rules.output_sizes(self.name, self.TYPE, shape, (kernel,), (int(self.stride),), (int(self.dilation),),
                                   padding)
        rules.check_input_groups(self.name, shape, self.groups)
        per_group = shape[0] // self.groups
        if self.filters * per_group * kernel > MAX_ELEMENTS:
            raise _layer_error(self.name, "weight [%d, %d, %d] has more than %d elements."
                               % (self.filters, per_group, kernel, MAX_ELEMENTS))
        return rules.window_shape(self.name, self.filters, sizes)

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "Conv1d":
        filters = f.require_int("filters")
        kernel = f.require_int("kernel")
        stride = f.int_or("stride", 1)
        padding: Any = f.padding_or("padding")  # "same" or sizes, checked for rank 1 by the constructor
        return cls(filters, kernel, stride, padding, f.int_or("dilation", 1), f.int_or("groups", 1),
                   f.boolean_or("bias", True), f.string_or("init", CONV_INIT), name=name, inputs=inputs)

