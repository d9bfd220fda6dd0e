package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shape rules of each layer type, and the errors when shapes do not fit. */
class ShapeInferenceTest {

  private static List<Integer> shape(Integer... dims) {
    return List.of(dims);
  }

  private static String error(LayerSpec layer, List<List<Integer>> inputShapes) {
    return assertThrows(SpecException.class, () -> layer.outputShape(inputShapes)).getMessage();
  }

  @Test
  void inferShapesCoversEveryNodeInOrder() {
    NetworkSpec spec = NetworkSpec.builder()
        .input("image", 1, 28, 28).flatten().dense(128).relu().dropout(0.5).dense(10).softmax().build();
    Map<String, List<Integer>> shapes = spec.inferShapes();
    assertEquals(List.of("image", "flatten_1", "dense_1", "relu_1", "dropout_1", "dense_2", "softmax_1"),
        List.copyOf(shapes.keySet()));
    assertEquals(shape(1, 28, 28), shapes.get("image"));
    assertEquals(shape(784), shapes.get("flatten_1"));
    assertEquals(shape(128), shapes.get("dropout_1"));
    assertEquals(shape(10), shapes.get("softmax_1"));
    assertEquals(shape(10), spec.outputShape());
  }

  @Test
  void denseMapsTheLastAxis() {
    Dense dense = new Dense("d", "x", 7);
    assertEquals(shape(7), dense.outputShape(List.of(shape(20))));
    assertEquals(shape(5, 7), dense.outputShape(List.of(shape(5, 20))));
  }

  @Test
  void denseRejectsWeightsTooLargeToIndex() {
    assertEquals("Layer 'd': weight [1048576, 4096] for input shape [1048576] has more than 2147483647 elements.",
        error(new Dense("d", "x", 4096), List.of(shape(1 << 20))));
  }

  @Test
  void shapePreservingLayers() {
    List<List<Integer>> in = List.of(shape(3, 4));
    assertEquals(shape(3, 4), new Activation("a", "x", "softmax").outputShape(in));
    assertEquals(shape(3, 4), new Dropout("p", "x", 0.5).outputShape(in));
    assertEquals(shape(3, 4), new Add("s", "x", "y", "z").outputShape(List.of(shape(3, 4), shape(3, 4), shape(3, 4))));
  }

  @Test
  void addNamesTheMismatchedPair() {
    assertEquals("Layer 's': input shapes [3, 4] ('x') and [4, 3] ('z') differ; add needs equal shapes.",
        error(new Add("s", "x", "y", "z"), List.of(shape(3, 4), shape(3, 4), shape(4, 3))));
  }

  @Test
  void concatSumsTheAxis() {
    Concat last = new Concat("c", -1, "a", "b");
    assertEquals(shape(8), last.outputShape(List.of(shape(3), shape(5))));
    assertEquals(shape(2, 9), last.outputShape(List.of(shape(2, 4), shape(2, 5))));
    List<List<Integer>> images = List.of(shape(2, 3, 4), shape(2, 5, 4));
    assertEquals(shape(2, 8, 4), new Concat("c", 1, "a", "b").outputShape(images));
    assertEquals(shape(2, 8, 4), new Concat("c", -2, "a", "b").outputShape(images));
    assertEquals(shape(4, 3, 4), new Concat("c", 0, "a", "b")
        .outputShape(List.of(shape(2, 3, 4), shape(2, 3, 4))));
  }

  @Test
  void concatErrors() {
    assertEquals("Layer 'c': axis 1 is out of range for input shape [3]; use -1 to 0 (the batch dimension is not counted).",
        error(new Concat("c", 1, "a", "b"), List.of(shape(3), shape(5))));
    assertEquals("Layer 'c': input shapes [3] ('a') and [3, 4] ('b') have different ranks; concat needs equal ranks.",
        error(new Concat("c", 0, "a", "b"), List.of(shape(3), shape(3, 4))));
    assertEquals("Layer 'c': input shapes [2, 3] ('a') and [4, 3] ('b') differ outside axis -1; concat needs equal"
            + " sizes in every other dimension.",
        error(new Concat("c", -1, "a", "b"), List.of(shape(2, 3), shape(4, 3))));
  }

  @Test
  void reshapeResolvesMinusOne() {
    assertEquals(shape(1, 28, 28), new Reshape("r", "x", 1, 28, 28).outputShape(List.of(shape(784))));
    assertEquals(shape(16, 49), new Reshape("r", "x", -1, 49).outputShape(List.of(shape(784))));
    assertEquals(shape(784), new Reshape("r", "x", -1).outputShape(List.of(shape(1, 28, 28))));
  }

  @Test
  void reshapeErrors() {
    assertEquals("Layer 'r': cannot reshape [784] (784 elements) to [28, 27] (756 elements).",
        error(new Reshape("r", "x", 28, 27), List.of(shape(784))));
    assertEquals("Layer 'r': cannot reshape [784] (784 elements) to [-1, 5]; 784 is not a multiple of 5.",
        error(new Reshape("r", "x", -1, 5), List.of(shape(784))));
  }

  @Test
  void flattenMultipliesDims() {
    assertEquals(shape(60), new Flatten("f", "x").outputShape(List.of(shape(3, 4, 5))));
    assertEquals(shape(7), new Flatten("f", "x").outputShape(List.of(shape(7))));
  }

  @Test
  void wrongNumberOrKindOfInputShapes() {
    assertEquals("Layer 'd': expected 1 input shape, got 2.",
        error(new Dense("d", "x", 3), List.of(shape(2), shape(2))));
    assertEquals("Layer 's': expected 2 input shapes, got 0.", error(new Add("s", "x", "y"), null));
    assertEquals("Layer 'd': input shape [0, 2] is invalid; shapes have rank 1 to 8, dims > 0 and at most 2147483647"
        + " elements.", error(new Dense("d", "x", 3), List.of(shape(0, 2))));
  }

  @Test
  void shapeErrorsSurfaceWhenTheNetworkIsBuilt() {
    NetworkSpec.Builder b = NetworkSpec.builder().input("x", 10).dense(4);
    b.addConcat("c", 0, "x", "dense_1");
    b.reshape(3, 5);
    assertEquals("Layer 'reshape_1': cannot reshape [14] (14 elements) to [3, 5] (15 elements).",
        assertThrows(SpecException.class, b::build).getMessage());
  }

  @Test
  void outputShapeNeedsASingleOutput() {
    NetworkSpec.Builder b = NetworkSpec.builder().input("x", 10).dense(4).relu();
    b.outputs("dense_1", "relu_1");
    NetworkSpec spec = b.build();
    assertEquals("Network has 2 outputs [dense_1, relu_1]; outputShape() needs exactly one, use inferShapes() instead.",
        assertThrows(SpecException.class, spec::outputShape).getMessage());
    assertEquals(shape(4), spec.inferShapes().get("relu_1"));
  }

  @Test
  void inputsCanBeOutputs() {
    NetworkSpec.Builder b = NetworkSpec.builder().input("x", 10).dense(4);
    b.outputs("x");
    assertEquals(shape(10), b.build().outputShape());
  }
}
