"""The Python network builder writes the same canonical JSON as Java's NetworkSpec, byte for byte."""

import json
import os
from typing import Any

import pytest

from jvm_spec import java_array, java_canonical, network_tests
from spark_dl import (
    Activation,
    Add,
    AvgPool2d,
    BatchNorm,
    Concat,
    Conv1d,
    Conv2d,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAvgPool,
    Gru,
    Input,
    LayerNorm,
    Lstm,
    MaxPool2d,
    MultiHeadAttention,
    Network,
    NetworkSpecError,
    PositionalEmbedding,
    Reshape,
    SequenceMeanPool,
    jar_path,
)
from spark_dl._spec_checks import ACTIVATION_FUNCTIONS, INITS, _java_double


def residual() -> Network:
    b = Network.builder()
    x = b.add_input("features", 16)
    h = b.add_dense(None, 16, x, init="he_normal")
    h = b.add_activation(None, "elu", h, alpha=0.5)
    s = b.add_add("residual", x, h)
    c = b.add_concat(None, -1, s, x)
    b.add_dropout("drop", 0.125, c)
    return b.build()


def image_like() -> Network:
    return (
        Network.builder()
        .input("pixels", 784)
        .reshape(1, 28, 28)
        .flatten()
        .dense(64, bias=False, init="zeros")
        .leaky_relu(0.2)
        .dense(32, init="uniform")
        .gelu()
        .dropout(0.5)
        .dense(10)
        .build()
    )


def two_inputs() -> Network:
    b = Network.builder()
    a = b.add_input("a", 3)
    c = b.add_input("b", 5)
    j = b.add_concat("joined", 0, a, c)
    h = b.add_dense(None, 4, j)
    t = b.add_activation(None, "tanh", h)
    out = b.add_dense("head", 2, t)
    return b.outputs(out, t).build()


NETWORKS = {
    "mlp": lambda: Network.mlp([784, 128, 10]),
    "mlp-tanh": lambda: Network.mlp([4, 8, 8, 3], "tanh"),
    "residual": residual,
    "image-like": image_like,
    "two-inputs": two_inputs,
    "layer-objects": lambda: (
        Network.builder()
        .input("features", 6)
        .layer(Dense(12, init="he_uniform"))
        .layer(Activation("leaky_relu"))
        .layer(Dropout(0.3, name="d"))
        .layer(Dense(2))
        .build()
    ),
}


(test_python_json_is_the_jvm_canonical_json, test_json_round_trips_through_python,
 test_python_infers_the_shapes_the_jvm_infers) = network_tests(NETWORKS)


def test_mlp_matches_java_mlp(jvm: Any, gateway: Any) -> None:
    sizes = java_array(gateway, gateway.jvm.int, [784, 128, 10])
    java = str(jvm.org.sparkdl.spec.NetworkSpec.mlp(sizes, "relu").toJson())
    assert Network.mlp([784, 128, 10], "relu").to_json() == java


def test_sequential_builder_matches_java_builder(jvm: Any, gateway: Any) -> None:
    ints = gateway.jvm.int
    java = (
        jvm.org.sparkdl.spec.NetworkSpec.builder()
        .input("x", java_array(gateway, ints, [784]))
        .reshape(java_array(gateway, ints, [1, 28, 28]))
        .flatten()
        .dense(64, False, "zeros")
        .leakyRelu(0.2)
        .dense(32, "uniform")
        .gelu()
        .geluErf()
        .silu()
        .relu6()
        .hardSigmoid()
        .hardSwish()
        .softplus()
        .mish()
        .selu()
        .dropout(0.5)
        .elu()
        .sigmoid()
        .dense(10)
        .build()
        .toJson()
    )
    python = (
        Network.builder()
        .input("x", 784)
        .reshape(1, 28, 28)
        .flatten()
        .dense(64, bias=False, init="zeros")
        .leaky_relu(0.2)
        .dense(32, init="uniform")
        .gelu()
        .gelu_erf()
        .silu()
        .relu6()
        .hard_sigmoid()
        .hard_swish()
        .softplus()
        .mish()
        .selu()
        .dropout(0.5)
        .elu()
        .sigmoid()
        .dense(10)
        .build()
        .to_json()
    )
    assert python == str(java)


def test_graph_builder_matches_java_builder(jvm: Any, gateway: Any) -> None:
    strings = gateway.jvm.String
    b = jvm.org.sparkdl.spec.NetworkSpec.builder()
    x = b.addInput("features", java_array(gateway, gateway.jvm.int, [16]))
    h = b.addDense(None, 16, True, "he_normal", x)
    h = b.addActivation(None, "elu", 0.5, h)
    s = b.addAdd("residual", java_array(gateway, strings, [x, h]))
    c = b.addConcat(None, -1, java_array(gateway, strings, [s, x]))
    b.addDropout("drop", 0.125, c)
    assert residual().to_json() == str(b.build().toJson())


