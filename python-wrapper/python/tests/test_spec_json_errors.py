"""Malformed network JSON, at the network, input and core-layer level, fails in Python with the message
the JVM gives for the same text: both read fields through the same rules (JsonFields)."""

import json
from typing import Any

import pytest

from jvm_spec import java_error, python_error
from spark_dl import Network


def net(inputs: Any = None, layers: Any = None, **extra: Any) -> str:
    root = {"format_version": 1,
            "inputs": [{"name": "x", "shape": [4]}] if inputs is None else inputs,
            "layers": [{"type": "dense", "name": "d", "units": 2}] if layers is None else layers}
    root.update(extra)
    return json.dumps(root)


# (JSON, the part of the JVM's message that says why, so that each case fails for the reason it is about)
CASES = [
    ('[1, 2]', "Network JSON must be an object, found array [1,2]."),
    ('{"inputs": []}', "Network has no 'format_version'."),
    ('{"format_version": "1"}', "Network: field 'format_version' must be an integer, found string \"1\"."),
    ('{"format_version": 1.0}', "Network: field 'format_version' must be an integer, found number 1.0."),
    ('{"format_version": 2, "extra": true}', "Unsupported format_version 2; this library reads format_version 1."),
    (net(name="n"), "Network has unknown field 'name'; known fields: format_version, inputs, layers, outputs."),
    (net(inputs={}), "Network: field 'inputs' must be an array, found object {}."),
    (net(inputs=[3]), "inputs[0] must be an object, found number 3."),
    (net(inputs=[{"name": 7, "shape": [4]}]), "inputs[0]: field 'name' must be a string, found number 7."),
    (net(inputs=[{"shape": [4]}]), "inputs[0] has no 'name'."),
    (net(inputs=[{"name": "x", "shape": [4], "dtype": "float"}]),
     "Input 'x' has unknown field 'dtype'; known fields: name, shape, sparse."),
    (net(inputs=[{"name": "x", "shape": ["4"]}]), "Input 'x': field 'shape' must be an array of integers, found array"),
    (net(layers=["dense"]), "layers[0] must be an object, found string \"dense\"."),
    (net(layers=[{"type": 1, "name": "d"}]), "Layer 'd': field 'type' must be a string, found number 1."),
    (net(layers=[{"name": "d", "units": 2}]), "Layer 'd' has no 'type'; known types: activation, add, avg_pool2d,"),
    (net(layers=[{"type": "dense", "name": "d", "units": "128"}]),
     "Layer 'd': field 'units' must be an integer, found string \"128\"."),
    (net(layers=[{"type": "dense", "name": "d", "units": 3.0}]),
     "Layer 'd': field 'units' must be an integer, found number 3.0."),
    (net(layers=[{"type": "dense", "name": "d", "units": 2, "bias": 1}]),
     "Layer 'd': field 'bias' must be a boolean, found number 1."),
    (net(layers=[{"type": "dense", "name": "d", "units": 2, "inputs": [1]}]),
     "Layer 'd': field 'inputs' must be an array of strings, found array [1]."),
    (net(layers=[{"type": "activation", "name": "a", "function": "relu", "alpha": 0.1}]),
     "Layer 'a': function 'relu' takes no alpha; remove the field."),
    (net(layers=[{"type": "activation", "name": "a", "function": "elu", "alpha": "x"}]),
     "Layer 'a': field 'alpha' must be a number, found string \"x\"."),
    (net(layers=[{"type": "activation", "name": "a", "function": "swish", "alpha": 0.1}]),
     "Layer 'a': unknown activation function 'swish'; known functions:"),
    (net(layers=[{"type": "dropout", "name": "d"}]), "Layer 'd' has no 'rate'."),
    (net(layers=[{"type": "dropout", "name": "d", "rate": None}]),
     "Layer 'd': field 'rate' must be a number, found null."),
    (net(layers=[{"type": "concat", "name": "c", "inputs": ["x", "x"], "axis": "last"}]),
     "Layer 'c': field 'axis' must be an integer, found string \"last\"."),
    (net(layers=[{"type": "reshape", "name": "r", "shape": 4}]),
     "Layer 'r': field 'shape' must be an array, found number 4."),
    (net(inputs=[{"name": "a", "shape": [2]}, {"name": "b", "shape": [2]}]),
     "Layer 'd' has no 'inputs' and is the first layer of a network with 2 inputs; list the inputs it reads."),
    (net(outputs="d"), "Network: field 'outputs' must be an array, found string \"d\"."),
    (net(inputs=[{"name": "x", "shape": [4], "sparse": True}],
         layers=[{"type": "activation", "name": "a", "function": "relu"}, {"type": "dense", "name": "d", "units": 2}]),
     "Input 'x' is sparse; only dense layers may read it, but layer 'a' (activation) does."),
    (net(inputs=[{"name": "x", "shape": [4], "sparse": True}], outputs=["d", "x"]),
     "Input 'x' is sparse and cannot be an output."),
]


@pytest.mark.parametrize("text, reason", CASES, ids=[c[1][:50] for c in CASES])
def test_malformed_json_fails_as_on_the_jvm(jvm: Any, text: str, reason: str) -> None:
    java = java_error(lambda: jvm.org.sparkdl.spec.NetworkSpec.fromJson(text))
    assert java.startswith(reason), java
    assert python_error(lambda: Network.from_json(text)) == java


def test_a_sparse_input_survives_json_and_must_be_one_width():
    from spark_dl.errors import NetworkSpecError
    text = ('{"format_version": 1, "inputs": [{"name": "x", "shape": [1000000], "sparse": true}],'
            ' "layers": [{"type": "dense", "name": "d", "units": 2}]}')
    written = Network.from_json(text).to_json()
    assert json.loads(written)["inputs"][0]["sparse"] is True
    assert Network.from_json(written).to_json() == written
    assert "sparse" not in Network.from_json(text.replace(', "sparse": true', "")).to_json()
    with pytest.raises(NetworkSpecError, match="is sparse, so its shape must be one width"):
        Network.from_json(text.replace("[1000000]", "[10, 10]"))
