"""Every error of the convolution, pooling and normalisation layers reads as the JVM's for the same bad
spec, whether the spec comes as JSON or through the Python builder; and over a seeded sweep of
kernels, strides, dilations, groups and paddings, Python and the JVM agree on every shape and error."""

import random
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import pytest

from jvm_spec import (
    add,
    agreeing_outcomes,
    assert_one_layer_fails_alike,
    assert_sequential_before_input_fails_alike,
    builder,
    java_error,
    java_ints,
    one_layer,
    outcome,
    python_error,
)
from spark_dl import AvgPool2d, BatchNorm, Conv1d, Conv2d, LayerNorm, MaxPool2d, Network


# (layer JSON, input shape, the same spec through the Python API on an input of that shape, or None where
#  only JSON can say it, and the JVM's message, written out so that the test also pins the wording)
CASES: List[Tuple[Dict[str, Any], Sequence[int], Optional[Callable[[Sequence[int]], Any]], str]] = [
    # field types and values, as read from JSON
    ({"type": "conv2d", "filters": 2, "kernel": 3, "padding": "full"}, [1, 8, 8], None,
     "Layer 'c': field 'padding' must be an integer, an array of integers, \"same\" or \"valid\", found string "
     "\"full\"."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "padding": -1}, [1, 8, 8], None,
     "Layer 'c': field 'padding' must be >= 0, found -1."),
    ({"type": "max_pool2d", "kernel": 3, "padding": [0, -1]}, [1, 8, 8], None,
     "Layer 'c': field 'padding' must be >= 0, found [0,-1]."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "padding": [[1, 2], 3]}, [1, 8, 8], None,
     "Layer 'c': field 'padding' must hold [before, after] pairs of integers, found [[1,2],3]."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "padding": [[1, 2, 3]]}, [1, 8, 8], None,
     "Layer 'c': field 'padding' must hold [before, after] pairs of integers, found [[1,2,3]]."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "padding": [[1, True]]}, [1, 8, 8], None,
     "Layer 'c': field 'padding' must hold [before, after] pairs of integers, found [[1,true]]."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "padding": [[1, -2]]}, [1, 8, 8], None,
     "Layer 'c': field 'padding' must be >= 0, found [[1,-2]]."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "padding": [[1, 2], [0, 0], [1, 1]]}, [1, 8, 8],
     add(lambda: Conv2d(2, 3, padding=((1, 2), (0, 0), (1, 1)), name="c")),
     "Layer 'c': padding [[1, 2], [0, 0], [1, 1]] must have 2 sizes (one per spatial axis), or be a single size, "
     "'same' or 'valid'."),
    ({"type": "max_pool2d", "kernel": 3, "padding": [[1, 2], [0, 0]]}, [1, 8, 8],
     add(lambda: MaxPool2d(3, padding=((1, 2), (0, 0)), name="c")),
     "Layer 'c': padding [[1, 2], [0, 0]] must be at most half the kernel [3, 3]."),
    ({"type": "conv1d", "filters": 2, "kernel": 5, "padding": [[0, 1]]}, [1, 3],
     add(lambda: Conv1d(2, 5, padding=((0, 1),), name="c")),
     "Layer 'c': kernel [5] with dilation [1] spans [5], more than the input [1, 3] padded to [4] "
     "(padding [[0, 1]])."),
    ({"type": "conv1d", "filters": 2, "kernel": 3, "padding": True}, [1, 8], None,
     "Layer 'c': field 'padding' must be an integer, an array of integers, \"same\" or \"valid\", found boolean "
     "true."),
    ({"type": "conv2d", "filters": 2, "kernel": "3"}, [1, 8, 8], None,
     "Layer 'c': field 'kernel' must be an integer or an array of integers, found string \"3\"."),
    ({"type": "conv2d", "filters": 2, "kernel": [1, 2.5]}, [1, 8, 8], None,
     "Layer 'c': field 'kernel' must be an array of integers, found array [1,2.5]."),
    ({"type": "conv2d", "filters": 2, "kernel": ["three", "three", "three", "three"]}, [1, 8, 8], None,
     "Layer 'c': field 'kernel' must be an array of integers, found array [\"three\",\"three\",\"three\","
     "\"three\"]."),
    ({"type": "conv2d", "filters": 2, "kernel": ["a long name", "a long name", "a long name", "x"]}, [1, 8, 8], None,
     "Layer 'c': field 'kernel' must be an array of integers, found array [\"a long name\",\"a long name\",\"a "
     "long nam...."),
    ({"type": "conv1d", "filters": 2, "kernel": [3]}, [1, 8], None,
     "Layer 'c': field 'kernel' must be an integer, found array [3]."),
    ({"type": "conv2d", "filters": 3000000000, "kernel": 3}, [1, 8, 8], None,
     "Layer 'c': field 'filters' is out of range, found 3000000000."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "init": 5}, [1, 8, 8], None,
     "Layer 'c': field 'init' must be a string, found number 5."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "bias": None}, [1, 8, 8], None,
     "Layer 'c': field 'bias' must be a boolean, found null."),
    ({"type": "avg_pool2d", "kernel": 2, "count_include_pad": "yes"}, [1, 8, 8], None,
     "Layer 'c': field 'count_include_pad' must be a boolean, found string \"yes\"."),
    ({"type": "batch_norm", "momentum": "0.1"}, [4], None,
     "Layer 'c': field 'momentum' must be a number, found string \"0.1\"."),
    ({"type": "batch_norm", "epsilon": {"value": 0.001}}, [4], None,
     "Layer 'c': field 'epsilon' must be a number, found object {\"value\":0.001}."),
    ({"type": "layer_norm", "axes": 1.0}, [4], None,
     "Layer 'c': field 'axes' must be an integer, found number 1.0."),
    ({"type": "conv2d", "kernel": 3}, [1, 8, 8], None, "Layer 'c' has no 'filters'."),
    ({"type": "max_pool2d", "stride": 2}, [1, 8, 8], None, "Layer 'c' has no 'kernel'."),
    ({"type": "conv2d", "filter": 2, "kernel": 3}, [1, 8, 8], None,
     "Layer 'c' has unknown field 'filter'; known fields: bias, dilation, filters, groups, init, inputs, kernel, "
     "name, padding, stride, type."),
    ({"type": "avg_pool2d", "kernel": 2, "count_include_padding": False}, [1, 8, 8], None,
     "Layer 'c' has unknown field 'count_include_padding'; known fields: count_include_pad, inputs, kernel, name, "
     "padding, stride, type."),
    ({"type": "global_avg_pool", "axes": 1}, [1, 8, 8], None,
     "Layer 'c' has unknown field 'axes'; known fields: inputs, name, type."),
    ({"type": "conv3d", "filters": 2}, [1, 8, 8], None,
     "Layer 'c' has unknown type 'conv3d'; known types: activation, add, avg_pool2d, batch_norm, concat, conv1d, "
     "conv2d, dense, dropout, embedding, flatten, global_avg_pool, gru, layer_norm, lstm, max_pool2d, "
     "multi_head_attention, positional_embedding, reshape, sequence_mean_pool."),
    # field values, checked by the layer itself
    ({"type": "conv2d", "filters": 2, "kernel": 3, "padding": [1, 2, 3]}, [1, 8, 8],
     add(lambda: Conv2d(2, 3, padding=(1, 2, 3), name="c")),
     "Layer 'c': padding [1, 2, 3] must have 2 sizes (one per spatial axis), or be a single size, 'same' or "
     "'valid'."),
    ({"type": "conv1d", "filters": 2, "kernel": 3, "padding": [1, 2]}, [1, 8],
     add(lambda: Conv1d(2, 3, padding=(1, 2), name="c")),
     "Layer 'c': padding [1, 2] must have 1 size (one per spatial axis), or be a single size, 'same' or 'valid'."),
    ({"type": "conv2d", "filters": 2, "kernel": [3, 3, 3]}, [1, 8, 8], add(lambda: Conv2d(2, (3, 3, 3), name="c")),
     "Layer 'c': kernel [3, 3, 3] must have 2 entries (one per spatial axis) or be a single number."),
    ({"type": "max_pool2d", "kernel": 2, "stride": []}, [1, 8, 8], add(lambda: MaxPool2d(2, stride=(), name="c")),
     "Layer 'c': stride [] must have 2 entries (one per spatial axis) or be a single number."),
    ({"type": "conv2d", "name": "conv2d_1", "filters": 3, "kernel": 3, "groups": 2}, [2, 8, 8],
     lambda s: builder(*s).conv2d(3, 3, groups=2),
     "Layer 'conv2d_1': groups must be >= 1 and divide filters 3, found 2."),
    ({"type": "conv2d", "filters": 3, "kernel": 3, "groups": 0}, [2, 8, 8],
     add(lambda: Conv2d(3, 3, groups=0, name="c")),
     "Layer 'c': groups must be >= 1 and divide filters 3, found 0."),
    ({"type": "conv1d", "filters": 0, "kernel": 3}, [2, 8], lambda s: builder(*s).add_conv1d("c", 0, 3, "x"),
     "Layer 'c': filters must be > 0, found 0."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "stride": 0}, [1, 8, 8],
     lambda s: builder(*s).add_conv2d("c", 2, 3, "x", stride=0),
     "Layer 'c': stride must be >= 1, found [0]."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "dilation": [1, 0]}, [1, 8, 8],
     lambda s: builder(*s).add_conv2d("c", 2, 3, "x", dilation=(1, 0)),
     "Layer 'c': dilation must be >= 1, found [1, 0]."),
    ({"type": "conv1d", "filters": 2, "kernel": 0}, [1, 8], add(lambda: Conv1d(2, 0, name="c")),
     "Layer 'c': kernel must be >= 1, found [0]."),
    ({"type": "conv1d", "name": "conv1d_1", "filters": 2, "kernel": 3, "init": "kaiming"}, [1, 8],
     lambda s: builder(*s).conv1d(2, 3, init="kaiming"),
     "Layer 'conv1d_1': unknown init 'kaiming'; known inits: glorot_normal, glorot_uniform, he_normal, he_uniform, "
     "normal, uniform, zeros."),
    ({"type": "max_pool2d", "name": "max_pool_1", "kernel": 3, "padding": 2}, [1, 8, 8],
     lambda s: builder(*s).max_pool2d(3, padding=2),
     "Layer 'max_pool_1': padding [2, 2] must be at most half the kernel [3, 3]."),
    ({"type": "avg_pool2d", "kernel": [1, 2], "padding": [0, 2]}, [1, 8, 8],
     add(lambda: AvgPool2d((1, 2), padding=(0, 2), name="c")),
     "Layer 'c': padding [0, 2] must be at most half the kernel [1, 2]."),
    ({"type": "batch_norm", "name": "batch_norm_1", "momentum": 1.5}, [4],
     lambda s: builder(*s).batch_norm(momentum=1.5),
     "Layer 'batch_norm_1': momentum must be in [0, 1], found 1.5."),
    ({"type": "batch_norm", "epsilon": 0}, [4], add(lambda: BatchNorm(epsilon=0, name="c")),
     "Layer 'c': epsilon must be finite and > 0, found 0.0."),
    ({"type": "batch_norm", "epsilon": -0.0}, [4], add(lambda: BatchNorm(epsilon=-0.0, name="c")),
     "Layer 'c': epsilon must be finite and > 0, found -0.0."),
    ({"type": "layer_norm", "name": "layer_norm_1", "axes": 0}, [4], lambda s: builder(*s).layer_norm(axes=0),
     "Layer 'layer_norm_1': axes must be >= 1, found 0."),
    ({"type": "layer_norm", "epsilon": -1e-5}, [4], add(lambda: LayerNorm(epsilon=-1e-5, name="c")),
     "Layer 'c': epsilon must be finite and > 0, found -1.0E-5."),
    # shapes that do not fit
    ({"type": "conv2d", "filters": 2, "kernel": 5}, [1, 3, 3], add(lambda: Conv2d(2, 5, name="c")),
     "Layer 'c': kernel [5, 5] with dilation [1, 1] spans [5, 5], more than the input [1, 3, 3] padded to [3, 3] "
     "(padding [0, 0])."),
    ({"type": "conv2d", "filters": 2, "kernel": 3, "dilation": 3, "padding": 1}, [1, 4, 4],
     add(lambda: Conv2d(2, 3, dilation=3, padding=1, name="c")),
     "Layer 'c': kernel [3, 3] with dilation [3, 3] spans [7, 7], more than the input [1, 4, 4] padded to [6, 6] "
     "(padding [1, 1])."),
    ({"type": "conv2d", "filters": 4, "kernel": 3, "groups": 2}, [3, 8, 8],
     add(lambda: Conv2d(4, 3, groups=2, name="c")),
     "Layer 'c': input channels 3 (input shape [3, 8, 8]) are not divisible by groups 2."),
    ({"type": "conv2d", "filters": 6, "kernel": 5}, [784], add(lambda: Conv2d(6, 5, name="c")),
     "Layer 'c': conv2d needs an input [channels, height, width] (batch excluded), found [784]; reshape it first, "
     "e.g. to [1, height, width]."),
    ({"type": "max_pool2d", "kernel": 2}, [4, 4], add(lambda: MaxPool2d(2, name="c")),
     "Layer 'c': max_pool2d needs an input [channels, height, width] (batch excluded), found [4, 4]."),
    ({"type": "conv1d", "filters": 6, "kernel": 5}, [3, 8, 8], add(lambda: Conv1d(6, 5, name="c")),
     "Layer 'c': conv1d needs an input [channels, length] (batch excluded), found [3, 8, 8]."),
    ({"type": "conv1d", "filters": 4, "kernel": 3, "groups": 2}, [5, 8], add(lambda: Conv1d(4, 3, groups=2, name="c")),
     "Layer 'c': input channels 5 (input shape [5, 8]) are not divisible by groups 2."),
    ({"type": "max_pool2d", "kernel": 3}, [2, 2, 4], add(lambda: MaxPool2d(3, name="c")),
     "Layer 'c': kernel [3, 3] with dilation [1, 1] spans [3, 3], more than the input [2, 2, 4] padded to [2, 4] "
     "(padding [0, 0])."),
    ({"type": "global_avg_pool", "name": "global_avg_pool_1"}, [10], lambda s: builder(*s).global_avg_pool().build(),
     "Layer 'global_avg_pool_1': global_avg_pool needs an input [channels, ...] with at least one spatial axis "
     "(batch excluded), found [10]."),
    ({"type": "layer_norm", "name": "layer_norm_1", "axes": 3}, [4, 5],
     lambda s: builder(*s).layer_norm(axes=3).build(),
     "Layer 'layer_norm_1': axes 3 exceeds the rank of input shape [4, 5] (the batch dimension is not counted)."),
    ({"type": "conv2d", "filters": 65536, "kernel": 100, "padding": "same"}, [64, 100, 100],
     add(lambda: Conv2d(65536, 100, padding="same", name="c")),
     "Layer 'c': weight [65536, 64, 100, 100] has more than 2147483647 elements."),
    ({"type": "conv1d", "filters": 65536, "kernel": 1000, "padding": "same"}, [64, 100],
     add(lambda: Conv1d(65536, 1000, padding="same", name="c")),
     "Layer 'c': weight [65536, 64, 1000] has more than 2147483647 elements."),
    ({"type": "conv2d", "filters": 1048576, "kernel": 1}, [1, 2048, 2048],
     add(lambda: Conv2d(1048576, 1, name="c")),
     "Layer 'c': output shape [1048576, 2048, 2048] has more than 2147483647 elements."),
    # sizes whose products or sums overflow Java's int or long arithmetic
    ({"type": "conv2d", "filters": 1048576, "kernel": 131072, "padding": "same"}, [1024, 1, 1], None,
     "Layer 'c': weight [1048576, 1024, 131072, 131072] has more than 2147483647 elements."),
    ({"type": "max_pool2d", "kernel": 3, "padding": 1073741825}, [1, 4, 4], None,
     "Layer 'c': padding [1073741825, 1073741825] must be at most half the kernel [3, 3]."),
    ({"type": "conv2d", "filters": 1, "kernel": 1, "padding": 2147483647}, [1, 1, 1], None,
     "Layer 'c': output size 4294967295 along spatial axis 0 (input [1, 1, 1], padding [2147483647, 2147483647])"
     " has more than 2147483647 elements."),
]


