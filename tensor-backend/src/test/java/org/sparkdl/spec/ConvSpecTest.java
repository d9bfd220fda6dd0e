package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The convolution, pooling and normalisation layer types in the spec: builder, canonical JSON and
 * its shorthand forms, shape inference, and the errors, which name the layer and the shapes.
 */
class ConvSpecTest {

  private static String error(Runnable create) {
    return assertThrows(SpecException.class, create::run).getMessage();
  }

  private static String jsonError(String layer, int... input) {
    return error(() -> NetworkSpec.fromJson(network(layer, input)));
  }

  private static String network(String layer, int... input) {
    StringBuilder shape = new StringBuilder();
    for (int d : input) {
      shape.append(shape.length() == 0 ? "" : ", ").append(d);
    }
    return "{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [" + shape + "]}], \"layers\": [" + layer + "]}";
  }

  static NetworkSpec everyLayer() {
    return NetworkSpec.builder().input("image", 3, 32, 32)
        .conv2d(16, 3, c -> c.withPadding(Padding.SAME)).batchNorm().relu().maxPool2d(2)
        .conv2d(32, 3, c -> c.withStride(2).withDilation(1, 2).withGroups(2).withBias(false).withInit("glorot_uniform"))
        .avgPool2d(2, p -> p.withStride(1).withPadding(Padding.of(1)).withCountIncludePad(false))
        .globalAvgPool().layerNorm().dense(10).build();
  }

  @Test
  void sizesNearTheIntegerLimitAreRejectedWithoutOverflow() {
    // 2^20 * 1024 * 2^17 * 2^17 is 2^64, which a long product wraps to 0
    assertEquals("Layer 'c': weight [1048576, 1024, 131072, 131072] has more than 2147483647 elements.",
        jsonError("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 1048576, \"kernel\": 131072, \"padding\": \"same\"}",
            1024, 1, 1));
    // 2 * (2^30 + 1) overflows an int
    assertEquals("Layer 'p': padding [1073741825, 1073741825] must be at most half the kernel [3, 3].",
        jsonError("{\"type\": \"max_pool2d\", \"name\": \"p\", \"kernel\": 3, \"padding\": 1073741825}", 1, 4, 4));
    assertEquals("Layer 'c': output size 4294967295 along spatial axis 0 (input [1, 1, 1], padding [2147483647, 2147483647])"
        + " has more than 2147483647 elements.",
        jsonError("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 1, \"kernel\": 1, \"padding\": 2147483647}", 1, 1, 1));
  }

  @Test
  void theBuilderNamesLayersPerTypeAndInfersEveryShape() {
    Map<String, List<Integer>> shapes = everyLayer().inferShapes();
    assertEquals(List.of("image", "conv2d_1", "batch_norm_1", "relu_1", "max_pool_1", "conv2d_2", "avg_pool_1",
        "global_avg_pool_1", "layer_norm_1", "dense_1"), List.copyOf(shapes.keySet()));
    assertEquals(List.of(16, 32, 32), shapes.get("conv2d_1"));
    assertEquals(List.of(16, 16, 16), shapes.get("max_pool_1"));
    // height (16 - 3) / 2 + 1 = 7; width with dilation 2 spans 5: (16 - 5) / 2 + 1 = 6
    assertEquals(List.of(32, 7, 6), shapes.get("conv2d_2"));
    assertEquals(List.of(32, 8, 7), shapes.get("avg_pool_1"));
    assertEquals(List.of(32), shapes.get("global_avg_pool_1"));
    NetworkSpec seq = NetworkSpec.builder().input("seq", 4, 20)
        .conv1d(8, 5, c -> c.withPadding(Padding.SAME).withStride(2)).conv1d(8, 3).layerNorm(2, 1e-3).build();
    assertEquals(List.of(8, 10), seq.inferShapes().get("conv1d_1"));
    assertEquals(List.of(8, 8), seq.outputShape());
  }

