package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Attention, positional embedding, sequence mean pooling and the Transformer encoder block in the
 * spec: the block written as ordinary named layers, canonical JSON and its defaults, shape
 * inference, and errors naming the layer and the shapes.
 */
class AttentionSpecTest {

  /** A post-norm encoder block with lengths and dropout, between a positional embedding and a pooled classifier. */
  static final String CLASSIFIER = """
      {
        "format_version" : 1,
        "inputs" : [
          { "name" : "tokens", "shape" : [ 6, 8 ] },
          { "name" : "lengths", "shape" : [ 1 ] }
        ],
        "layers" : [
          { "type" : "positional_embedding", "name" : "pos", "inputs" : [ "tokens" ], "init" : "normal" },
          { "type" : "multi_head_attention", "name" : "enc.self_attn", "inputs" : [ "pos", "lengths" ], "heads" : 2, "causal" : false, "bias" : true },
          { "type" : "dropout", "name" : "enc.dropout1", "inputs" : [ "enc.self_attn" ], "rate" : 0.1 },
          { "type" : "add", "name" : "enc.add1", "inputs" : [ "pos", "enc.dropout1" ] },
          { "type" : "layer_norm", "name" : "enc.norm1", "inputs" : [ "enc.add1" ], "axes" : 1, "epsilon" : 1.0E-5 },
          { "type" : "dense", "name" : "enc.linear1", "inputs" : [ "enc.norm1" ], "units" : 16, "bias" : true, "init" : "glorot_uniform" },
          { "type" : "activation", "name" : "enc.activation", "inputs" : [ "enc.linear1" ], "function" : "relu" },
          { "type" : "dropout", "name" : "enc.dropout", "inputs" : [ "enc.activation" ], "rate" : 0.1 },
          { "type" : "dense", "name" : "enc.linear2", "inputs" : [ "enc.dropout" ], "units" : 8, "bias" : true, "init" : "glorot_uniform" },
          { "type" : "dropout", "name" : "enc.dropout2", "inputs" : [ "enc.linear2" ], "rate" : 0.1 },
          { "type" : "add", "name" : "enc.add2", "inputs" : [ "enc.norm1", "enc.dropout2" ] },
          { "type" : "layer_norm", "name" : "enc.norm2", "inputs" : [ "enc.add2" ], "axes" : 1, "epsilon" : 1.0E-5 },
          { "type" : "sequence_mean_pool", "name" : "pool", "inputs" : [ "enc.norm2", "lengths" ] },
          { "type" : "dense", "name" : "logits", "inputs" : [ "pool" ], "units" : 3, "bias" : true, "init" : "glorot_uniform" }
        ],
        "outputs" : [ "logits" ]
      }""";

  private static String error(Runnable create) {
    return assertThrows(SpecException.class, create::run).getMessage();
  }

  private static List<String> names(NetworkSpec spec) {
    return spec.layers().stream().map(LayerSpec::name).toList();
  }