@pytest.mark.parametrize("layer, shape, python, message", CASES, ids=[c[3][:60] for c in CASES])
def test_errors_read_as_the_jvm_errors(jvm: Any, layer: Dict[str, Any], shape: Sequence[int],
                                       python: Optional[Callable[[Sequence[int]], Any]], message: str) -> None:
    assert_one_layer_fails_alike(jvm, layer, shape, python, message)


def test_uneven_padding_reads_as_javas_padding_record(jvm: Any, gateway: Any) -> None:
    padding = jvm.org.sparkdl.spec.Padding
    message = java_error(lambda: padding.of(java_ints(gateway, [1, 0]), java_ints(gateway, [0, -2])))
    assert message == "Padding sizes must be >= 0, found [0, -2]."
    assert python_error(lambda: Conv2d(2, 3, padding=((1, 0), (0, -2)))) == message
    assert padding.of(java_ints(gateway, [0, 1]), java_ints(gateway, [1, 0])).toString() == "[[0, 1], [1, 0]]"
    assert python_error(lambda: Conv2d(2, 3, padding=((1, 0, 2),), name="c")) == (
        "Layer 'c': padding pairs must be (before, after), found ((1, 0, 2),).")


def test_negative_padding_reads_as_javas_padding_record(jvm: Any, gateway: Any) -> None:
    message = java_error(lambda: jvm.org.sparkdl.spec.Padding.of(java_ints(gateway, [1, -2])))
    assert message == "Padding sizes must be >= 0, found [1, -2]."
    assert python_error(lambda: Conv2d(2, 3, padding=(1, -2))) == message
    assert python_error(lambda: builder(1, 8, 8).avg_pool2d(3, padding=(1, -2))) == message
    # the padding is built before the layer, so its error comes first
    assert python_error(lambda: MaxPool2d(0, padding=(1, -2))) == message


