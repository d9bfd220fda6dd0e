"""Convolution, pooling and normalisation layers in the Python network spec: the builder, the canonical
JSON (byte for byte what the JVM writes, and read back from it) and the documented shape rules."""

import doctest
import json
from typing import Any, Callable, Dict

import pytest

import spark_dl
from jvm_spec import java_array, java_canonical, java_integers, java_ints, network_tests
from spark_dl import (
    AvgPool2d,
    BatchNorm,
    Conv1d,
    Conv2d,
    GlobalAvgPool,
    LayerNorm,
    MaxPool2d,
    Network,
)
from spark_dl._window_rules import amounts


def every_layer() -> Network:
    """One of each 2-D type with every option set somewhere (Java: ConvSpecTest.everyLayer)."""
    return (
        Network.builder()
        .input("image", 3, 32, 32)
        .conv2d(16, 3, padding="same").batch_norm().relu().max_pool2d(2)
        .conv2d(32, 3, stride=2, dilation=(1, 2), groups=2, bias=False, init="glorot_uniform")
        .avg_pool2d(2, stride=1, padding=1, count_include_pad=False)
        .global_avg_pool().layer_norm().dense(10)
        .build()
    )


def sequence() -> Network:
    return (
        Network.builder()
        .input("seq", 4, 20)
        .conv1d(8, 5, padding="same", stride=2)
        .conv1d(8, 3, padding=1, dilation=2, groups=4, bias=False, init="zeros")
        .layer_norm(2, 1e-3).batch_norm(0.01, 1e-3).global_avg_pool().dense(3)
        .build()
    )


def graph() -> Network:
    b = Network.builder()
    x = b.add_input("x", 2, 9, 9)
    c = b.add_conv2d("stem", 4, 3, x, stride=2)
    p = b.add_max_pool2d(None, 3, c, stride=1, padding="same")
    p = b.add_max_pool2d(None, 1, p)
    a = b.add_avg_pool2d("avg", 2, p)
    n = b.add_batch_norm(None, a, momentum=0.01, epsilon=1e-3)
    g = b.add_global_avg_pool(None, n)
    out = b.add_layer_norm("ln", g)
    s = b.add_conv1d(None, 6, 3, b.add_reshape(None, x, 2, 81), groups=2)
    return b.outputs(out, s).build()


NETWORKS: Dict[str, Callable[[], Network]] = {
    "every-layer": every_layer,
    "sequence": sequence,
    "graph": graph,
    "layer-objects": lambda: (
        Network.builder()
        .input("image", 1, 28, 28)
        .layer(Conv2d(6, (5, 3), padding=(2, 1), init="he_normal"))
        .layer(MaxPool2d((2, 1), stride=(2, 1)))
        .layer(AvgPool2d(3, stride=1, padding="same", name="smooth"))
        .layer(BatchNorm(momentum=0.0, epsilon=0.001))
        .layer(LayerNorm(axes=3))
        .layer(GlobalAvgPool())
        .build()
    ),
    "conv1d-defaults": lambda: Network.builder().input("seq", 2, 8).conv1d(3, 2).layer(Conv1d(3, 1, name="c")).build(),
}


(test_python_json_is_the_jvm_canonical_json, test_json_round_trips_through_python,
 test_python_infers_the_shapes_the_jvm_infers) = network_tests(NETWORKS)


def test_sequential_builder_matches_java_builder(jvm: Any, gateway: Any) -> None:
    spec = jvm.org.sparkdl.spec
    b = spec.NetworkSpec.builder().input("image", java_ints(gateway, [3, 32, 32]))
    b.addLayer(spec.Conv2d("conv2d_1", "image", 16, 3).withPadding(spec.Padding.SAME))
    b.batchNorm().relu().maxPool2d(2)
    b.addLayer(spec.Conv2d("conv2d_2", "max_pool_1", 32, 3).withStride(java_integers(gateway, [2]))
               .withDilation(java_integers(gateway, [1, 2])).withGroups(2).withBias(False).withInit("glorot_uniform"))
    b.addLayer(spec.AvgPool2d("avg_pool_1", "conv2d_2", 2).withStride(java_integers(gateway, [1]))
               .withPadding(spec.Padding.of(java_ints(gateway, [1]))).withCountIncludePad(False))
    java = str(b.globalAvgPool().layerNorm().dense(10).build().toJson())
    assert every_layer().to_json() == java