  @Test
  void graphStyleMethodsTakeNamesAndOptions() {
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 2, 9, 9);
    String c = b.addConv2d("stem", 4, 3, o -> o.withStride(2), x);
    String p = b.addMaxPool2d(null, 3, o -> o.withStride(1).withPadding(Padding.SAME), c);
    String a = b.addAvgPool2d("avg", 2, o -> o, p);
    String n = b.addBatchNorm(null, 0.01, 1e-3, a);
    String g = b.addGlobalAvgPool(null, n);
    b.addLayerNorm("ln", 1, 1e-5, g);
    NetworkSpec spec = b.build();
    assertEquals(List.of("stem", "max_pool_1", "avg", "batch_norm_1", "global_avg_pool_1", "ln"),
        spec.layers().stream().map(LayerSpec::name).toList());
    assertEquals(List.of(4, 4, 4), spec.inferShapes().get("max_pool_1"));
    assertEquals(List.of(4, 2, 2), spec.inferShapes().get("avg"));
    NetworkSpec.Builder s = NetworkSpec.builder();
    s.addConv1d("c1", 6, 3, o -> o.withGroups(2), s.addInput("seq", 4, 12));
    assertEquals(List.of(6, 10), s.build().outputShape());
  }

  @Test
  void canonicalJsonRoundTripsAndSpellsOutEveryDefault() {
    NetworkSpec spec = everyLayer();
    String json = spec.toJson();
    assertEquals(spec, NetworkSpec.fromJson(json));
    assertEquals(json, NetworkSpec.fromJson(json).toJson());
    String[] lines = json.split("\n");
    assertEquals("    { \"type\" : \"conv2d\", \"name\" : \"conv2d_1\", \"inputs\" : [ \"image\" ], \"filters\" : 16,"
        + " \"kernel\" : [ 3, 3 ], \"stride\" : [ 1, 1 ], \"padding\" : \"same\", \"dilation\" : [ 1, 1 ], \"groups\" : 1,"
        + " \"bias\" : true, \"init\" : \"he_uniform\" },", lines[4]);
    assertEquals("    { \"type\" : \"batch_norm\", \"name\" : \"batch_norm_1\", \"inputs\" : [ \"conv2d_1\" ],"
        + " \"momentum\" : 0.1, \"epsilon\" : 1.0E-5 },", lines[5]);
    assertEquals("    { \"type\" : \"max_pool2d\", \"name\" : \"max_pool_1\", \"inputs\" : [ \"relu_1\" ],"
        + " \"kernel\" : [ 2, 2 ], \"stride\" : [ 2, 2 ], \"padding\" : [ 0, 0 ] },", lines[7]);
    assertEquals("    { \"type\" : \"avg_pool2d\", \"name\" : \"avg_pool_1\", \"inputs\" : [ \"conv2d_2\" ], \"kernel\" : [ 2, 2 ],"
        + " \"stride\" : [ 1, 1 ], \"padding\" : [ 1, 1 ], \"count_include_pad\" : false },", lines[9]);
    NetworkSpec seq = NetworkSpec.builder().input("seq", 4, 20).conv1d(8, 5, c -> c.withPadding(Padding.of(2))).build();
    assertEquals(seq, NetworkSpec.fromJson(seq.toJson()));
    assertEquals(true, seq.toJson().contains("\"kernel\" : 5, \"stride\" : 1, \"padding\" : 2, \"dilation\" : 1"));
  }

  @Test
  void shorthandJsonReadsAsTheCanonicalForm() {
    String json = "{\"format_version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [1, 28, 28]}], \"layers\": ["
        + "{\"type\": \"conv2d\", \"name\": \"c1\", \"filters\": 6, \"kernel\": 5, \"padding\": 2},"
        + "{\"type\": \"max_pool2d\", \"name\": \"p1\", \"kernel\": 2},"
        + "{\"type\": \"conv2d\", \"name\": \"c2\", \"filters\": 16, \"kernel\": [5, 5], \"padding\": \"valid\"},"
        + "{\"type\": \"avg_pool2d\", \"name\": \"p2\", \"kernel\": [2, 1], \"padding\": [1, 0]},"
        + "{\"type\": \"batch_norm\", \"name\": \"bn\"}, {\"type\": \"layer_norm\", \"name\": \"ln\"}]}";
    NetworkSpec.Builder b = NetworkSpec.builder();
    String x = b.addInput("x", 1, 28, 28);
    String p1 = b.addMaxPool2d("p1", 2, o -> o, b.addConv2d("c1", 6, 5, o -> o.withPadding(Padding.of(2)), x));
    String p2 = b.addAvgPool2d("p2", 1, o -> new AvgPool2d(o.name(), o.inputs(), List.of(2, 1), List.of(2, 1),
        Padding.of(1, 0), true), b.addConv2d("c2", 16, 5, p1));
    b.addLayerNorm("ln", 1, 1e-5, b.addBatchNorm("bn", 0.1, 1e-5, p2));
    assertEquals(b.build(), NetworkSpec.fromJson(json));
    // p2: kernel [2, 1], stride defaulting to it, padding [1, 0] over [16, 10, 10]
    assertEquals(List.of(16, 6, 10), NetworkSpec.fromJson(json).outputShape());
  }

  @Test
  void paddingMayDifferBetweenTheTwoSidesOfAnAxis() {
    Padding uneven = Padding.of(new int[] {0, 1}, new int[] {1, 0});
    assertEquals("[[0, 1], [1, 0]]", uneven.toString());
    assertEquals(List.of(1, 0), List.of(uneven.amounts(1, 5, 3, 1, 1)[0], uneven.amounts(1, 5, 3, 1, 1)[1]));
    // the same sizes on both sides are the symmetric form, whichever way they were given
    assertEquals(Padding.of(2, 1), Padding.of(new int[] {2, 1}, new int[] {2, 1}));
    assertEquals(true, Padding.of(new int[] {2, 1}, new int[] {2, 1}).symmetric());

    NetworkSpec spec = NetworkSpec.builder().input("x", 1, 8, 8).conv2d(2, 3, c -> c.withPadding(uneven))
        .maxPool2d(3, p -> p.withStride(1).withPadding(Padding.of(new int[] {1, 0}, new int[] {0, 1}))).build();
    // the convolution: H 8 + 0 + 1 - 3 + 1 = 7, W 8 + 1 + 0 - 3 + 1 = 7; the pooling: 7 + 1 + 0 - 3 + 1 = 6 each
    assertEquals(List.of(2, 6, 6), spec.outputShape());
    String json = spec.toJson();
    assertEquals(true, json.contains("\"padding\" : [ [ 0, 1 ], [ 1, 0 ] ]"), json);
    assertEquals(spec, NetworkSpec.fromJson(json));
    assertEquals(json, NetworkSpec.fromJson(json).toJson());
    NetworkSpec seq = NetworkSpec.builder().input("seq", 2, 9)
        .conv1d(2, 3, c -> c.withPadding(Padding.of(new int[] {2}, new int[] {0}))).build();
    assertEquals(List.of(2, 9), seq.outputShape());
    assertEquals(true, seq.toJson().contains("\"padding\" : [ [ 2, 0 ] ]"), seq.toJson());
    assertEquals(seq, NetworkSpec.fromJson(seq.toJson()));
    // one pair for every axis, as one size is
    assertEquals(List.of(2, 9, 9), NetworkSpec.fromJson(network("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 2,"
        + " \"kernel\": 3, \"padding\": [[2, 1]]}", 1, 8, 8)).outputShape());

    assertEquals("Layer 'c': field 'padding' must hold [before, after] pairs of integers, found [[1,2],3].",
        conv2dPaddingError("[[1, 2], 3]"));
    assertEquals("Layer 'c': field 'padding' must hold [before, after] pairs of integers, found [[1,2,3]].",
        conv2dPaddingError("[[1, 2, 3]]"));
    assertEquals("Layer 'c': field 'padding' must be >= 0, found [[1,-2]].", conv2dPaddingError("[[1, -2]]"));
    assertEquals("Layer 'c': padding [[1, 2], [0, 0], [1, 1]] must have 2 sizes (one per spatial axis), or be a single"
        + " size, 'same' or 'valid'.", conv2dPaddingError("[[1, 2], [0, 0], [1, 1]]"));
    assertEquals("Layer 'p': padding [[1, 2], [0, 0]] must be at most half the kernel [3, 3].",
        error(() -> new MaxPool2d("p", "x", 3).withPadding(Padding.of(new int[] {1, 0}, new int[] {2, 0}))));
    assertEquals("Padding has 2 sizes before the axes and 1 after them; give one [before, after] pair per axis.",
        error(() -> new Padding(false, List.of(1, 1), List.of(0))));
  }

  /** The error of a 3x3 conv2d layer 'c' over [1, 8, 8] whose padding is the JSON {@code padding}. */
  private static String conv2dPaddingError(String padding) {
    return jsonError("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 2, \"kernel\": 3, \"padding\": " + padding + "}",
        1, 8, 8);
  }

  @Test
  void jsonFieldErrorsNameTheLayerAndTheField() {
    assertEquals("Layer 'c': field 'padding' must be an integer, an array of integers, \"same\" or \"valid\","
        + " found string \"full\".", conv2dPaddingError("\"full\""));
    assertEquals("Layer 'c': field 'padding' must be >= 0, found -1.", conv2dPaddingError("-1"));
    assertEquals("Layer 'c': padding [1, 2, 3] must have 2 sizes (one per spatial axis), or be a single size, 'same' or"
        + " 'valid'.", conv2dPaddingError("[1, 2, 3]"));
    assertEquals("Layer 'c': field 'kernel' must be an integer or an array of integers, found string \"3\".",
        jsonError("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 2, \"kernel\": \"3\"}", 1, 8, 8));
    assertEquals("Layer 'c': kernel [3, 3, 3] must have 2 entries (one per spatial axis) or be a single number.",
        jsonError("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 2, \"kernel\": [3, 3, 3]}", 1, 8, 8));
    assertEquals("Layer 'c' has no 'filters'.", jsonError("{\"type\": \"conv2d\", \"name\": \"c\", \"kernel\": 3}", 1, 8, 8));
    assertEquals("Layer 'c' has unknown field 'filter'; known fields: bias, dilation, filters, groups, init, inputs,"
        + " kernel, name, padding, stride, type.",
        jsonError("{\"type\": \"conv2d\", \"name\": \"c\", \"filter\": 2, \"kernel\": 3}", 1, 8, 8));
    assertEquals("Layer 'c': field 'padding' must be an integer, an array of integers, \"same\" or \"valid\", found"
        + " boolean true.", jsonError("{\"type\": \"conv1d\", \"name\": \"c\", \"filters\": 2, \"kernel\": 3,"
        + " \"padding\": true}", 1, 8));
  }

  @Test
  void shapeErrorsNameTheLayerAndTheShapes() {
    assertEquals("Layer 'c': kernel [5, 5] with dilation [1, 1] spans [5, 5], more than the input [1, 3, 3] padded to"
        + " [3, 3] (padding [0, 0]).", error(() -> builderWith(new Conv2d("c", "x", 2, 5), 1, 3, 3).build()));
    assertEquals("Layer 'c': kernel [3, 3] with dilation [3, 3] spans [7, 7], more than the input [1, 6, 6] padded to"
        + " [6, 6] (padding [0, 0]).", error(() -> builderWith(new Conv2d("c", "x", 2, 3).withDilation(3), 1, 6, 6).build()));
    assertEquals("Layer 'c': input channels 3 (input shape [3, 8, 8]) are not divisible by groups 2.",
        error(() -> builderWith(new Conv2d("c", "x", 4, 3).withGroups(2), 3, 8, 8).build()));
    assertEquals("Layer 'c': conv2d needs an input [channels, height, width] (batch excluded), found [784]; reshape it"
        + " first, e.g. to [1, height, width].", error(() -> builderWith(new Conv2d("c", "x", 6, 5), 784).build()));
    assertEquals("Layer 'c': conv1d needs an input [channels, length] (batch excluded), found [3, 8, 8].",
        error(() -> builderWith(new Conv1d("c", "x", 6, 5), 3, 8, 8).build()));
    assertEquals("Layer 'c': input channels 5 (input shape [5, 8]) are not divisible by groups 2.",
        error(() -> builderWith(new Conv1d("c", "x", 4, 3).withGroups(2), 5, 8).build()));
    assertEquals("Layer 'p': kernel [3, 3] with dilation [1, 1] spans [3, 3], more than the input [2, 2, 4] padded to"
        + " [2, 4] (padding [0, 0]).", error(() -> builderWith(new MaxPool2d("p", "x", 3), 2, 2, 4).build()));
    assertEquals("Layer 'g': global_avg_pool needs an input [channels, ...] with at least one spatial axis (batch"
        + " excluded), found [10].", error(() -> builderWith(new GlobalAvgPool("g", "x"), 10).build()));
    assertEquals("Layer 'n': axes 3 exceeds the rank of input shape [4, 5] (the batch dimension is not counted).",
        error(() -> builderWith(new LayerNorm("n", List.of("x"), 3, 1e-5), 4, 5).build()));
    // "same" padding never makes a kernel too large
    assertEquals(List.of(2, 3, 3), builderWith(new Conv2d("c", "x", 2, 5).withPadding(Padding.SAME), 1, 3, 3).build()
        .outputShape());
  }

  private static NetworkSpec.Builder builderWith(LayerSpec layer, int... input) {
    NetworkSpec.Builder b = NetworkSpec.builder().input("x", input);
    b.addLayer(layer);
    return b;
  }

  @Test
  void fieldErrorsNameTheLayer() {
    assertEquals("Layer 'c': groups must be >= 1 and divide filters 3, found 2.",
        error(() -> new Conv2d("c", "x", 3, 3).withGroups(2)));
    assertEquals("Layer 'c': filters must be > 0, found 0.", error(() -> new Conv2d("c", "x", 0, 3)));
    assertEquals("Layer 'c': stride must be >= 1, found [0].", error(() -> new Conv2d("c", "x", 2, 3).withStride(0)));
    assertEquals("Layer 'c': dilation must be >= 1, found [1, 0].", error(() -> new Conv2d("c", "x", 2, 3).withDilation(1, 0)));
    assertEquals("Layer 'c': unknown init 'kaiming'; known inits: glorot_normal, glorot_uniform, he_normal, he_uniform,"
        + " normal, uniform, zeros.", error(() -> new Conv1d("c", "x", 2, 3).withInit("kaiming")));
    assertEquals("Layer 'c': kernel must be >= 1, found [0].", error(() -> new Conv1d("c", "x", 2, 0)));
    assertEquals("Layer 'p': padding [2, 2] must be at most half the kernel [3, 3].",
        error(() -> new MaxPool2d("p", "x", 3).withPadding(Padding.of(2))));
    assertEquals("Layer 'p': padding [1, 1] must be at most half the kernel [1, 1].",
        error(() -> new AvgPool2d("p", "x", 1).withPadding(Padding.of(1))));
    assertEquals("Layer 'b': momentum must be in [0, 1], found 1.5.",
        error(() -> new BatchNorm("b", List.of("x"), 1.5, 1e-5)));
    assertEquals("Layer 'b': epsilon must be finite and > 0, found 0.0.",
        error(() -> new BatchNorm("b", List.of("x"), 0.1, 0)));
    assertEquals("Layer 'n': axes must be >= 1, found 0.", error(() -> new LayerNorm("n", List.of("x"), 0, 1e-5)));
    assertEquals("'same' padding takes no sizes, found [1].", error(() -> new Padding(true, List.of(1))));
    assertEquals("Padding sizes must be >= 0, found [-2].", error(() -> Padding.of(-2)));
  }

  @Test
  void typeTagsAndSamePaddingAmounts() {
    assertEquals("conv2d", new Conv2d("c", "x", 1, 1).type());
    assertEquals("conv1d", new Conv1d("c", "x", 1, 1).type());
    assertEquals("max_pool2d", new MaxPool2d("p", "x", 2).type());
    assertEquals("avg_pool2d", new AvgPool2d("p", "x", 2).type());
    assertEquals("global_avg_pool", new GlobalAvgPool("g", "x").type());
    assertEquals("batch_norm", new BatchNorm("b", "x").type());
    assertEquals("layer_norm", new LayerNorm("n", "x").type());
    // TensorFlow / ONNX SAME_UPPER: output ceil(in / stride), the odd element of padding at the end
    assertEquals(List.of(1, 2), List.of(Padding.SAME.amounts(0, 7, 4, 2, 1)[0], Padding.SAME.amounts(0, 7, 4, 2, 1)[1]));
    assertEquals(List.of(2, 2), List.of(Padding.SAME.amounts(0, 6, 3, 1, 2)[0], Padding.SAME.amounts(0, 6, 3, 1, 2)[1]));
    assertEquals(List.of(0, 0), List.of(Padding.SAME.amounts(0, 8, 2, 2, 1)[0], Padding.SAME.amounts(0, 8, 2, 2, 1)[1]));
  }
}
