"""The :class:`~spark_dl.network.NetworkBuilder` methods of the convolution, pooling and normalisation
layers, in both styles: sequential (``conv2d(...)``, reading the previous node) and graph
(``add_conv2d(name, ..., input)``, returning the new node's name). Automatic names follow Java's
builder: ``conv2d_1``, ``conv1d_1``, ``max_pool_1``, ``avg_pool_1``, ``global_avg_pool_1``,
``batch_norm_1``, ``layer_norm_1``."""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

from spark_dl.conv_layers import CONV_INIT, Conv1d, Conv2d, IntOrPair, PaddingArg
from spark_dl.norm_layers import DEFAULT_EPSILON, DEFAULT_MOMENTUM, BatchNorm, LayerNorm
from spark_dl.pool_layers import AvgPool2d, GlobalAvgPool, MaxPool2d

_B = TypeVar("_B", bound="WindowLayerMethods")


class WindowLayerMethods:
    """Builder methods for :class:`Conv1d`, :class:`Conv2d`, :class:`MaxPool2d`, :class:`AvgPool2d`,
    :class:`GlobalAvgPool`, :class:`BatchNorm` and :class:`LayerNorm`; see those classes for what
    each argument means."""

    # Provided by NetworkBuilder: the node a sequential layer reads, and adding a layer under a
    # given or automatic name.
    _previous: Callable[[str], str]
    _add: Callable[[Optional[str], str, Callable[[str], Any]], str]

    # sequential style ------------------------------------------------------------

    def conv2d(self: _B, filters: int, kernel: IntOrPair, *, stride: IntOrPair = 1, padding: PaddingArg = "valid",
               dilation: IntOrPair = 1, groups: int = 1, bias: bool = True, init: str = CONV_INIT) -> _B:
        """2-D convolution of the previous node; ``conv2d(32, 3, padding="same")``."""
        self.add_conv2d(None, filters, kernel, self._previous(Conv2d.TYPE), stride=stride, padding=padding,
                        dilation=dilation, groups=groups, bias=bias, init=init)
        return self

    def conv1d(self: _B, filters: int, kernel: int, *, stride: int = 1, padding: PaddingArg = "valid",
               dilation: int = 1, groups: int = 1, bias: bool = True, init: str = CONV_INIT) -> _B:
        """1-D convolution of the previous node."""
        self.add_conv1d(None, filters, kernel, self._previous(Conv1d.TYPE), stride=stride, padding=padding,
                        dilation=dilation, groups=groups, bias=bias, init=init)
        return self

    def max_pool2d(self: _B, kernel: IntOrPair, *, stride: Optional[IntOrPair] = None,
                   padding: PaddingArg = "valid") -> _B:
        """Max pooling of the previous node; the stride defaults to the kernel (windows side by side)."""
        self.add_max_pool2d(None, kernel, self._previous(MaxPool2d.TYPE), stride=stride, padding=padding)
        return self

    def avg_pool2d(self: _B, kernel: IntOrPair, *, stride: Optional[IntOrPair] = None, padding: PaddingArg = "valid",
                   count_include_pad: bool = True) -> _B:
        """Average pooling of the previous node; the stride defaults to the kernel."""
        self.add_avg_pool2d(None, kernel, self._previous(AvgPool2d.TYPE), stride=stride, padding=padding,
                            count_include_pad=count_include_pad)
        return self

    def global_avg_pool(self: _B) -> _B:
        """Global average pooling of the previous node, ``[C, ...] -> [C]``."""
        self.add_global_avg_pool(None, self._previous(GlobalAvgPool.TYPE))
        return self

    def batch_norm(self: _B, momentum: float = DEFAULT_MOMENTUM, epsilon: float = DEFAULT_EPSILON) -> _B:
        """Batch normalisation of the previous node (momentum 0.1, epsilon 1e-5 by default)."""
        self.add_batch_norm(None, self._previous(BatchNorm.TYPE), momentum=momentum, epsilon=epsilon)
        return self

    def layer_norm(self: _B, axes: int = 1, epsilon: float = DEFAULT_EPSILON) -> _B:
        """Layer normalisation of the previous node over its last ``axes`` axes (epsilon 1e-5 by default)."""
        self.add_layer_norm(None, self._previous(LayerNorm.TYPE), axes=axes, epsilon=epsilon)
        return self

    # graph style -----------------------------------------------------------------

    def add_conv2d(self, name: Optional[str], filters: int, kernel: IntOrPair, input: str, *, stride: IntOrPair = 1,
                   padding: PaddingArg = "valid", dilation: IntOrPair = 1, groups: int = 1, bias: bool = True,
                   init: str = CONV_INIT) -> str:
        """Adds a 2-D convolution reading ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, Conv2d.TYPE, lambda n: Conv2d(filters, kernel, stride, padding, dilation, groups, bias,
                                                             init, name=n, inputs=(input,)))

    def add_conv1d(self, name: Optional[str], filters: int, kernel: int, input: str, *, stride: int = 1,
                   padding: PaddingArg = "valid", dilation: int = 1, groups: int = 1, bias: bool = True,
                   init: str = CONV_INIT) -> str:
        """Adds a 1-D convolution reading ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, Conv1d.TYPE, lambda n: Conv1d(filters, kernel, stride, padding, dilation, groups, bias,
                                                             init, name=n, inputs=(input,)))

    def add_max_pool2d(self, name: Optional[str], kernel: IntOrPair, input: str, *,
                       stride: Optional[IntOrPair] = None, padding: PaddingArg = "valid") -> str:
        """Adds max pooling reading ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, MaxPool2d.NAME_PREFIX,
                         lambda n: MaxPool2d(kernel, stride, padding, name=n, inputs=(input,)))

    def add_avg_pool2d(self, name: Optional[str], kernel: IntOrPair, input: str, *,
                       stride: Optional[IntOrPair] = None, padding: PaddingArg = "valid",
                       count_include_pad: bool = True) -> str:
        """Adds average pooling reading ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, AvgPool2d.NAME_PREFIX,
                         lambda n: AvgPool2d(kernel, stride, padding, count_include_pad, name=n, inputs=(input,)))

    def add_global_avg_pool(self, name: Optional[str], input: str) -> str:
        """Adds global average pooling reading ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, GlobalAvgPool.TYPE, lambda n: GlobalAvgPool(name=n, inputs=(input,)))

    def add_batch_norm(self, name: Optional[str], input: str, *, momentum: float = DEFAULT_MOMENTUM,
                       epsilon: float = DEFAULT_EPSILON) -> str:
        """Adds batch normalisation reading ``input``; ``name`` may be None. Returns its name."""
        return self._add(name, BatchNorm.TYPE, lambda n: BatchNorm(momentum, epsilon, name=n, inputs=(input,)))

    def add_layer_norm(self, name: Optional[str], input: str, *, axes: int = 1,
                       epsilon: float = DEFAULT_EPSILON) -> str:
        """Adds layer normalisation over the last ``axes`` axes of ``input``; ``name`` may be None.
        Returns its name."""
        return self._add(name, LayerNorm.TYPE, lambda n: LayerNorm(axes, epsilon, name=n, inputs=(input,)))