def test_one_dimensional_builder_matches_java_builder(jvm: Any, gateway: Any) -> None:
    spec = jvm.org.sparkdl.spec
    b = spec.NetworkSpec.builder().input("seq", java_ints(gateway, [4, 20]))
    b.addLayer(spec.Conv1d("conv1d_1", "seq", 8, 5).withPadding(spec.Padding.SAME).withStride(2))
    b.addLayer(spec.Conv1d("conv1d_2", "conv1d_1", 8, 3).withPadding(spec.Padding.of(java_ints(gateway, [1])))
               .withDilation(2).withGroups(4).withBias(False).withInit("zeros"))
    java = str(b.layerNorm(2, 1e-3).batchNorm(0.01, 1e-3).globalAvgPool().dense(3).build().toJson())
    assert sequence().to_json() == java


def test_graph_builder_matches_java_builder(jvm: Any, gateway: Any) -> None:
    spec = jvm.org.sparkdl.spec
    same = jvm.java.util.function.UnaryOperator.identity()
    b = spec.NetworkSpec.builder()
    x = b.addInput("x", java_ints(gateway, [2, 9, 9]))
    c = b.addLayer(spec.Conv2d("stem", x, 4, 3).withStride(java_integers(gateway, [2])))
    p = b.addLayer(spec.MaxPool2d("max_pool_1", c, 3).withStride(java_integers(gateway, [1]))
                   .withPadding(spec.Padding.SAME))
    p = b.addMaxPool2d(None, 1, same, p)
    a = b.addAvgPool2d("avg", 2, same, p)
    n = b.addBatchNorm(None, 0.01, 1e-3, a)
    g = b.addGlobalAvgPool(None, n)
    out = b.addLayerNorm("ln", 1, 1e-5, g)
    r = b.addReshape(None, x, java_ints(gateway, [2, 81]))
    s = b.addLayer(spec.Conv1d("conv1d_1", r, 6, 3).withGroups(2))
    java = b.outputs(java_array(gateway, gateway.jvm.String, [out, s])).build().toJson()
    assert graph().to_json() == str(java)
    assert [layer.name for layer in graph().layers] == [
        "stem", "max_pool_1", "max_pool_2", "avg", "batch_norm_1", "global_avg_pool_1", "ln", "reshape_1", "conv1d_1"]


def test_short_json_takes_the_same_defaults_as_java(jvm: Any) -> None:
    short = json.dumps({"format_version": 1, "inputs": [{"name": "x", "shape": [1, 28, 28]}], "layers": [
        {"type": "conv2d", "name": "c1", "filters": 6, "kernel": 5, "padding": 2},
        {"type": "max_pool2d", "name": "p1", "kernel": 2},
        {"type": "conv2d", "name": "c2", "filters": 16, "kernel": [5, 5], "padding": "valid", "stride": [1, 1]},
        {"type": "avg_pool2d", "name": "p2", "kernel": [2, 1], "padding": [1, 0]},
        {"type": "batch_norm", "name": "bn", "momentum": 1},
        {"type": "reshape", "name": "r", "shape": [16, 60]},
        {"type": "conv1d", "name": "c3", "filters": 4, "kernel": 3, "padding": [1]},
        {"type": "conv1d", "name": "c4", "filters": 4, "kernel": 3, "padding": "valid", "inputs": ["c3"]},
        {"type": "global_avg_pool", "name": "g"},
        {"type": "layer_norm", "name": "ln"},
    ]})
    net = Network.from_json(short)
    assert net.to_json() == java_canonical(jvm, short)
    # p2: kernel [2, 1], stride defaulting to it, padding [1, 0] over [16, 10, 10]
    assert net.infer_shapes()["p2"] == [16, 6, 10]
    assert net.layers[4] == BatchNorm(1.0, name="bn", inputs=("p2",))


def test_uneven_padding_reads_and_writes_as_in_java(jvm: Any) -> None:
    spec = json.dumps({"format_version": 1, "inputs": [{"name": "x", "shape": [1, 9, 9]}], "layers": [
        {"type": "conv2d", "name": "c", "filters": 2, "kernel": 3, "padding": [[0, 1], [1, 0]]},
        {"type": "max_pool2d", "name": "p", "kernel": 3, "stride": 2, "padding": [[1, 0]]},
        {"type": "avg_pool2d", "name": "a", "kernel": 2, "padding": [[1, 1], [0, 0]]},
        {"type": "reshape", "name": "r", "shape": [2, 6]},
        {"type": "conv1d", "name": "d", "filters": 2, "kernel": 3, "padding": [[2, 0]]},
    ]})
    net = Network.from_json(spec)
    assert net.to_json() == java_canonical(jvm, spec)
    # c: 9 + 1 - 3 + 1 = 8 each way; p: (8 + 1 - 3) // 2 + 1 = 4; a (pairs alike on both ends are sizes, [1, 0]):
    # (4 + 2 - 2) // 2 + 1 = 3 by (4 - 2) // 2 + 1 = 2; d: 6 + 2 - 3 + 1 = 6
    shapes = net.infer_shapes()
    assert [shapes[k] for k in "cpad"] == [[2, 8, 8], [2, 4, 4], [2, 3, 2], [2, 6]]
    assert net.layers[0] == Conv2d(2, 3, padding=((0, 1), (1, 0)), name="c", inputs=("x",))
    assert net.layers[2].padding == (1, 0)


