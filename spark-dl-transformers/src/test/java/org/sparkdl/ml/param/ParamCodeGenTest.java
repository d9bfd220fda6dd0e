package org.sparkdl.ml.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdl.ml.NeuralNetworkRegressionModel;
import org.sparkdl.spec.NetworkSpec;

/**
 * The generated regions of the Java and Python files are what {@link ParamTable} gives. Run with
 * {@code -Dsparkdl.regenerate=true} after changing the table to rewrite them.
 */
class ParamCodeGenTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void generatedRegionsMatchTheTable() throws IOException {
    boolean regenerate = Boolean.getBoolean("sparkdl.regenerate");
    for (Map.Entry<String, String> e : ParamCodeGen.renderAll(ROOT).entrySet()) {
      Path file = ROOT.resolve(e.getKey());
      if (regenerate) {
        Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
      }
      assertEquals(e.getValue(), Files.readString(file, StandardCharsets.UTF_8), e.getKey() + " differs from ParamTable;"
          + " run mvn -pl spark-dl-transformers test -Dtest=ParamCodeGenTest -Dsparkdl.regenerate=true");
    }
  }

  @Test
  void everyTableParamIsASparkParamWithItsDocAndDefault() {
    // while regenerating, the compiled accessors may predate the table: the next plain run checks them
    org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("sparkdl.regenerate"));
    NeuralNetworkRegressionModel m = new NeuralNetworkRegressionModel("nnReg_t", NetworkSpec.mlp(new int[] {2, 1}, "relu"),
        new float[3]);
    Map<String, org.apache.spark.ml.param.Param<?>> spark = java.util.Arrays.stream(m.params())
        .collect(Collectors.toMap(org.apache.spark.ml.param.Param::name, Function.identity()));
    for (ParamTable.Def d : ParamTable.SHARED) {
      org.apache.spark.ml.param.Param<?> p = spark.get(d.name());
      assertEquals(d.doc(), p.doc(), d.name());
      assertEquals(d.defaultValue() != null, m.hasDefault(p), d.name());
    }
    Set<String> names = ParamTable.SHARED.stream().map(ParamTable.Def::name).collect(Collectors.toSet());
    assertEquals(ParamTable.SHARED.size(), names.size(), "names are unique");
    assertTrue(spark.keySet().containsAll(names));
  }

  @Test
  void aRegionWithoutItsEndIsReported(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("x.py");
    Files.writeString(file, "class A:\n    # @generated-begin ParamCodeGen keywords\n    pass\n");
    ParamCodeGen.Target t = new ParamCodeGen.Target("x.py", Map.of("keywords", in -> List.of(in + "x = 1")));
    assertEquals("x.py:2: region 'keywords' has no @generated-end", assertThrows(IllegalStateException.class,
        () -> ParamCodeGen.render(dir, t)).getMessage());
    Files.writeString(file, "class A:\n    # @generated-begin ParamCodeGen keywords\n    old\n    # @generated-end\n");
    assertEquals("class A:\n    # @generated-begin ParamCodeGen keywords\n    x = 1\n    # @generated-end\n",
        ParamCodeGen.render(dir, t));
  }
}
