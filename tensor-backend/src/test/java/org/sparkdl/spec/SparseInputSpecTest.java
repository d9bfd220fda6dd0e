package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Sparse inputs in the spec: JSON, and the layers that may read them. */
class SparseInputSpecTest {
  @Test
  void aSparseInputSurvivesJsonAndADenseOneSaysNothingOfIt() {
    NetworkSpec spec = NetworkSpec.builder().sparseInput("words", 1_000_000).dense(128).activation("relu").dense(10).build();
    String json = spec.toJson();
    assertTrue(json.contains("\"sparse\" : true"), json);
    NetworkSpec back = NetworkSpec.fromJson(json);
    assertEquals(spec, back);
    assertTrue(back.inputs().get(0).sparse());
    String dense = NetworkSpec.builder().input("x", 4).dense(2).build().toJson();
    assertFalse(dense.contains("sparse"), dense);
    assertFalse(NetworkSpec.fromJson(dense).inputs().get(0).sparse());
  }

  @Test
  void onlyDenseLayersMayReadASparseInput() {
    SpecException e = assertThrows(SpecException.class,
        () -> NetworkSpec.builder().sparseInput("words", 100).activation("relu").build());
    assertEquals("Input 'words' is sparse; only dense layers may read it, but layer 'relu_1' (activation) does.",
        e.getMessage());
    e = assertThrows(SpecException.class, () -> new InputSpec("x", List.of(10, 10), true));
    assertEquals("Input 'x' is sparse, so its shape must be one width, e.g. [1000000]; found [10, 10].", e.getMessage());
    e = assertThrows(SpecException.class, () -> NetworkSpec.fromJson("""
        {"format_version": 1, "inputs": [{"name": "x", "shape": [5], "sparse": true}],
         "layers": [{"type": "dense", "name": "d", "units": 2}], "outputs": ["x", "d"]}"""));
    assertEquals("Input 'x' is sparse and cannot be an output.", e.getMessage());
  }
}
