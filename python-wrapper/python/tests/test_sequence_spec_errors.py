"""Every error of the embedding, recurrent and attention layers and of the Transformer encoder block reads
as the JVM's for the same bad spec, whether the spec comes as JSON or through the Python builder; and
over a seeded sweep of sequence layers and shapes, Python and the JVM agree on every shape and error."""

import json
import random
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import pytest

from jvm_spec import (
    add,
    agreeing_outcomes,
    assert_json_fails_alike,
    assert_one_layer_fails_alike,
    assert_sequential_before_input_fails_alike,
    builder,
    java_error,
    java_ints,
    one_layer,
    python_error,
)
from spark_dl import Embedding, Gru, Lstm, MultiHeadAttention, Network, PositionalEmbedding, SequenceMeanPool

MAX = 2147483647


def with_lengths(layer: Dict[str, Any], shape: Sequence[int], lengths: Sequence[int]) -> str:
    """A network JSON with inputs ``x`` of ``shape`` and ``n`` of ``lengths`` and one layer ``c`` reading both."""
    return json.dumps({"format_version": 1, "inputs": [{"name": "x", "shape": list(shape)},
                                                       {"name": "n", "shape": list(lengths)}],
                       "layers": [{"name": "c", "inputs": ["x", "n"], **layer}]})


