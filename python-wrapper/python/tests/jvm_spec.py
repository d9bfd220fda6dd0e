"""The Java network spec, reached through the test session's Py4J gateway, as the reference that the
Python twin is compared with: its canonical JSON, its shapes and its error messages; and the checks the
network and spec-error test modules share."""

import json
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import pytest

from spark_dl import Network, NetworkSpecError
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


def builder(*shape: int) -> Any:
    """A Python network builder with an input ``x`` of ``shape``."""
    return Network.builder().input("x", *shape)


def add(make: Callable[[], Any]) -> Callable[[Sequence[int]], Any]:
    """Builds a network with an input ``x`` of the given shape and the layer ``make`` gives reading it."""
    return lambda shape: builder(*shape).layer(make()).build()


def outcome(action: Callable[[], Any]) -> Any:
    """The shapes of a network, or the message it fails with."""
    try:
        return action()
    except ValueError as e:
        return str(e)


def assert_json_fails_alike(jvm: Any, text: str, message: str) -> None:
    """Java and Python both reject the network JSON ``text`` with ``message``."""
    assert java_error(lambda: jvm.org.sparkdl.spec.NetworkSpec.fromJson(text)) == message
    assert python_error(lambda: Network.from_json(text)) == message


def assert_one_layer_fails_alike(jvm: Any, layer: Dict[str, Any], shape: Sequence[int],
                                 python: Optional[Callable[[Sequence[int]], Any]], message: str) -> None:
    """The network of ``layer`` over an input of ``shape`` fails with ``message`` in Java and in Python, from
    JSON and, where ``python`` builds the same through the API, from that too."""
    assert_json_fails_alike(jvm, one_layer(layer, shape), message)
    if python is not None:
        assert python_error(lambda: python(shape)) == message


def assert_sequential_before_input_fails_alike(jvm: Any, type_: str, python: Callable[[Any], Any],
                                               java: Callable[[Any], Any]) -> None:
    """Adding a ``type_`` layer sequentially to an empty builder fails alike in Java and in Python."""
    message = java_error(lambda: java(jvm.org.sparkdl.spec.NetworkSpec.builder()))
    assert message == "Cannot add a %s layer sequentially before any input; call input(...) first." % type_
    assert python_error(lambda: python(Network.builder())) == message


def agreeing_outcomes(jvm: Any, texts: Iterable[str]) -> int:
    """Asserts that Java and Python infer the same shapes, or fail with the same message, for every network
    JSON of ``texts``; returns how many were valid."""
    valid = 0
    for text in texts:
        java = outcome(translated(lambda: java_shapes(jvm, text)))
        python = outcome(lambda: Network.from_json(text).infer_shapes())
        assert python == java, text
        valid += isinstance(java, dict)
    return valid


def network_tests(networks: Dict[str, Callable[[], Network]]) -> Tuple[Callable[..., None], ...]:
    """The tests each module of example networks runs over its ``networks``, to be bound to module names that
    pytest collects: Python writes the JVM's canonical JSON, reads its own JSON back to an equal network, and
    infers the shapes the JVM infers."""

    @pytest.mark.parametrize("name", sorted(networks))
    def python_json_is_the_jvm_canonical_json(jvm: Any, name: str) -> None:
        text = networks[name]().to_json()
        assert java_canonical(jvm, text) == text

    @pytest.mark.parametrize("name", sorted(networks))
    def json_round_trips_through_python(name: str) -> None:
        net = networks[name]()
        assert Network.from_json(net.to_json()) == net
        assert Network.from_json(net.to_json()).to_json() == net.to_json()

    @pytest.mark.parametrize("name", sorted(networks))
    def python_infers_the_shapes_the_jvm_infers(jvm: Any, name: str) -> None:
        net = networks[name]()
        assert net.infer_shapes() == java_shapes(jvm, net.to_json())

    return (python_json_is_the_jvm_canonical_json, json_round_trips_through_python,
            python_infers_the_shapes_the_jvm_infers)
