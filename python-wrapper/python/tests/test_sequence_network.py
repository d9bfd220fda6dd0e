"""Embedding, recurrent and attention layers and Transformer encoder blocks in the Python network spec:
the builder, the canonical JSON (byte for byte what the JVM writes, and read back from it) and the
documented shape rules."""

import doctest
import json
from typing import Any, Callable, Dict

import pytest

import spark_dl
from jvm_spec import java_array, java_canonical, java_ints, network_tests
from spark_dl import (
    Embedding,
    Gru,
    Lstm,
    MultiHeadAttention,
    Network,
    PositionalEmbedding,
    SequenceMeanPool,
)


def lstm_with_lengths() -> Network:
    """Padded token sequences and their lengths: embedding, a masked LSTM, a dense classifier."""
    return (
        Network.builder()
        .input("lengths", 1)
        .input("tokens", 30)
        .embedding(1000, 16, padding_index=0)
        .lstm(32, lengths="lengths")
        .dense(2)
        .build()
    )


def bidirectional_gru() -> Network:
    return (
        Network.builder()
        .input("seq", 20, 8)
        .gru(16, num_layers=2, bidirectional=True, return_sequences=True)
        .sequence_mean_pool()
        .dense(3)
        .build()
    )


def encoder_classifier(norm_first: bool, dropout: float) -> Network:
    """Embedding, positions, two encoder blocks over the real steps, mean over the real steps, dense."""
    b = Network.builder()
    tokens = b.add_input("tokens", 12)
    lengths = b.add_input("lengths", 1)
    x = b.add_positional_embedding(None, b.add_embedding("emb", 500, 32, tokens, padding_index=0))
    x = b.add_transformer_encoder(None, 4, 64, x, dropout=dropout, norm_first=norm_first, lengths=lengths)
    x = b.add_transformer_encoder("top", 4, 64, x, dropout=dropout, norm_first=norm_first, lengths=lengths)
    b.add_dense("out", 2, b.add_sequence_mean_pool(None, x, lengths=lengths))
    return b.build()


def layer_objects() -> Network:
    return (
        Network.builder()
        .input("tokens", 10)
        .layer(Embedding(50, 8))
        .layer(PositionalEmbedding(init="zeros"))
        .layer(MultiHeadAttention(2, causal=True, bias=False))
        .layer(Lstm(6, num_layers=3, return_sequences=True, name="deep"))
        .layer(Gru(4, bidirectional=True))
        .build()
    )


def sequential_encoders() -> Network:
    return (
        Network.builder()
        .input("seq", 7, 12)
        .transformer_encoder(3, 24)
        .transformer_encoder(2, 16, dropout=0.0, norm_first=True)
        .multi_head_attention(6).sequence_mean_pool()
        .build()
    )


NETWORKS: Dict[str, Callable[[], Network]] = {
    "lstm-with-lengths": lstm_with_lengths,
    "bidirectional-gru": bidirectional_gru,
    "post-norm-encoder": lambda: encoder_classifier(norm_first=False, dropout=0.1),
    "pre-norm-encoder": lambda: encoder_classifier(norm_first=True, dropout=0.0),
    "layer-objects": layer_objects,
    "sequential-encoders": sequential_encoders,
}


(test_python_json_is_the_jvm_canonical_json, test_json_round_trips_through_python,
 test_python_infers_the_shapes_the_jvm_infers) = network_tests(NETWORKS)


def test_sequential_builder_matches_java_builder(jvm: Any, gateway: Any) -> None:
    spec = jvm.org.sparkdl.spec
    b = spec.NetworkSpec.builder().input("lengths", java_ints(gateway, [1])).input("tokens", java_ints(gateway, [30]))
    b.embedding(1000, 16, 0)
    b.addLayer(spec.Lstm("lstm_1", "embedding_1", 32).withLengths("lengths"))
    assert str(b.dense(2).build().toJson()) == lstm_with_lengths().to_json()
    b = spec.NetworkSpec.builder().input("seq", java_ints(gateway, [20, 8]))
    b.addLayer(spec.Gru("gru_1", "seq", 16).withNumLayers(2).withBidirectional(True).withReturnSequences(True))
    assert str(b.sequenceMeanPool().dense(3).build().toJson()) == bidirectional_gru().to_json()
    b = spec.NetworkSpec.builder().input("seq", java_ints(gateway, [7, 12]))
    b.transformerEncoder(3, 24, 0.1, False).transformerEncoder(2, 16, 0.0, True)
    assert str(b.multiHeadAttention(6).sequenceMeanPool().build().toJson()) == sequential_encoders().to_json()