# (layer JSON, input shape, the same spec through the Python API on an input of that shape, or None where
#  only JSON can say it, and the JVM's message, written out so that the test also pins the wording)
CASES: List[Tuple[Dict[str, Any], Sequence[int], Optional[Callable[[Sequence[int]], Any]], str]] = [
    # field types and presence, as read from JSON
    ({"type": "embedding", "dimension": 4}, [5], None, "Layer 'c' has no 'vocabulary_size'."),
    ({"type": "embedding", "vocabulary_size": 9, "dimension": 4, "padding_index": None}, [5], None,
     "Layer 'c': field 'padding_index' must be an integer, found null."),
    ({"type": "embedding", "vocabulary_size": 9, "dimension": 4, "padding": 0}, [5], None,
     "Layer 'c' has unknown field 'padding'; known fields: dimension, inputs, name, padding_index, type, "
     "vocabulary_size."),
    ({"type": "lstm", "units": 4}, [5, 3], None,
     "Layer 'c' has unknown field 'units'; known fields: bidirectional, hidden_size, inputs, name, num_layers, "
     "return_sequences, type."),
    ({"type": "gru", "num_layers": 2}, [5, 3], None, "Layer 'c' has no 'hidden_size'."),
    # the reader takes the fields in order, so a bad num_layers type is named before a bad hidden_size value
    ({"type": "lstm", "hidden_size": 0, "num_layers": "2"}, [5, 3], None,
     "Layer 'c': field 'num_layers' must be an integer, found string \"2\"."),
    ({"type": "gru", "hidden_size": 4, "bidirectional": "yes"}, [5, 3], None,
     "Layer 'c': field 'bidirectional' must be a boolean, found string \"yes\"."),
    ({"type": "lstm", "hidden_size": 4, "return_sequences": 1}, [5, 3], None,
     "Layer 'c': field 'return_sequences' must be a boolean, found number 1."),
    ({"type": "multi_head_attention", "heads": 2.0}, [5, 4], None,
     "Layer 'c': field 'heads' must be an integer, found number 2.0."),
    ({"type": "multi_head_attention", "heads": 2, "causal": None}, [5, 4], None,
     "Layer 'c': field 'causal' must be a boolean, found null."),
    ({"type": "multi_head_attention", "heads": 2, "mask": True}, [5, 4], None,
     "Layer 'c' has unknown field 'mask'; known fields: bias, causal, heads, inputs, name, type."),
    ({"type": "positional_embedding", "init": 0}, [5, 4], None,
     "Layer 'c': field 'init' must be a string, found number 0."),
    ({"type": "sequence_mean_pool", "axis": 0}, [5, 4], None,
     "Layer 'c' has unknown field 'axis'; known fields: inputs, name, type."),
    ({"type": "lstm", "hidden_size": 4, "inputs": ["x", "x", "x"]}, [5, 3], None,
     "Layer 'c': lstm reads at most 2 inputs, found 3."),
    ({"type": "sequence_mean_pool", "inputs": ["x", "x", "x"]}, [5, 3], None,
     "Layer 'c': sequence_mean_pool reads at most 2 inputs, found 3."),
    ({"type": "embedding", "vocabulary_size": 9, "dimension": 4, "inputs": ["x", "x"]}, [5],
     add(lambda: Embedding(9, 4, name="c", inputs=("x", "x"))), "Layer 'c': embedding reads exactly 1 input, found 2."),
    ({"type": "positional_embedding", "inputs": ["x", "x"]}, [5, 4],
     add(lambda: PositionalEmbedding(name="c", inputs=("x", "x"))),
     "Layer 'c': positional_embedding reads exactly 1 input, found 2."),
    # field values, checked by the layer itself
    ({"type": "embedding", "name": "embedding_1", "vocabulary_size": 0, "dimension": 4}, [5],
     lambda s: builder(*s).embedding(0, 4),
     "Layer 'embedding_1': vocabulary_size and dimension must be > 0, found 0 and 4."),
    ({"type": "embedding", "vocabulary_size": 9, "dimension": -1}, [5], add(lambda: Embedding(9, -1, name="c")),
     "Layer 'c': vocabulary_size and dimension must be > 0, found 9 and -1."),
    ({"type": "embedding", "vocabulary_size": 100000, "dimension": 100000}, [5],
     add(lambda: Embedding(100000, 100000, name="c")),
     "Layer 'c': weight [100000, 100000] has more than %d elements." % MAX),
    ({"type": "embedding", "name": "embedding_1", "vocabulary_size": 10, "dimension": 4, "padding_index": 10}, [5],
     lambda s: builder(*s).embedding(10, 4, padding_index=10),
     "Layer 'embedding_1': padding_index must be in [0, 10), the vocabulary; found 10."),
    ({"type": "embedding", "vocabulary_size": 10, "dimension": 4, "padding_index": -1}, [5],
     add(lambda: Embedding(10, 4, -1, name="c")),
     "Layer 'c': padding_index must be in [0, 10), the vocabulary; found -1."),
    ({"type": "lstm", "name": "lstm_1", "hidden_size": 0}, [5, 3], lambda s: builder(*s).lstm(0),
     "Layer 'lstm_1': hidden_size must be in [1, 16777216], found 0."),
    ({"type": "gru", "hidden_size": 16777217}, [5, 3], add(lambda: Gru(16777217, name="c")),
     "Layer 'c': hidden_size must be in [1, 16777216], found 16777217."),
    ({"type": "gru", "name": "gru_1", "hidden_size": 4, "num_layers": 65}, [5, 3],
     lambda s: builder(*s).gru(4, num_layers=65), "Layer 'gru_1': num_layers must be in [1, 64], found 65."),
    ({"type": "lstm", "hidden_size": 4, "num_layers": 0}, [5, 3], add(lambda: Lstm(4, 0, name="c")),
     "Layer 'c': num_layers must be in [1, 64], found 0."),
    ({"type": "multi_head_attention", "name": "attention_1", "heads": 0}, [5, 4],
     lambda s: builder(*s).multi_head_attention(0), "Layer 'attention_1': heads must be >= 1, found 0."),
    ({"type": "positional_embedding", "name": "positional_embedding_1", "init": "kaiming"}, [5, 4],
     lambda s: builder(*s).positional_embedding("kaiming"),
     "Layer 'positional_embedding_1': unknown init 'kaiming'; known inits: glorot_normal, glorot_uniform, he_normal, "
     "he_uniform, normal, uniform, zeros."),
    # shapes that do not fit
    ({"type": "embedding", "vocabulary_size": 9, "dimension": 4}, [5, 2], add(lambda: Embedding(9, 4, name="c")),
     "Layer 'c': embedding reads token ids of shape [steps]; found input shape [5, 2] ('x')."),
    ({"type": "embedding", "vocabulary_size": 1, "dimension": 100000}, [100000],
     add(lambda: Embedding(1, 100000, name="c")),
     "Layer 'c': output shape [100000, 100000] has more than %d elements." % MAX),
    ({"type": "lstm", "name": "lstm_1", "hidden_size": 8}, [784], lambda s: builder(*s).lstm(8).build(),
     "Layer 'lstm_1': lstm reads sequences of shape [steps, features]; found input shape [784] ('x'). Reshape it "
     "first, e.g. [784] to [28, 28]."),
    ({"type": "gru", "hidden_size": 8}, [1, 28, 28], add(lambda: Gru(8, name="c")),
     "Layer 'c': gru reads sequences of shape [steps, features]; found input shape [1, 28, 28] ('x'). Reshape it "
     "first, e.g. [784] to [28, 28]."),
    ({"type": "lstm", "hidden_size": 16777216}, [10, 10], add(lambda: Lstm(16777216, name="c")),
     "Layer 'c': weights [67108864, 16777216] or output [10, 16777216] have more than %d elements." % MAX),
    ({"type": "gru", "hidden_size": 2, "bidirectional": True, "return_sequences": True}, [1000000000, 1],
     add(lambda: Gru(2, bidirectional=True, return_sequences=True, name="c")),
     "Layer 'c': weights [6, 4] or output [1000000000, 4] have more than %d elements." % MAX),
    ({"type": "multi_head_attention", "name": "attention_1", "heads": 2}, [10],
     lambda s: builder(*s).multi_head_attention(2).build(),
     "Layer 'attention_1': multi_head_attention needs an input [steps, features] (batch excluded), found [10]."),
    ({"type": "multi_head_attention", "heads": 4}, [5, 6], add(lambda: MultiHeadAttention(4, name="c")),
     "Layer 'c': input shape [5, 6] has 6 features, which do not split into 4 heads; the features must be "
     "divisible by heads."),
    ({"type": "multi_head_attention", "heads": 1}, [2, 30000], add(lambda: MultiHeadAttention(1, name="c")),
     "Layer 'c': in_proj_weight [90000, 30000] for input shape [2, 30000] has more than %d elements." % MAX),
    ({"type": "sequence_mean_pool", "name": "sequence_mean_pool_1"}, [5],
     lambda s: builder(*s).sequence_mean_pool().build(),
     "Layer 'sequence_mean_pool_1': sequence_mean_pool needs an input [steps, ...] of rank 2 or more (batch "
     "excluded), found [5]."),
]