  @Test
  void thePostNormBlockIsWrittenAsOrdinaryLayersNamedAsInPyTorch() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("tokens", 6, 8);
    String len = b.addInput("lengths", 1);
    String pos = b.addPositionalEmbedding("pos", x);
    String out = b.addTransformerEncoder("enc", pos, 2, 16, 0.1, false, len);
    assertEquals("enc.norm2", out);
    b.addDense("logits", 3, b.addSequenceMeanPool("pool", out, len));
    NetworkSpec spec = b.build();
    assertEquals(CLASSIFIER, spec.toJson());
    assertEquals(spec, NetworkSpec.fromJson(CLASSIFIER));
    assertEquals(List.of(6, 8), spec.inferShapes().get("enc.norm2"));
    assertEquals(List.of(8), spec.inferShapes().get("pool"));
  }

  @Test
  void thePreNormBlockNormalisesBeforeEachBranchAndLeavesOutDropoutAtRateZero() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String out = b.addTransformerEncoder("enc", b.addInput("x", 5, 4), 4, 6, 0, true, null);
    NetworkSpec spec = b.build();
    assertEquals("enc.add2", out);
    assertEquals(List.of("enc.norm1", "enc.self_attn", "enc.add1", "enc.norm2", "enc.linear1", "enc.activation",
        "enc.linear2", "enc.add2"), names(spec));
    Map<String, List<String>> inputs = new java.util.HashMap<>();
    spec.layers().forEach(l -> inputs.put(l.name(), l.inputs()));
    assertEquals(List.of("x"), inputs.get("enc.norm1"));
    assertEquals(List.of("enc.norm1"), inputs.get("enc.self_attn"));
    assertEquals(List.of("x", "enc.self_attn"), inputs.get("enc.add1"));
    assertEquals(List.of("enc.add1"), inputs.get("enc.norm2"));
    assertEquals(List.of("enc.add1", "enc.linear2"), inputs.get("enc.add2"));
    assertEquals(List.of(6), List.of(((Dense) spec.layers().get(4)).units()));
    assertEquals(List.of(5, 4), spec.outputShape());
  }

  @Test
  void aSequentialTransformerClassifierNamesEveryLayerAutomatically() {
    NetworkSpec spec = NetworkSpec.builder().input("rows", 28, 28)
        .dense(64).positionalEmbedding()
        .transformerEncoder(4, 128, 0.1, true).transformerEncoder(4, 128, 0.1, true)
        .multiHeadAttention(2).sequenceMeanPool().dense(10).build();
    List<String> names = names(spec);
    assertEquals(List.of("dense_1", "positional_embedding_1", "encoder_1.norm1", "encoder_1.self_attn"),
        names.subList(0, 4));
    assertEquals("encoder_1.add2", names.get(names.indexOf("encoder_2.norm1") - 1));
    assertEquals(List.of("encoder_2.add2", "attention_1", "sequence_mean_pool_1", "dense_2"),
        names.subList(names.size() - 4, names.size()));
    assertEquals(List.of(28, 64), spec.inferShapes().get("attention_1"));
    assertEquals(List.of(10), spec.outputShape());
    NetworkSpec.Builder b = NetworkSpec.builder();
    b.addDense("encoder_1.linear9", 4, b.addInput("x", 3, 4));
    assertEquals("encoder_2.norm2", b.addTransformerEncoder(null, "x", 1, 4, 0, false, null));
  }

  @Test
  void shorthandJsonTakesTheDefaults() {
    String json = "{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [4, 6]}, {\"name\": \"n\","
        + " \"shape\": [1]}], \"layers\": [{\"type\": \"positional_embedding\", \"name\": \"p\", \"inputs\": [\"x\"]},"
        + " {\"type\": \"multi_head_attention\", \"name\": \"a\", \"inputs\": [\"p\", \"n\"], \"heads\": 3},"
        + " {\"type\": \"multi_head_attention\", \"name\": \"c\", \"inputs\": [\"a\"], \"heads\": 1, \"causal\": true,"
        + " \"bias\": false}, {\"type\": \"sequence_mean_pool\", \"name\": \"m\", \"inputs\": [\"c\"]}]}";
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 4, 6);
    String n = b.addInput("n", 1);
    String a = b.addMultiHeadAttention("a", 3, false, true, b.addPositionalEmbedding("p", x), n);
    b.addSequenceMeanPool("m", b.addMultiHeadAttention("c", 1, true, false, a, null), null);
    NetworkSpec spec = NetworkSpec.fromJson(json);
    assertEquals(b.build(), spec);
    assertEquals(List.of(6), spec.outputShape());
    assertEquals(new MultiHeadAttention("c", List.of("a"), 1, true, false),
        new MultiHeadAttention("c", "a", 1).withCausal(true).withBias(false));
    assertEquals(List.of("a", "n"), new MultiHeadAttention("c", "a", 1).withLengths("n").inputs());
    assertEquals("multi_head_attention", new MultiHeadAttention("c", "a", 1).type());
    assertEquals("positional_embedding", new PositionalEmbedding("p", "x").type());
    assertEquals("sequence_mean_pool", new SequenceMeanPool("m", "x").type());
  }

  private static NetworkSpec.Builder sequence(int... shape) {
    NetworkSpec.Builder b = NetworkSpec.builder();
    b.addInput("x", shape);
    b.addInput("len", 1);
    b.addInput("wide", 2);
    return b;
  }

  @Test
  void shapeErrorsNameTheLayerAndTheShapes() {
    NetworkSpec.Builder b = sequence(5, 10);
    b.addMultiHeadAttention("attn", 4, false, true, "x", null);
    assertEquals("Layer 'attn': input shape [5, 10] has 10 features, which do not split into 4 heads; the features"
        + " must be divisible by heads.", error(b::build));
    NetworkSpec.Builder flat = sequence(784);
    flat.addMultiHeadAttention("attn", 1, false, true, "x", null);
    assertEquals("Layer 'attn': multi_head_attention needs an input [steps, features] (batch excluded), found [784].",
        error(flat::build));
    NetworkSpec.Builder huge = sequence(2, 30000);
    huge.addMultiHeadAttention("attn", 1, false, true, "x", null);
    assertEquals("Layer 'attn': in_proj_weight [90000, 30000] for input shape [2, 30000] has more than 2147483647"
        + " elements.", error(huge::build));
    NetworkSpec.Builder wide = sequence(5, 4);
    wide.addMultiHeadAttention("attn", 2, false, true, "x", "wide");
    assertEquals("Layer 'attn': its second input 'wide' holds the sequence lengths and must have shape [1] (one length"
        + " per example); found [2].", error(wide::build));
    NetworkSpec.Builder pool = sequence(8);
    pool.addSequenceMeanPool("pool", "x", "len");
    assertEquals("Layer 'pool': sequence_mean_pool needs an input [steps, ...] of rank 2 or more (batch excluded),"
        + " found [8].", error(pool::build));
    NetworkSpec.Builder poolWide = sequence(3, 8);
    poolWide.addSequenceMeanPool("pool", "x", "wide");
    assertEquals("Layer 'pool': its second input 'wide' holds the sequence lengths and must have shape [1] (one length"
        + " per example); found [2].", error(poolWide::build));
  }

  @Test
  void fieldErrorsNameTheLayer() {
    assertEquals("Layer 'attn': heads must be >= 1, found 0.",
        error(() -> new MultiHeadAttention("attn", List.of("x"), 0, false, true)));
    assertEquals("Layer 'attn': multi_head_attention reads at most 2 inputs, found 3.",
        error(() -> new MultiHeadAttention("attn", List.of("x", "len", "y"), 1, false, true)));
    assertEquals("Layer 'pool': sequence_mean_pool reads at most 2 inputs, found 3.",
        error(() -> new SequenceMeanPool("pool", List.of("x", "len", "y"))));
    assertEquals("Layer 'pos': unknown init 'xavier'; known inits: glorot_normal, glorot_uniform, he_normal,"
        + " he_uniform, normal, uniform, zeros.", error(() -> new PositionalEmbedding("pos", List.of("x"), "xavier")));
    assertEquals("Layer 'attn': inputs contain null.", error(() -> new MultiHeadAttention("attn", null, 1)));
    String prefix = "{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [4, 6]}], \"layers\": [";
    assertEquals("Layer 'attn' has no 'heads'.",
        error(() -> NetworkSpec.fromJson(prefix + "{\"type\": \"multi_head_attention\", \"name\": \"attn\"}]}")));
    assertEquals("Layer 'attn': field 'causal' must be a boolean, found string \"yes\".",
        error(() -> NetworkSpec.fromJson(prefix + "{\"type\": \"multi_head_attention\", \"name\": \"attn\","
            + " \"heads\": 2, \"causal\": \"yes\"}]}")));
    assertEquals("Layer 'attn' has unknown field 'dropout'; known fields: bias, causal, heads, inputs, name, type.",
        error(() -> NetworkSpec.fromJson(prefix + "{\"type\": \"multi_head_attention\", \"name\": \"attn\","
            + " \"heads\": 2, \"dropout\": 0.1}]}")));
  }

  @Test
  void encoderBlockErrorsNameTheBlock() {
    NetworkSpec.Builder b = sequence(8);
    assertEquals("Transformer encoder 'enc' reads 'nope', which is not an input or an earlier layer.",
        error(() -> b.addTransformerEncoder("enc", "nope", 2, 8, 0, false, null)));
    assertEquals("Transformer encoder 'enc' needs an input [steps, features] (batch excluded); 'x' has shape [8].",
        error(() -> b.addTransformerEncoder("enc", "x", 2, 8, 0, false, null)));
    NetworkSpec.Builder s = sequence(4, 6);
    assertEquals("Transformer encoder 'enc': dropout must be in [0, 1), found 1.0.",
        error(() -> s.addTransformerEncoder("enc", "x", 2, 8, 1.0, false, null)));
    assertEquals("Layer 'enc.linear1': units must be > 0, found 0.",
        error(() -> s.addTransformerEncoder("enc", "x", 2, 0, 0, false, null)));
    // the failed block left nothing behind, so the same name can be used again
    assertEquals("enc.norm2", s.addTransformerEncoder("enc", "x", 2, 8, 0, false, null));
    assertEquals(List.of(4, 6), s.build().outputShape());
    NetworkSpec.Builder heads = sequence(4, 6);
    heads.addTransformerEncoder("enc", "x", 4, 8, 0, false, "len");
    assertEquals("Layer 'enc.self_attn': input shape [4, 6] has 6 features, which do not split into 4 heads; the"
        + " features must be divisible by heads.", error(heads::build));
    assertEquals("Cannot add a transformer encoder layer sequentially before any input; call input(...) first.",
        error(() -> NetworkSpec.builder().transformerEncoder(2, 8, 0, false)));
  }
}