def test_java_json_parses_into_equal_python_network(jvm: Any) -> None:
    java = str(jvm.org.sparkdl.spec.NetworkSpec.fromJson(image_like().to_json()).toJson())
    assert Network.from_json(java) == image_like()


def test_short_json_takes_the_same_defaults_as_java(jvm: Any) -> None:
    short = json.dumps(
        {
            "format_version": 1,
            "inputs": [{"name": "features", "shape": [4]}],
            "layers": [
                {"type": "dense", "name": "hidden", "units": 8},
                {"type": "activation", "name": "act", "function": "leaky_relu"},
                {"type": "dense", "name": "out", "units": 3},
            ],
        }
    )
    assert Network.from_json(short).to_json() == java_canonical(jvm, short)


@pytest.mark.parametrize("value", [0.5, 0.01, 1.0, 0.3, 0.125, 1e-4, 2.5e-5, 0.001, 0.0009765625, 123.25, 1e7, 0.1 + 0.2])
def test_doubles_print_as_java_prints_them(jvm: Any, value: float) -> None:
    assert _java_double(value) == str(jvm.java.lang.Double.toString(value))


def test_automatic_names_follow_the_java_rules() -> None:
    net = Network.builder().input("features", 4).dense(8).relu().dense(8).relu().dropout(0.1).dense(2).build()
    assert [layer.name for layer in net.layers] == ["dense_1", "relu_1", "dense_2", "relu_2", "dropout_1", "dense_3"]
    assert net.layers[1].inputs == ("dense_1",)
    assert net.outputs == ("dense_3",)


def test_automatic_names_skip_names_already_taken() -> None:
    b = Network.builder().input("features", 4)
    b.add_dense("dense_1", 4, "features")
    assert b.add_dense(None, 4, "dense_1") == "dense_2"


def test_shapes_are_inferred() -> None:
    shapes = image_like().infer_shapes()
    assert shapes["pixels"] == [784]
    assert shapes["reshape_1"] == [1, 28, 28]
    assert shapes["flatten_1"] == [784]
    assert image_like().output_shape == [10]
    assert two_inputs().infer_shapes()["joined"] == [8]


def test_reshape_resolves_minus_one() -> None:
    net = Network.builder().input("x", 12).reshape(-1, 4).build()
    assert net.output_shape == [3, 4]


def test_layer_objects_are_values() -> None:
    assert Dense(8, name="a", inputs=["x"]) == Dense(8, name="a", inputs=("x",))
    assert Activation("elu").alpha == 1.0
    assert Activation("leaky_relu").alpha == 0.01
    assert Activation("relu").alpha == 0.0
    assert Input("x", 5).shape == (5,)
    assert Reshape((1, 2)).shape == (1, 2)
    assert Flatten().name is None


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Dense(0), "Layer 'None': units must be > 0, found 0."),
        (lambda: Dense(4, init="xavier"), "unknown init 'xavier'; known inits: glorot_normal, glorot_uniform,"),
        (lambda: Activation("swish"), "unknown activation function 'swish'"),
        (lambda: Activation("relu", 0.5), "function 'relu' takes no alpha, found 0.5."),
        (lambda: Activation("elu", -1.0), "alpha of elu must be finite and >= 0, found -1.0."),
        (lambda: Dropout(1.0), "rate must be in [0, 1), found 1.0."),
        (lambda: Reshape((-1, -1)), "shape may contain at most one -1, found [-1, -1]."),
        (lambda: Input("1bad name", 3), "Input name '1bad name' is invalid"),
        (lambda: Input("x", 0), "Input 'x': shape dims must be > 0, found [0]."),
        (lambda: Add(("a",)), "add needs at least 2 inputs, found 1."),
        (lambda: Network.builder().dense(3), "Cannot add a dense layer sequentially before any input"),
        (lambda: Network.builder().input("x", 3).input("x", 4), "Duplicate name 'x'"),
        (lambda: Network.builder().input("x", 3).add_dense(None, 2, "y"), "Layer 'dense_1' reads 'y', which is not"),
        (lambda: Network.builder().input("x", 3).dense(2).outputs("z").build(), "Output 'z' is not an input or layer"),
        (lambda: Network.builder().input("x", 3).reshape(2, 2).build(), "cannot reshape [3] (3 elements) to [2, 2]"),
        (lambda: Network.mlp([4]), "mlp needs at least 2 layer sizes"),
        (lambda: Network.from_json('{"format_version": 2}'), "Unsupported format_version 2"),
        (lambda: Network.from_json("{ not json"), "Malformed network JSON at line 1"),
        (
            lambda: Network.from_json(
                '{"format_version": 1, "inputs": [{"name": "x", "shape": [3]}],'
                ' "layers": [{"type": "dense", "name": "d", "unit": 3}]}'
            ),
            "Layer 'd' has unknown field 'unit'; known fields: bias, init, inputs, name, type, units.",
        ),
    ],
)
def test_invalid_networks_raise_network_spec_errors(build: Any, message: str) -> None:
    with pytest.raises(NetworkSpecError) as info:
        build()
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_concat_checks_shapes_like_java() -> None:
    b = Network.builder()
    b.add_input("a", 2, 3)
    b.add_input("b", 3, 3)
    b.add_concat("c", 1, "a", "b")
    with pytest.raises(NetworkSpecError, match=r"input shapes \[2, 3\] \('a'\) and \[3, 3\] \('b'\) differ outside axis 1"):
        b.build()