@pytest.mark.parametrize("layer, shape, python, message", CASES, ids=[c[3][:60] for c in CASES])
def test_errors_read_as_the_jvm_errors(jvm: Any, layer: Dict[str, Any], shape: Sequence[int],
                                       python: Optional[Callable[[Sequence[int]], Any]], message: str) -> None:
    assert_one_layer_fails_alike(jvm, layer, shape, python, message)


LENGTHS_CASES = [
    ({"type": "lstm", "hidden_size": 4}, [5, 3], [2], lambda b: b.lstm(4, lengths="n"),
     "Layer 'c': the lengths input 'n' must have shape [1], one length per example; found [2]."),
    ({"type": "gru", "hidden_size": 4}, [5, 3], [1, 1], lambda b: b.gru(4, lengths="n"),
     "Layer 'c': the lengths input 'n' must have shape [1], one length per example; found [1, 1]."),
    ({"type": "multi_head_attention", "heads": 2}, [5, 4], [3], lambda b: b.multi_head_attention(2, lengths="n"),
     "Layer 'c': its second input 'n' holds the sequence lengths and must have shape [1] (one length per example); "
     "found [3]."),
    ({"type": "sequence_mean_pool"}, [5, 4], [5], lambda b: b.sequence_mean_pool(lengths="n"),
     "Layer 'c': its second input 'n' holds the sequence lengths and must have shape [1] (one length per example); "
     "found [5]."),
]


@pytest.mark.parametrize("layer, shape, lengths, method, message", LENGTHS_CASES,
                         ids=[c[0]["type"] for c in LENGTHS_CASES])
def test_a_lengths_input_of_the_wrong_shape_reads_as_the_jvm_error(
        jvm: Any, layer: Dict[str, Any], shape: Sequence[int], lengths: Sequence[int], method: Any,
        message: str) -> None:
    assert_json_fails_alike(jvm, with_lengths(layer, shape, lengths), message)
    built = Network.builder().input("n", *lengths).input("x", *shape)
    # the builder names the layer itself; the message is the same but for the name
    generated = python_error(lambda: method(built).build())
    assert generated.split("': ", 1)[1] == message.split("': ", 1)[1]