@pytest.mark.parametrize("norm_first, dropout", [(False, 0.1), (True, 0.0)])
def test_graph_builder_matches_java_builder(jvm: Any, gateway: Any, norm_first: bool, dropout: float) -> None:
    b = jvm.org.sparkdl.spec.NetworkSpec.builder()
    tokens = b.addInput("tokens", java_ints(gateway, [12]))
    lengths = b.addInput("lengths", java_ints(gateway, [1]))
    x = b.addPositionalEmbedding(None, b.addEmbedding("emb", 500, 32, 0, tokens))
    x = b.addTransformerEncoder(None, x, 4, 64, dropout, norm_first, lengths)
    x = b.addTransformerEncoder("top", x, 4, 64, dropout, norm_first, lengths)
    b.addDense("out", 2, b.addSequenceMeanPool(None, x, lengths))
    assert str(b.build().toJson()) == encoder_classifier(norm_first, dropout).to_json()


def test_graph_builder_of_the_recurrent_layers_matches_java_builder(jvm: Any, gateway: Any) -> None:
    same = jvm.java.util.function.UnaryOperator.identity()
    b = jvm.org.sparkdl.spec.NetworkSpec.builder()
    x = b.addInput("x", java_ints(gateway, [5, 3]))
    outs = [b.addLstm(None, 4, same, x), b.addGru("g", 2, same, x),
            b.addMultiHeadAttention(None, 3, True, False, x, None),
            b.addLstm(None, 1, same, x)]
    java = str(b.outputs(java_array(gateway, gateway.jvm.String, outs)).build().toJson())
    p = Network.builder()
    x = p.add_input("x", 5, 3)
    outs = [p.add_lstm(None, 4, x), p.add_gru("g", 2, x),
            p.add_multi_head_attention(None, 3, x, causal=True, bias=False),
            p.add_lstm(None, 1, x)]
    assert outs == ["lstm_1", "g", "attention_1", "lstm_2"]
    assert p.outputs(*outs).build().to_json() == java


def test_encoder_blocks_are_named_as_pytorch_names_their_parts() -> None:
    post = [layer.name for layer in encoder_classifier(norm_first=False, dropout=0.1).layers]
    assert post[:13] == [
        "emb", "positional_embedding_1", "encoder_1.self_attn", "encoder_1.dropout1", "encoder_1.add1",
        "encoder_1.norm1", "encoder_1.linear1", "encoder_1.activation", "encoder_1.dropout", "encoder_1.linear2",
        "encoder_1.dropout2", "encoder_1.add2", "encoder_1.norm2"]
    assert post[-2:] == ["sequence_mean_pool_1", "out"]
    pre = [layer.name for layer in encoder_classifier(norm_first=True, dropout=0.0).layers]
    # pre-norm: the norms come first in each branch; rate 0 leaves the dropout layers out
    assert pre[2:11] == [
        "encoder_1.norm1", "encoder_1.self_attn", "encoder_1.add1", "encoder_1.norm2", "encoder_1.linear1",
        "encoder_1.activation", "encoder_1.linear2", "encoder_1.add2", "top.norm1"]


def test_encoder_blocks_compute_as_documented() -> None:
    net = encoder_classifier(norm_first=False, dropout=0.1)
    layers = {layer.name: layer for layer in net.layers}
    assert layers["encoder_1.self_attn"] == MultiHeadAttention(4, name="encoder_1.self_attn",
                                                                 inputs=("positional_embedding_1", "lengths"))
    assert layers["encoder_1.add1"].inputs == ("positional_embedding_1", "encoder_1.dropout1")
    assert layers["encoder_1.add2"].inputs == ("encoder_1.norm1", "encoder_1.dropout2")
    assert layers["encoder_1.linear1"].units == 64 and layers["encoder_1.linear2"].units == 32
    assert layers["encoder_1.norm2"].epsilon == 1e-5 and layers["encoder_1.dropout"].rate == 0.1
    assert layers["top.self_attn"].inputs == ("encoder_1.norm2", "lengths")
    shapes = net.infer_shapes()
    assert shapes["encoder_1.linear1"] == [12, 64]
    assert shapes["top.norm2"] == [12, 32] and shapes["sequence_mean_pool_1"] == [32]