SEQUENTIAL = {
    "conv2d": (lambda b: b.conv2d(2, 3), lambda j: j.conv2d(2, 3)),
    "conv1d": (lambda b: b.conv1d(2, 3), lambda j: j.conv1d(2, 3)),
    "max_pool2d": (lambda b: b.max_pool2d(2), lambda j: j.maxPool2d(2)),
    "avg_pool2d": (lambda b: b.avg_pool2d(2), lambda j: j.avgPool2d(2)),
    "global_avg_pool": (lambda b: b.global_avg_pool(), lambda j: j.globalAvgPool()),
    "batch_norm": (lambda b: b.batch_norm(), lambda j: j.batchNorm()),
    "layer_norm": (lambda b: b.layer_norm(), lambda j: j.layerNorm()),
}


@pytest.mark.parametrize("type_", sorted(SEQUENTIAL))
def test_sequential_layers_before_any_input_fail_as_in_java(jvm: Any, type_: str) -> None:
    assert_sequential_before_input_fails_alike(jvm, type_, *SEQUENTIAL[type_])


def test_python_only_argument_types_are_named() -> None:
    assert python_error(lambda: Conv2d(2, 3, padding="full", name="c")) == (
        "Layer 'c': padding must be an integer, a sequence of integers, 'same' or 'valid', found 'full'.")
    assert python_error(lambda: Conv2d(2, 2.5, name="c")) == "Layer 'c': kernel must be an integer, found 2.5."
    assert python_error(lambda: Conv1d(2, (3,), name="c")) == "Layer 'c': kernel must be an integer, found (3,)."
    assert python_error(lambda: AvgPool2d(2, count_include_pad=1, name="c")) == (
        "Layer 'c': count_include_pad must be True or False, found 1.")
    assert python_error(lambda: BatchNorm("0.1", name="c")) == "Layer 'c': momentum must be a number, found '0.1'."


