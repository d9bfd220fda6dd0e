package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Embedding, LSTM and GRU in the spec: builder, canonical JSON and its defaults, shape inference
 * with and without a lengths input, and the errors, which name the layer and the shapes.
 */
class RecurrentSpecTest {

  private static String error(Runnable create) {
    return assertThrows(SpecException.class, create::run).getMessage();
  }

  /** A network reading {@code tokens [12]} and {@code lengths [1]}, then the given layers. */
  private static String network(String layers) {
    return "{\"format_version\": 1, \"inputs\": [{\"name\": \"tokens\", \"shape\": [12]}, {\"name\": \"lengths\","
        + " \"shape\": [1]}], \"layers\": [" + layers + "]}";
  }

  static NetworkSpec textClassifier() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String tokens = b.addInput("tokens", 12);
    String lengths = b.addInput("lengths", 1);
    String emb = b.addEmbedding(null, 100, 8, 0, tokens);
    String lstm = b.addLstm(null, 16, l -> l.withLengths(lengths).withNumLayers(2).withBidirectional(true)
        .withReturnSequences(true), emb);
    String gru = b.addGru("summary", 6, g -> g.withLengths(lengths), lstm);
    b.addDense(null, 3, gru);
    return b.build();
  }

  @Test
  void theBuilderNamesLayersAndInfersShapesWithLengthsAsSecondInput() {
    NetworkSpec spec = textClassifier();
    Map<String, List<Integer>> shapes = spec.inferShapes();
    assertEquals(List.of("tokens", "lengths", "embedding_1", "lstm_1", "summary", "dense_1"),
        List.copyOf(shapes.keySet()));
    assertEquals(List.of(12, 8), shapes.get("embedding_1"));
    assertEquals(List.of(12, 32), shapes.get("lstm_1"));
    assertEquals(List.of(6), shapes.get("summary"));
    assertEquals(List.of("lstm_1", "lengths"), spec.layers().get(2).inputs());
    assertEquals(new Lstm("lstm_1", List.of("embedding_1", "lengths"), 16, 2, true, true), spec.layers().get(1));
  }

  @Test
  void sequentialStyleReadsThePreviousNode() {
    NetworkSpec rows = NetworkSpec.builder().input("features", 784).reshape(28, 28).lstm(32).dense(10).build();
    assertEquals(List.of(32), rows.inferShapes().get("lstm_1"));
    NetworkSpec gru = NetworkSpec.builder().input("x", 5, 3).gru(4, g -> g.withBidirectional(true)
        .withReturnSequences(true)).build();
    assertEquals(List.of(5, 8), gru.outputShape());
    NetworkSpec emb = NetworkSpec.builder().input("ids", 7).embedding(50, 4).build();
    assertEquals(List.of(7, 4), emb.outputShape());
    assertNull(((Embedding) emb.layers().get(0)).paddingIndex());
  }

  @Test
  void canonicalJsonRoundTripsAndSpellsOutEveryDefault() {
    NetworkSpec spec = textClassifier();
    String json = spec.toJson();
    assertEquals(spec, NetworkSpec.fromJson(json));
    assertContainsLine(json, "{ \"type\" : \"embedding\", \"name\" : \"embedding_1\", \"inputs\" : [ \"tokens\" ],"
        + " \"vocabulary_size\" : 100, \"dimension\" : 8, \"padding_index\" : 0 },");
    assertContainsLine(json, "{ \"type\" : \"lstm\", \"name\" : \"lstm_1\", \"inputs\" : [ \"embedding_1\", \"lengths\" ],"
        + " \"hidden_size\" : 16, \"num_layers\" : 2, \"bidirectional\" : true, \"return_sequences\" : true },");
    NetworkSpec minimal = NetworkSpec.fromJson(network(
        "{\"type\": \"embedding\", \"name\": \"e\", \"inputs\": [\"tokens\"], \"vocabulary_size\": 10, \"dimension\": 3},"
        + "{\"type\": \"gru\", \"name\": \"g\", \"hidden_size\": 5}"));
    assertEquals(new Embedding("e", List.of("tokens"), 10, 3, null), minimal.layers().get(0));
    assertEquals(new Gru("g", List.of("e"), 5, 1, false, false), minimal.layers().get(1));
    assertEquals(List.of(5), minimal.outputShape());
    String canonical = minimal.toJson();
    assertContainsLine(canonical, "{ \"type\" : \"embedding\", \"name\" : \"e\", \"inputs\" : [ \"tokens\" ],"
        + " \"vocabulary_size\" : 10, \"dimension\" : 3 },");
    assertContainsLine(canonical, "{ \"type\" : \"gru\", \"name\" : \"g\", \"inputs\" : [ \"e\" ], \"hidden_size\" : 5,"
        + " \"num_layers\" : 1, \"bidirectional\" : false, \"return_sequences\" : false }");
  }

  private static void assertContainsLine(String json, String line) {
    assertEquals(1, json.lines().filter(l -> l.strip().equals(line)).count(), json);
  }

  @Test
  void recurrentLayersRejectInputsThatAreNotSequences() {
    assertEquals("Layer 'lstm_1': lstm reads sequences of shape [steps, features]; found input shape [784]"
        + " ('features'). Reshape it first, e.g. [784] to [28, 28].",
        error(() -> NetworkSpec.builder().input("features", 784).lstm(8).build()));
    assertEquals("Layer 'gru_1': gru reads sequences of shape [steps, features]; found input shape [2, 3, 4] ('x')."
        + " Reshape it first, e.g. [784] to [28, 28].",
        error(() -> NetworkSpec.builder().input("x", 2, 3, 4).gru(8).build()));
  }

  @Test
  void theLengthsInputMustHoldOneValuePerExample() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 6, 3);
    String lengths = b.addInput("lengths", 2);
    b.addLstm("lstm", 4, l -> l.withLengths(lengths), x);
    assertEquals("Layer 'lstm': the lengths input 'lengths' must have shape [1], one length per example; found [2].",
        error(b::build));
    assertEquals("Layer 'g': gru reads at most 2 inputs, found 3.", error(() -> NetworkSpec.fromJson(network(
        "{\"type\": \"embedding\", \"name\": \"e\", \"inputs\": [\"tokens\"], \"vocabulary_size\": 10, \"dimension\": 3},"
        + "{\"type\": \"gru\", \"name\": \"g\", \"inputs\": [\"e\", \"lengths\", \"lengths\"], \"hidden_size\": 5}"))));
  }

  @Test
  void fieldsAreChecked() {
    assertEquals("Layer 'l': hidden_size must be in [1, 16777216], found 0.",
        error(() -> new Lstm("l", List.of("x"), 0, 1, false, false)));
    assertEquals("Layer 'l': num_layers must be in [1, 64], found 0.",
        error(() -> new Gru("l", List.of("x"), 4, 0, false, false)));
    assertEquals("Layer 'e': vocabulary_size and dimension must be > 0, found 10 and 0.",
        error(() -> new Embedding("e", "x", 10, 0)));
    assertEquals("Layer 'e': padding_index must be in [0, 10), the vocabulary; found 10.",
        error(() -> new Embedding("e", "x", 10, 4).withPaddingIndex(10)));
    assertEquals("Layer 'e': padding_index must be in [0, 10), the vocabulary; found -1.",
        error(() -> NetworkSpec.fromJson(network("{\"type\": \"embedding\", \"name\": \"e\", \"inputs\": [\"tokens\"],"
            + " \"vocabulary_size\": 10, \"dimension\": 3, \"padding_index\": -1}"))));
    assertEquals("Layer 'e': field 'padding_index' must be an integer, found null.",
        error(() -> NetworkSpec.fromJson(network("{\"type\": \"embedding\", \"name\": \"e\", \"inputs\": [\"tokens\"],"
            + " \"vocabulary_size\": 10, \"dimension\": 3, \"padding_index\": null}"))));
    assertEquals("Layer 'g' has no 'hidden_size'.",
        error(() -> NetworkSpec.fromJson(network("{\"type\": \"gru\", \"name\": \"g\", \"inputs\": [\"tokens\"]}"))));
    assertEquals("Layer 'g' has unknown field 'units'; known fields: bidirectional, hidden_size, inputs, name,"
        + " num_layers, return_sequences, type.", error(() -> NetworkSpec.fromJson(network(
            "{\"type\": \"gru\", \"name\": \"g\", \"inputs\": [\"tokens\"], \"hidden_size\": 3, \"units\": 3}"))));
    assertEquals("Layer 'l': field 'bidirectional' must be a boolean, found string \"yes\".",
        error(() -> NetworkSpec.fromJson(network("{\"type\": \"lstm\", \"name\": \"l\", \"inputs\": [\"tokens\"],"
            + " \"hidden_size\": 3, \"bidirectional\": \"yes\"}"))));
  }

  @Test
  void weightsAndOutputsBeyondIntIndexingAreRejected() {
    assertEquals("Layer 'e': weight [100000, 100000] has more than 2147483647 elements.",
        error(() -> new Embedding("e", "x", 100_000, 100_000)));
    assertEquals("Layer 'embedding_1': output shape [1048576, 4096] has more than 2147483647 elements.",
        error(() -> NetworkSpec.builder().input("x", 1 << 20).embedding(10, 4096).build()));
    assertEquals("Layer 'lstm_1': weights [67108864, 16777216] or output [3, 16777216] have more than 2147483647"
        + " elements.", error(() -> NetworkSpec.builder().input("x", 3, 2).lstm(1 << 24).build()));
  }

  @Test
  void embeddingReadsTokenIdsOfOneAxis() {
    assertEquals("Layer 'embedding_1': embedding reads token ids of shape [steps]; found input shape [4, 3] ('x').",
        error(() -> NetworkSpec.builder().input("x", 4, 3).embedding(10, 2).build()));
  }
}
