"""The Java network spec, reached through the test session's Py4J gateway, as the reference that the
Python twin is compared with: its canonical JSON, its shapes and its error messages."""

import json
from typing import Any, Callable, Dict, List, Sequence

import pytest

from spark_dl import NetworkSpecError
from spark_dl.errors import translated


def java_array(gateway: Any, java_type: Any, values: Sequence[Any]) -> Any:
    array = gateway.new_array(java_type, len(values))
    for i, v in enumerate(values):
        array[i] = v
    return array


def java_ints(gateway: Any, values: Sequence[int]) -> Any:
    """An ``int[]`` (for ``input(name, int...)`` and ``Padding.of``)."""
    return java_array(gateway, gateway.jvm.int, values)


def java_integers(gateway: Any, values: Sequence[int]) -> Any:
    """An ``Integer[]`` (for the records' ``withStride(Integer...)`` and ``withDilation(Integer...)``)."""
    return java_array(gateway, gateway.jvm.Integer, values)


def java_error(action: Callable[[], Any]) -> str:
    """The message of the ``SpecException`` that a JVM call throws, as spark_dl translates it."""
    with pytest.raises(NetworkSpecError) as info:
        translated(action)()
    assert info.value.java_class == "org.sparkdl.spec.SpecException"
    return str(info.value)


def python_error(action: Callable[[], Any]) -> str:
    """The message of the ``NetworkSpecError`` that a Python call raises."""
    with pytest.raises(NetworkSpecError) as info:
        action()
    assert info.value.java_class is None
    return str(info.value)


def java_canonical(jvm: Any, text: str) -> str:
    """Java's canonical JSON of a network given as JSON."""
    return str(jvm.org.sparkdl.spec.NetworkSpec.fromJson(text).toJson())


def java_shapes(jvm: Any, text: str) -> Dict[str, List[int]]:
    """Java's inferred shape of every node of a network given as JSON."""
    shapes = jvm.org.sparkdl.spec.NetworkSpec.fromJson(text).inferShapes()
    return {str(k): [int(d) for d in v] for k, v in shapes.items()}


def one_layer(layer: Dict[str, Any], shape: Sequence[int]) -> str:
    """A network JSON with an input ``x`` of ``shape`` and one layer (named ``c`` unless it says)."""
    return json.dumps({"format_version": 1, "inputs": [{"name": "x", "shape": list(shape)}],
                       "layers": [{"name": "c", **layer}]})