def sweep(seed: int, count: int) -> List[Tuple[Dict[str, Any], List[int]]]:
    """Seeded random one-layer specs over every window option, most of them valid, some not."""
    rng = random.Random(seed)

    def pick_padding(rank: int) -> Any:
        return rng.choice(["same", "valid", rng.randint(0, 3), [rng.randint(0, 3) for _ in range(rank)],
                           [[rng.randint(0, 3), rng.randint(0, 3)] for _ in range(rng.choice([1, rank]))]])

    def pair() -> Any:
        return rng.choice([rng.randint(1, 4), [rng.randint(1, 4), rng.randint(1, 4)]])

    specs = []
    for _ in range(count):
        kind = rng.choice(["conv2d", "conv1d", "max_pool2d", "avg_pool2d", "global_avg_pool", "layer_norm"])
        channels = rng.randint(1, 6)
        if kind == "conv2d":
            shape = [channels, rng.randint(1, 12), rng.randint(1, 12)]
            layer = {"filters": rng.randint(1, 6), "kernel": pair(), "stride": pair(), "dilation": pair(),
                     "groups": rng.randint(1, 3), "padding": pick_padding(2)}
        elif kind == "conv1d":
            shape = [channels, rng.randint(1, 16)]
            layer = {"filters": rng.randint(1, 6), "kernel": rng.randint(1, 5), "stride": rng.randint(1, 3),
                     "dilation": rng.randint(1, 3), "groups": rng.randint(1, 3), "padding": pick_padding(1)}
        elif kind in ("max_pool2d", "avg_pool2d"):
            shape = [channels, rng.randint(1, 12), rng.randint(1, 12)]
            layer = {"kernel": pair(), "padding": pick_padding(2)}
            if rng.random() < 0.7:
                layer["stride"] = pair()
        else:
            shape = [rng.randint(1, 5) for _ in range(rng.randint(1, 4))]
            layer = {"axes": rng.randint(1, 4)} if kind == "layer_norm" else {}
        specs.append(({"type": kind, **layer}, shape))
    return specs


