"""Pooling layers, :class:`MaxPool2d`, :class:`AvgPool2d` and :class:`GlobalAvgPool`: the twins of
Java's ``org.sparkdl.spec.MaxPool2d``, ``AvgPool2d`` and ``GlobalAvgPool``. None has parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, List, Optional, Sequence, Tuple, Union

from spark_dl import _window_rules as rules
from spark_dl._json_fields import JsonFields
from spark_dl._layer_base import Layer
from spark_dl._spec_checks import _check_shape_count, _dims, _layer_error

__all__ = ["MaxPool2d", "AvgPool2d", "GlobalAvgPool"]

IntOrPair = Union[int, Tuple[int, int], Sequence[int]]
PaddingArg = rules.PaddingArg


class _Pool2d(Layer):
    """The fields and shape rule that max and average pooling share."""

    kernel: IntOrPair
    stride: Optional[IntOrPair]
    padding: PaddingArg

    def _check_window(self) -> None:
        # Java builds the Padding before the layer, so its own check comes first.
        padding = rules.padding_sizes(self.name, self.padding)
        self._check_common(1, 1)
        kernel = rules.per_axis(self.name, "kernel", self.kernel, 2, 1)
        # Java's shorthand and JSON reader give the stride the kernel's value when it is left out.
        stride = rules.per_axis(self.name, "stride", self.kernel if self.stride is None else self.stride, 2, 1)
        padding = rules.pool_padding(self.name, padding, kernel)
        object.__setattr__(self, "kernel", kernel)
        object.__setattr__(self, "stride", stride)
        object.__setattr__(self, "padding", padding)

    def _window_fields(self) -> List[Tuple[str, Any]]:
        return [("kernel", rules.ints(self.kernel)), ("stride", rules.ints(self.stride)),
                ("padding", rules.padding_json(self.padding))]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """``[C, H, W] -> [C, OH, OW]``."""
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        sizes = rules.output_sizes(self.name, self.TYPE, shape, rules.ints(self.kernel), rules.ints(self.stride),
                                   (1, 1), rules.padding_value(self.padding))
        return rules.window_shape(self.name, shape[0], sizes)


@dataclass(frozen=True)
class MaxPool2d(_Pool2d):
    r"""2-D max pooling over ``[channels, height, width]`` inputs: the largest value of each window,
    channel by channel; padding never wins.

    .. math::
        \text{out}[c, i, j] = \max_{m < k_h, \; n < k_w} x_{\text{pad}}[c, \; i \, s_h + m, \; j \, s_w + n]

    Args:
        kernel: window size, an int or ``(height, width)``, each >= 1.
        stride: step, an int or ``(height, width)``, each >= 1. Default: the kernel (windows side by side).
        padding: implicit padding on both sides, at most half the kernel on each axis so that every
            window overlaps the input: an int, ``(height, width)``, ``((top, bottom), (left,
            right))`` where the two sides differ, ``"same"`` (output ``ceil(in / stride)``) or
            ``"valid"`` (0). Default: ``"valid"``.
        name: unique layer name; chosen by the builder when left out (``max_pool_1``, ...).
        inputs: the one node it reads; the previous node when left out.

    Shape:
        - Input: ``[C, H, W]`` (batch excluded).
        - Output: ``[C, OH, OW]`` with ``OH = floor((H + 2 padding_h - kernel_h) / stride_h) + 1`` and
          likewise ``OW``; ``"same"`` padding gives ``OH = ceil(H / stride_h)``.

    Example::

        >>> Network.builder().input("image", 6, 28, 28).max_pool2d(2).build().output_shape
        [6, 14, 14]
    """

    TYPE: ClassVar[str] = "max_pool2d"
    NAME_PREFIX: ClassVar[str] = "max_pool"
    kernel: IntOrPair
    stride: Optional[IntOrPair] = None
    padding: PaddingArg = "valid"
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_window()

    def _fields(self) -> List[Tuple[str, Any]]:
        return self._window_fields()

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "MaxPool2d":
        kernel = f.require_ints("kernel")
        return cls(tuple(kernel), tuple(f.ints_or("stride", kernel)), f.padding_or("padding"), name=name, inputs=inputs)


@dataclass(frozen=True)
class AvgPool2d(_Pool2d):
    r"""2-D average pooling over ``[channels, height, width]`` inputs: the mean of each window, channel by
    channel.

    .. math::
        \text{out}[c, i, j] = \frac{1}{N_{ij}} \sum_{m < k_h, \; n < k_w}
            x_{\text{pad}}[c, \; i \, s_h + m, \; j \, s_w + n]

    With ``count_include_pad`` (the default, as PyTorch) :math:`N_{ij} = k_h k_w`, padding counting
    as zeros; without, :math:`N_{ij}` is the number of input positions the window covers (as
    TensorFlow and ONNX's default).

    Args:
        kernel: window size, an int or ``(height, width)``, each >= 1.
        stride: step, an int or ``(height, width)``, each >= 1. Default: the kernel (windows side by side).
        padding: zero padding on both sides, at most half the kernel on each axis: an int,
            ``(height, width)``, ``((top, bottom), (left, right))`` where the two sides differ,
            ``"same"`` or ``"valid"`` (0). Default: ``"valid"``.
        count_include_pad: whether padding counts in each window's divisor. Default: True.
        name: unique layer name; chosen by the builder when left out (``avg_pool_1``, ...).
        inputs: the one node it reads; the previous node when left out.

    Shape:
        - Input: ``[C, H, W]`` (batch excluded).
        - Output: ``[C, OH, OW]``, as :class:`MaxPool2d`.

    Example::

        >>> Network.builder().input("image", 6, 28, 28).avg_pool2d(3, stride=1, padding=1).build().output_shape
        [6, 28, 28]
    """

    TYPE: ClassVar[str] = "avg_pool2d"
    NAME_PREFIX: ClassVar[str] = "avg_pool"
    kernel: IntOrPair
    stride: Optional[IntOrPair] = None
    padding: PaddingArg = "valid"
    count_include_pad: bool = True
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_window()
        rules.check_bool(self.name, "count_include_pad", self.count_include_pad)

    def _fields(self) -> List[Tuple[str, Any]]:
        return self._window_fields() + [("count_include_pad", self.count_include_pad)]

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "AvgPool2d":
        kernel = f.require_ints("kernel")
        return cls(tuple(kernel), tuple(f.ints_or("stride", kernel)), f.padding_or("padding"),
                   f.boolean_or("count_include_pad", True), name=name, inputs=inputs)


@dataclass(frozen=True)
class GlobalAvgPool(Layer):
    r"""Global average pooling: the mean of each channel over all its positions,
    :math:`\text{out}[c] = \frac{1}{P} \sum_{p} x[c, p]` over the :math:`P` positions of channel
    :math:`c`.

    Args:
        name: unique layer name; chosen by the builder when left out (``global_avg_pool_1``, ...).
        inputs: the one node it reads; the previous node when left out.

    Shape:
        - Input: ``[C, ...]`` of rank 2 or more (an image ``[C, H, W]`` or a sequence ``[C, L]``).
        - Output: ``[C]``.

    Example::

        >>> Network.builder().input("image", 16, 7, 7).global_avg_pool().build().output_shape
        [16]
    """

    TYPE: ClassVar[str] = "global_avg_pool"
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """``[C, ...] -> [C]``."""
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        if len(shape) < 2:
            raise _layer_error(self.name, "global_avg_pool needs an input [channels, ...] with at least one spatial "
                               "axis (batch excluded), found %s." % _dims(shape))
        return [shape[0]]

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "GlobalAvgPool":
        return cls(name=name, inputs=inputs)