def test_python_layer_classes_are_the_jvm_layer_types(jvm: Any) -> None:
    """The Python mirror knows exactly the layer types the JVM's spec reads (``NetworkSpec.layerTypes()``)."""
    from spark_dl.layers import _LAYER_TYPES

    java = sorted(str(t) for t in jvm.org.sparkdl.spec.NetworkSpec.layerTypes().keySet())
    assert sorted(_LAYER_TYPES) == java


def test_python_activation_functions_and_inits_are_the_jvm_ones(jvm: Any) -> None:
    """``Activation`` and ``Dense`` accept exactly what the JVM's spec accepts, so a network built in
    Python never fails only when the JVM reads it."""
    assert list(ACTIVATION_FUNCTIONS) == [str(f) for f in jvm.org.sparkdl.spec.Activation.FUNCTIONS]
    assert list(INITS) == [str(i) for i in jvm.org.sparkdl.spec.Dense.INITS]


# One layer of each type with every optional field set, so that each writes all the fields it can.
EVERY_FIELD = {
    t.TYPE: t
    for t in (
        Dense(4), Activation("leaky_relu", 0.2), Dropout(0.5), Add(("a", "b")), Concat(("a", "b")), Reshape((2, 2)),
        Flatten(), Conv2d(8, 3), Conv1d(8, 3), MaxPool2d(2), AvgPool2d(2), GlobalAvgPool(), BatchNorm(), LayerNorm(),
        Embedding(10, 4, padding_index=0), Lstm(8), Gru(8), MultiHeadAttention(2), PositionalEmbedding(),
        SequenceMeanPool(),
    )
}


def test_python_layer_classes_write_the_jvm_fields_in_canonical_order(jvm: Any) -> None:
    """Each Python layer writes, and its reader accepts, exactly the fields of ``NetworkSpec.layerFields()``."""
    from spark_dl.layers import _LAYER_TYPES, _TYPE_FIELDS

    java = {str(t): [str(f) for f in fields] for t, fields in jvm.org.sparkdl.spec.NetworkSpec.layerFields().items()}
    assert sorted(EVERY_FIELD) == sorted(_LAYER_TYPES) == sorted(java)
    for type_, layer in EVERY_FIELD.items():
        assert isinstance(layer, _LAYER_TYPES[type_])
        assert [field for field, _ in layer._fields()] == java[type_], type_
        assert list(layer.to_dict())[3:] == java[type_], type_
        assert list(_TYPE_FIELDS[type_]) == java[type_], type_


def test_the_layer_families_are_services_of_the_library_jar(jvm: Any) -> None:
    """The spec finds its layer families with its own class loader: here, the one that loaded the session's jar."""
    family = jvm.py4j.reflection.ReflectionUtil.classForName("org.sparkdl.spec.LayerFamily")
    assert str(family.getProtectionDomain().getCodeSource().getLocation()).endswith(os.path.basename(jar_path()))
    providers = jvm.java.util.ServiceLoader.load(family, family.getClassLoader()).iterator()
    found = [str(f.getClass().getName()) for f in providers]
    assert found == ["org.sparkdl.nn." + f for f in ("CoreLayers", "ConvLayers", "NormLayers", "RecurrentLayers",
                                                     "AttentionLayers")]


def test_describe_tabulates_the_layers_with_the_jvm_counts(jvm: Any) -> None:
    net = Network.builder().input("features", 784).dense(128).relu().dense(10).build()
    table = net.describe()
    assert table.splitlines()[0].split() == ["layer", "type", "output", "shape", "parameters"]
    assert table.splitlines()[-1].split() == ["total", "101,770"]
