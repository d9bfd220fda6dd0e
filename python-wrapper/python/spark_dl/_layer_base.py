"""The base class of every layer type, kept apart from the layer families (``layers``,
``conv_layers``, ``pool_layers``, ``norm_layers``) so that each family imports it without importing
the others."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Sequence, Tuple

from spark_dl._spec_checks import _check_inputs, _check_name

__all__ = ["Layer"]


class Layer:
    """One layer of a :class:`Network`: a named node reading one or more earlier nodes.

    Layers are immutable values. ``name`` and ``inputs`` may be left out (``None``) on a layer handed
    to :meth:`NetworkBuilder.layer`, which names it like the Java builder and connects it to the node
    added before it; a :class:`Network` needs both.
    """

    TYPE: ClassVar[str] = ""
    #: What the builder's automatic names start with when it is not the type tag.
    NAME_PREFIX: ClassVar[str] = ""
    name: Optional[str]
    inputs: Optional[Tuple[str, ...]]

    def _check_common(self, low: int, high: Optional[int]) -> None:
        if self.name is not None:
            _check_name("Layer", self.name)
        if self.inputs is not None:
            object.__setattr__(self, "inputs", _check_inputs(self.name, self.TYPE, self.inputs, low, high))

    def _fields(self) -> List[Tuple[str, Any]]:
        """The type-specific JSON fields, in canonical order."""
        return []

    def _name_prefix(self) -> str:
        """What the builder's automatic names start with (``dense`` for ``dense_1``)."""
        return self.NAME_PREFIX or self.TYPE

    def output_shape(self, input_shapes: Sequence[Sequence[int]]) -> List[int]:
        """The shape this layer produces from the shapes of its inputs (batch dimension excluded)."""
        raise NotImplementedError

    def to_dict(self) -> Dict[str, Any]:
        """The canonical JSON object of this layer, as a dict in canonical key order."""
        out: Dict[str, Any] = {"type": self.TYPE, "name": self.name, "inputs": list(self.inputs or ())}
        out.update(self._fields())
        return out
