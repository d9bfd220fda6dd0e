package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkdl.spec.NetworkSpec;

/** Every layer type the spec reads has a factory in some family, and no factory is left without a type. */
class LayerFactoriesTest {
  @Test
  void everySpecLayerTypeHasAFactory() {
    Set<Class<?>> specTypes = new HashSet<>(NetworkSpec.layerTypes().values());
    assertEquals(specTypes, LayerFactories.records(), "spec types " + NetworkSpec.layerTypes().keySet());
  }
}
