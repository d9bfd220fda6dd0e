"""Normalisation layers, :class:`BatchNorm` and :class:`LayerNorm`: the twins of Java's
``org.sparkdl.spec.BatchNorm`` and ``LayerNorm``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, List, Optional, Sequence, Tuple

from spark_dl._json_fields import JsonFields
from spark_dl._layer_base import Layer
from spark_dl._spec_checks import _as_int, _check_shape_count, _dims, _java_double, _layer_error
from spark_dl.errors import NetworkSpecError

__all__ = ["BatchNorm", "LayerNorm", "DEFAULT_MOMENTUM", "DEFAULT_EPSILON"]

#: PyTorch's default momentum of batch normalisation.
DEFAULT_MOMENTUM = 0.1
#: PyTorch's default epsilon of batch and layer normalisation.
DEFAULT_EPSILON = 1e-5


def _number(layer: Optional[str], field: str, value: Any) -> float:
    """A float, keeping the sign of -0.0 so that messages print what was given, as Java does."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NetworkSpecError("Layer '%s': %s must be a number, found %r." % (layer, field, value))
    return float(value)


def _check_epsilon(layer: Optional[str], epsilon: float) -> None:
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise _layer_error(layer, "epsilon must be finite and > 0, found %s." % _java_double(epsilon))


@dataclass(frozen=True)
class BatchNorm(Layer):
    r"""Batch normalisation over the first per-example axis (the channels):

    .. math::
        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \, \gamma + \beta

    per channel. Training uses the batch's statistics (over the batch and every position) and updates
    running ones, ``running = (1 - momentum) running + momentum batch`` (PyTorch's convention: Keras'
    ``momentum=0.99`` is ``0.01`` here); inference uses the running statistics.

    Args:
        momentum: weight of the batch statistics in the running ones, in [0, 1]. Default: 0.1.
        epsilon: added to the variance, finite and > 0. Default: 1e-5.
        name: unique layer name; chosen by the builder when left out (``batch_norm_1``, ...).
        inputs: the one node it reads; the previous node when left out.

    Shape:
        - Input: ``[C]``, ``[C, L]`` or ``[C, H, W]`` (batch excluded).
        - Output: the same as the input.

    Parameters: ``weight`` (:math:`\gamma`, ones) and ``bias`` (:math:`\beta`, zeros), both ``[C]``;
    buffers ``running_mean`` (zeros) and ``running_var`` (ones), not trained, saved with the weights.

    Example::

        >>> Network.builder().input("image", 6, 28, 28).batch_norm(momentum=0.01).build().layers[0].epsilon
        1e-05
    """

    TYPE: ClassVar[str] = "batch_norm"
    momentum: float = DEFAULT_MOMENTUM
    epsilon: float = DEFAULT_EPSILON
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)
        momentum = _number(self.name, "momentum", self.momentum)
        epsilon = _number(self.name, "epsilon", self.epsilon)
        if not (0 <= momentum <= 1):
            raise _layer_error(self.name, "momentum must be in [0, 1], found %s." % _java_double(momentum))
        _check_epsilon(self.name, epsilon)
        # -0.0 would print differently from 0.0 and break exact JSON round trips.
        object.__setattr__(self, "momentum", momentum + 0.0)
        object.__setattr__(self, "epsilon", epsilon)

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("momentum", self.momentum), ("epsilon", self.epsilon)]

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """Shape unchanged."""
        _check_shape_count(self, input_shapes)
        return list(input_shapes[0])

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "BatchNorm":
        return cls(f.double_or("momentum", DEFAULT_MOMENTUM), f.double_or("epsilon", DEFAULT_EPSILON),
                   name=name, inputs=inputs)


@dataclass(frozen=True)
class LayerNorm(Layer):
    r"""Layer normalisation over the last ``axes`` per-example axes: each example (and each position
    of the axes before them) is normalised by its own mean and variance over those axes, then scaled
    and shifted elementwise:

    .. math::
        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \odot \gamma + \beta

    The same in training and inference.

    Args:
        axes: how many trailing axes to normalise over, >= 1 and at most the input rank. Default: 1.
        epsilon: added to the variance, finite and > 0. Default: 1e-5.
        name: unique layer name; chosen by the builder when left out (``layer_norm_1``, ...).
        inputs: the one node it reads; the previous node when left out.

    Shape:
        - Input: any shape of rank >= ``axes`` (batch excluded).
        - Output: the same as the input.

    Parameters: ``weight`` (:math:`\gamma`, ones) and ``bias`` (:math:`\beta`, zeros), both shaped
    as the last ``axes`` dimensions of the input (PyTorch's ``normalized_shape``).

    Example::

        >>> net = Network.builder().input("seq", 8, 16).layer_norm(axes=2).build()
        >>> net.layers[0].normalized_shape(net.inputs[0].shape)
        [8, 16]
    """

    TYPE: ClassVar[str] = "layer_norm"
    axes: int = 1
    epsilon: float = DEFAULT_EPSILON
    name: Optional[str] = None
    inputs: Optional[Tuple[str, ...]] = None

    def __post_init__(self) -> None:
        self._check_common(1, 1)
        axes = _as_int("Layer '%s'" % self.name, "axes", self.axes)
        epsilon = _number(self.name, "epsilon", self.epsilon)
        if axes < 1:
            raise _layer_error(self.name, "axes must be >= 1, found %d." % axes)
        _check_epsilon(self.name, epsilon)
        object.__setattr__(self, "axes", axes)
        object.__setattr__(self, "epsilon", epsilon)

    def _fields(self) -> List[Tuple[str, Any]]:
        return [("axes", self.axes), ("epsilon", self.epsilon)]

    def normalized_shape(self, input_shape: Sequence[int]) -> List[int]:
        """The trailing dimensions normalised together (PyTorch's ``normalized_shape``) for an input shape."""
        return list(input_shape[len(input_shape) - self.axes:])

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """Shape unchanged; ``axes`` must not exceed the input rank."""
        _check_shape_count(self, input_shapes)
        shape = list(input_shapes[0])
        if self.axes > len(shape):
            raise _layer_error(self.name, "axes %d exceeds the rank of input shape %s (the batch dimension is not "
                               "counted)." % (self.axes, _dims(shape)))
        return shape

    @classmethod
    def _from_json(cls, name: str, inputs: Tuple[str, ...], f: JsonFields) -> "LayerNorm":
        return cls(f.int_or("axes", 1), f.double_or("epsilon", DEFAULT_EPSILON), name=name, inputs=inputs)