def test_the_builder_names_layers_per_type() -> None:
    assert [layer.name for layer in every_layer().layers] == [
        "conv2d_1", "batch_norm_1", "relu_1", "max_pool_1", "conv2d_2", "avg_pool_1", "global_avg_pool_1",
        "layer_norm_1", "dense_1"]
    assert [layer.name for layer in NETWORKS["layer-objects"]().layers] == [
        "conv2d_1", "max_pool_1", "smooth", "batch_norm_1", "layer_norm_1", "global_avg_pool_1"]


def test_shapes_follow_the_documented_rules() -> None:
    shapes = every_layer().infer_shapes()
    assert shapes["conv2d_1"] == [16, 32, 32]  # "same", stride 1: the input size
    assert shapes["max_pool_1"] == [16, 16, 16]  # stride defaults to the kernel
    # height (16 - 3) / 2 + 1 = 7; width with dilation 2 spans 5: (16 - 5) / 2 + 1 = 6
    assert shapes["conv2d_2"] == [32, 7, 6]
    # padding 1 each side: (7 + 2 - 2) / 1 + 1 = 8 and (6 + 2 - 2) / 1 + 1 = 7
    assert shapes["avg_pool_1"] == [32, 8, 7]
    assert shapes["global_avg_pool_1"] == [32]
    seq = sequence().infer_shapes()
    assert seq["conv1d_1"] == [8, 10]  # "same" at stride 2: ceil(20 / 2)
    assert seq["conv1d_2"] == [8, 8]  # span 2 * (3 - 1) + 1 = 5 over 10 + 2: 12 - 5 + 1
    assert graph().infer_shapes()["conv1d_1"] == [6, 79]  # groups 2: 2 channels in, 6 filters


def test_same_padding_gives_ceil_of_input_over_stride_and_never_rejects_a_kernel() -> None:
    for size in range(1, 12):
        for stride in (1, 2, 3):
            net = Network.builder().input("x", 1, size, size + 1).conv2d(2, 5, padding="same", stride=stride).build()
            assert net.output_shape == [2, -(-size // stride), -(-(size + 1) // stride)]
    # TensorFlow / ONNX SAME_UPPER: the odd element of the padding goes at the end
    assert amounts("same", 0, 7, 4, 2, 1) == (1, 2)
    assert amounts("same", 0, 6, 3, 1, 2) == (2, 2)
    assert amounts("same", 0, 8, 2, 2, 1) == (0, 0)


def test_layer_objects_are_values_with_normalised_fields() -> None:
    assert Conv2d(8, 3) == Conv2d(8, (3, 3), stride=(1, 1), padding="valid", dilation=1)
    assert Conv2d(8, 3, padding=2).padding == (2, 2)
    assert Conv2d(8, 3, padding="same").padding == "same"
    assert Conv2d(8, 3).init == "he_uniform"
    assert Conv1d(4, 3, padding=(2,)).padding == 2
    assert Conv1d(4, 3, padding="valid").padding == 0
    assert MaxPool2d(2).stride == (2, 2)
    assert AvgPool2d((3, 2)).stride == (3, 2) and AvgPool2d(2).count_include_pad is True
    assert BatchNorm() == BatchNorm(0.1, 1e-5)
    assert str(BatchNorm(momentum=-0.0).momentum) == "0.0"
    assert LayerNorm().axes == 1 and LayerNorm(axes=2).normalized_shape([3, 4, 5]) == [4, 5]
    assert hash(Conv2d(8, 3)) == hash(Conv2d(8, (3, 3)))


def test_every_type_is_exported_where_the_core_layers_are() -> None:
    import spark_dl.layers
    import spark_dl.network

    for cls in (Conv1d, Conv2d, MaxPool2d, AvgPool2d, GlobalAvgPool, BatchNorm, LayerNorm):
        assert getattr(spark_dl.layers, cls.__name__) is cls
        assert getattr(spark_dl.network, cls.__name__) is cls
        assert cls.__name__ in spark_dl.__all__


@pytest.mark.parametrize("module", ["network", "conv_layers", "pool_layers", "norm_layers"])
def test_docstring_examples_run(module: str) -> None:
    mod = __import__("spark_dl." + module, fromlist=["_"])
    result = doctest.testmod(mod, extraglobs={"Network": spark_dl.Network}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