def test_shapes_and_errors_agree_with_the_jvm_over_a_seeded_sweep(jvm: Any) -> None:
    valid = agreeing_outcomes(jvm, [one_layer(layer, shape) for layer, shape in sweep(seed=20240611, count=600)])
    # the sweep exercises both sides of the rules
    assert 200 < valid < 550, valid


def test_the_builder_gives_what_json_gives_over_the_sweep() -> None:
    checked = 0
    for layer, shape in sweep(seed=7, count=300):
        options = {k: tuple(v) if isinstance(v, list) else v for k, v in layer.items() if k != "type"}
        kind = layer["type"]
        if kind == "global_avg_pool":
            method: Callable[[Any], Any] = lambda b: b.global_avg_pool()
        elif kind == "layer_norm":
            method = lambda b: b.layer_norm(**options)
        elif kind in ("conv2d", "conv1d"):
            filters, kernel = options.pop("filters"), options.pop("kernel")
            method = lambda b: getattr(b, kind)(filters, kernel, **options)
        else:
            kernel = options.pop("kernel")
            method = lambda b: getattr(b, kind)(kernel, **options)
        built = outcome(lambda: method(builder(*shape)).build().to_json())
        read = outcome(lambda: Network.from_json(one_layer({**layer, "name": "%s_1" % _prefix(kind)}, shape)).to_json())
        assert built == read, (layer, shape)
        checked += 1
    assert checked == 300


def _prefix(kind: str) -> str:
    return {"max_pool2d": "max_pool", "avg_pool2d": "avg_pool"}.get(kind, kind)