SEQUENTIAL = {
    "embedding": (lambda b: b.embedding(9, 4), lambda j: j.embedding(9, 4)),
    "lstm": (lambda b: b.lstm(4), lambda j: j.lstm(4)),
    "gru": (lambda b: b.gru(4), lambda j: j.gru(4)),
    "multi_head_attention": (lambda b: b.multi_head_attention(2), lambda j: j.multiHeadAttention(2)),
    "positional_embedding": (lambda b: b.positional_embedding(), lambda j: j.positionalEmbedding()),
    "sequence_mean_pool": (lambda b: b.sequence_mean_pool(), lambda j: j.sequenceMeanPool()),
    "transformer encoder": (lambda b: b.transformer_encoder(2, 8), lambda j: j.transformerEncoder(2, 8, 0.1, False)),
}


@pytest.mark.parametrize("type_", sorted(SEQUENTIAL))
def test_sequential_layers_before_any_input_fail_as_in_java(jvm: Any, type_: str) -> None:
    assert_sequential_before_input_fails_alike(jvm, type_, *SEQUENTIAL[type_])


def encoder_pair(jvm: Any, gateway: Any, shape: Sequence[int]) -> Tuple[Any, Any]:
    """A Java and a Python builder, each holding an input ``x`` of ``shape`` and an input ``n`` of [1]."""
    java = jvm.org.sparkdl.spec.NetworkSpec.builder().input("n", java_ints(gateway, [1]))
    java.input("x", java_ints(gateway, list(shape)))
    return java, Network.builder().input("n", 1).input("x", *shape)


# (input shape, block name, heads, ffn_dim, dropout, norm_first, lengths, the JVM's message)
ENCODER_CASES = [
    ([5, 8], "enc", 2, 16, 0.1, False, "nope", "Layer 'enc.self_attn' reads 'nope', which is not an input or an "
     "earlier layer."),
    ([16], None, 2, 16, 0.1, False, None, "Transformer encoder 'encoder_1' needs an input [steps, features] (batch "
     "excluded); 'x' has shape [16]."),
    ([5, 8], None, 2, 16, 1.0, True, None, "Transformer encoder 'encoder_1': dropout must be in [0, 1), found 1.0."),
    ([5, 8], "enc", 2, 16, -0.5, True, None, "Transformer encoder 'enc': dropout must be in [0, 1), found -0.5."),
    ([5, 8], "enc", 2, 16, float("nan"), True, None,
     "Transformer encoder 'enc': dropout must be in [0, 1), found NaN."),
    ([5, 8], None, 0, 16, 0.1, False, None, "Layer 'encoder_1.self_attn': heads must be >= 1, found 0."),
    ([5, 8], None, 2, 0, 0.1, True, "n", "Layer 'encoder_1.linear1': units must be > 0, found 0."),
    ([5, 8], "bad name", 2, 16, 0.1, True, None, "Layer name 'bad name.norm1' is invalid; names use letters, digits, "
     "'_', '.', '/' and '-', do not start with '.', '/' or '-', and have at most 128 characters."),
]


@pytest.mark.parametrize("shape, name, heads, ffn, dropout, norm_first, lengths, message", ENCODER_CASES,
                         ids=[c[7][:50] for c in ENCODER_CASES])
def test_encoder_block_errors_read_as_the_jvm_errors_and_leave_no_layer_behind(
        jvm: Any, gateway: Any, shape: Sequence[int], name: Optional[str], heads: int, ffn: int, dropout: float,
        norm_first: bool, lengths: Optional[str], message: str) -> None:
    java, python = encoder_pair(jvm, gateway, shape)
    java.addDense("before", 3, "x")
    python.add_dense("before", 3, "x")
    java_add = lambda: java.addTransformerEncoder(name, "x", heads, ffn, dropout, norm_first, lengths)  # noqa: E731
    assert java_error(java_add) == message
    assert python_error(lambda: python.add_transformer_encoder(name, heads, ffn, "x", dropout=dropout,
                                                               norm_first=norm_first, lengths=lengths)) == message
    # all or nothing: the builders go on from where they were, numbering the next block 1
    java.relu()
    python.relu()
    assert python.build().to_json() == str(java.build().toJson())
    assert [layer.name for layer in python.build().layers] == ["before", "relu_1"]