def test_shapes_follow_the_documented_rules() -> None:
    lstm = lstm_with_lengths().infer_shapes()
    assert lstm["embedding_1"] == [30, 16] and lstm["lstm_1"] == [32]
    gru = bidirectional_gru().infer_shapes()
    assert gru["gru_1"] == [20, 32]  # both directions' features, every step
    assert gru["sequence_mean_pool_1"] == [32]
    objects = layer_objects().infer_shapes()
    assert objects["attention_1"] == [10, 8] and objects["positional_embedding_1"] == [10, 8]
    assert objects["deep"] == [10, 6] and objects["gru_1"] == [8]
    pooled = Network.builder().input("x", 4, 3, 2).sequence_mean_pool().build()
    assert pooled.output_shape == [3, 2]


def test_short_json_takes_the_same_defaults_as_java(jvm: Any) -> None:
    short = json.dumps({"format_version": 1, "inputs": [{"name": "t", "shape": [9]}], "layers": [
        {"type": "embedding", "name": "e", "vocabulary_size": 20, "dimension": 6},
        {"type": "positional_embedding", "name": "p"},
        {"type": "multi_head_attention", "name": "a", "heads": 3},
        {"type": "lstm", "name": "l", "hidden_size": 5, "return_sequences": True},
        {"type": "gru", "name": "g", "hidden_size": 4, "num_layers": 2},
        {"type": "sequence_mean_pool", "name": "m", "inputs": ["l"]},
    ], "outputs": ["g", "m"]})
    net = Network.from_json(short)
    assert net.to_json() == java_canonical(jvm, short)
    assert net.layers[0] == Embedding(20, 6, None, name="e", inputs=("t",))
    assert net.layers[1].init == "normal"
    assert net.layers[2] == MultiHeadAttention(3, False, True, name="a", inputs=("p",))
    assert net.layers[4] == Gru(4, 2, False, False, name="g", inputs=("l",))
    assert '"padding_index"' not in net.to_json()
    assert net.infer_shapes()["m"] == [5]


def test_the_builder_names_layers_per_type() -> None:
    assert [layer.name for layer in layer_objects().layers] == [
        "embedding_1", "positional_embedding_1", "attention_1", "deep", "gru_1"]
    assert [layer.name for layer in sequential_encoders().layers][-2:] == ["attention_1", "sequence_mean_pool_1"]
    # a block's index skips any N for which a node is named encoder_N or encoder_N.*
    b = Network.builder().input("x", 4, 8)
    b.add_dense("encoder_1", 8, "x")
    b.add_add("encoder_2.skip", "x", "encoder_1")
    assert b.add_transformer_encoder(None, 2, 8, "encoder_2.skip", dropout=0.0) == "encoder_3.norm2"
    assert b.transformer_encoder(2, 8, dropout=0.0).build().layers[-1].name == "encoder_4.norm2"


def test_layer_objects_are_values_with_normalised_fields() -> None:
    assert Lstm(8) == Lstm(8, 1, False, False) and Lstm(8) != Gru(8)
    assert Lstm(8.0).hidden_size == 8 and isinstance(Lstm(8.0).hidden_size, int)
    assert Embedding(10, 4).padding_index is None and Embedding(10, 4, 0).padding_index == 0
    assert MultiHeadAttention(2) == MultiHeadAttention(2, causal=False, bias=True)
    assert PositionalEmbedding().init == "normal"
    assert SequenceMeanPool(inputs=("x", "n")).inputs == ("x", "n")
    assert hash(Gru(3, bidirectional=True)) == hash(Gru(3, 1, True))


def test_every_type_is_exported_where_the_core_layers_are() -> None:
    import spark_dl.layers
    import spark_dl.network

    for cls in (Embedding, Lstm, Gru, MultiHeadAttention, PositionalEmbedding, SequenceMeanPool):
        assert getattr(spark_dl.layers, cls.__name__) is cls
        assert getattr(spark_dl.network, cls.__name__) is cls
        assert cls.__name__ in spark_dl.__all__


@pytest.mark.parametrize("module", ["sequence_layers", "attention_layers"])
def test_docstring_examples_run(module: str) -> None:
    mod = __import__("spark_dl." + module, fromlist=["_"])
    result = doctest.testmod(mod, extraglobs={"Network": spark_dl.Network}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