def test_an_encoder_block_that_reuses_a_name_fails_whole(jvm: Any, gateway: Any) -> None:
    java, python = encoder_pair(jvm, gateway, [5, 8])
    java.addTransformerEncoder("enc", "x", 2, 16, 0.0, False, None)
    python.add_transformer_encoder("enc", 2, 16, "x", dropout=0.0)
    message = java_error(lambda: java.addTransformerEncoder("enc", "enc.norm2", 2, 16, 0.0, False, None))
    assert message == "Duplicate name 'enc.self_attn': every input and layer needs a unique name."
    assert python_error(lambda: python.add_transformer_encoder("enc", 2, 16, "enc.norm2", dropout=0.0)) == message
    assert python.build().to_json() == str(java.build().toJson())


def test_heads_that_do_not_divide_the_features_fail_at_build_as_in_java(jvm: Any, gateway: Any) -> None:
    java, python = encoder_pair(jvm, gateway, [5, 6])
    java.transformerEncoder(4, 8, 0.1, False)
    python.transformer_encoder(4, 8)
    message = java_error(lambda: java.build())
    assert message == ("Layer 'encoder_1.self_attn': input shape [5, 6] has 6 features, which do not split into 4 "
                       "heads; the features must be divisible by heads.")
    assert python_error(lambda: python.build()) == message


def test_an_encoder_block_infers_the_shapes_before_it_so_an_earlier_bad_layer_fails_there(
        jvm: Any, gateway: Any) -> None:
    java, python = encoder_pair(jvm, gateway, [10])
    java.multiHeadAttention(2)
    python.multi_head_attention(2)
    message = java_error(lambda: java.transformerEncoder(2, 8, 0.1, False))
    assert message == ("Layer 'attention_1': multi_head_attention needs an input [steps, features] (batch excluded), "
                       "found [10].")
    assert python_error(lambda: python.transformer_encoder(2, 8)) == message


def test_python_only_argument_types_are_named() -> None:
    assert python_error(lambda: Lstm("8", name="c")) == "Layer 'c': hidden_size must be an integer, found '8'."
    assert python_error(lambda: Gru(8, bidirectional=1, name="c")) == (
        "Layer 'c': bidirectional must be True or False, found 1.")
    assert python_error(lambda: MultiHeadAttention(2, causal="no", name="c")) == (
        "Layer 'c': causal must be True or False, found 'no'.")
    assert python_error(lambda: Embedding(9, 4, 1.5, name="c")) == (
        "Layer 'c': padding_index must be an integer, found 1.5.")
    assert python_error(lambda: SequenceMeanPool(name="c", inputs=("x", 3))) == (
        "Layer 'c': inputs must be node names (strings), found 3.")
    assert python_error(lambda: builder(5, 8).transformer_encoder(2, 8, dropout="0.1")) == (
        "Transformer encoder 'encoder_1': dropout must be a number, found '0.1'.")
    assert python_error(lambda: PositionalEmbedding(None, name="c")).startswith("Layer 'c': unknown init 'null'")


def sweep(seed: int, count: int) -> List[str]:
    """Seeded random networks of one sequence layer, with and without a lengths input, most valid."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        kind = rng.choice(["embedding", "lstm", "gru", "multi_head_attention", "positional_embedding",
                           "sequence_mean_pool"])
        shape = [rng.randint(1, 9) for _ in range(rng.choice([1, 2, 2, 2, 3]))]
        if kind == "embedding":
            layer = {"vocabulary_size": rng.randint(0, 12), "dimension": rng.randint(1, 8)}
            if rng.random() < 0.5:
                layer["padding_index"] = rng.randint(-1, 12)
        elif kind in ("lstm", "gru"):
            layer = {"hidden_size": rng.randint(0, 8), "num_layers": rng.randint(1, 3),
                     "bidirectional": rng.random() < 0.5, "return_sequences": rng.random() < 0.5}
        elif kind == "multi_head_attention":
            layer = {"heads": rng.randint(0, 4), "causal": rng.random() < 0.5, "bias": rng.random() < 0.5}
        else:
            layer = {}
        layer = {"type": kind, **layer}
        if kind in ("lstm", "gru", "multi_head_attention", "sequence_mean_pool") and rng.random() < 0.4:
            texts.append(with_lengths(layer, shape, rng.choice([[1], [1], [2], [1, 1]])))
        else:
            texts.append(one_layer(layer, shape))
    return texts


def test_shapes_and_errors_agree_with_the_jvm_over_a_seeded_sweep(jvm: Any) -> None:
    valid = agreeing_outcomes(jvm, sweep(seed=20240612, count=500))
    # the sweep exercises both sides of the rules
    assert 100 < valid < 450, valid
