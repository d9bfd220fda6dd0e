package org.sparkdl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.Distribution;
import org.sparkdl.backend.cpu.CpuBackend;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.train.LocalTrainer;

/**
 * Frozen layers for fine-tuning: the same starting values as without freezing, no gradient and no
 * optimizer state for a frozen parameter, unchanged values after training, and the same update of
 * the layers that train as in the network that trains everything (plain SGD, whose step depends on
 * a parameter's own gradient alone).
 */
class FrozenLayersTest {

  private static NetworkSpec cnn() {
    return NetworkSpec.builder().input("image", 2, 6, 6).conv2d(3, 3).batchNorm().relu().maxPool2d(2).flatten().dense(8).relu()
        .dense(3).build();
  }

  private static void train(Backend be, LocalTrainer t, int steps) {
    try (Scope s = be.openScope("batches")) {
      for (int i = 0; i < steps; i++) {
        Tensor x = s.allocate(DType.FLOAT32, Shape.of(8, 2, 6, 6));
        be.random(x, Distribution.NORMAL, 0, 1, 100 + i);
        Tensor y = s.of(DType.FLOAT32, Shape.of(8), new float[] {0, 1, 2, 1, 0, 2, 2, 1});
        t.trainBatch(x, y, null);
      }
    }
  }

  private static float[] values(Network n, String name) {
    return n.parameters().named().get(name).toFloatArray();
  }

  @Test
  void frozenLayersKeepTheirValuesHaveNoStateAndTheOthersTrainAsWithoutFreezing() {
    try (CpuBackend be = new CpuBackend(1)) {
      NetworkSpec spec = cnn();
      List<String> frozen = Network.matchLayers(spec, List.of("conv*", "batch_norm_1"));
      assertEquals(List.of("conv2d_1", "batch_norm_1"), frozen);
      try (Network all = Network.create(spec, be, DType.FLOAT32, 5);
          Network part = Network.create(spec, be, DType.FLOAT32, 5, frozen);
          LocalTrainer a = new LocalTrainer(all, new SoftmaxCrossEntropy(), OptimizerSpec.sgd(0.05), 1);
          LocalTrainer b = new LocalTrainer(part, new SoftmaxCrossEntropy(), OptimizerSpec.sgd(0.05), 1)) {
        assertEquals(frozen, part.frozenLayers());
        for (String name : all.parameters().names()) {
          assertArrayEquals(values(all, name), values(part, name), name + " starts as without freezing");
        }
        // frozen parameters first in the flat buffer; the optimizer's state covers the others only
        ParameterStore store = part.parameters();
        int frozenValues = 3 * 2 * 3 * 3 + 3 + 3 + 3;
        assertEquals(frozenValues, store.frozenSize());
        assertEquals(List.of("conv2d_1.weight", "conv2d_1.bias", "batch_norm_1.weight", "batch_norm_1.bias"),
            store.names().subList(0, 4));
        assertTrue(store.parameters().get(0).frozen());
        assertFalse(store.parameters().get(4).frozen());
        try (LocalTrainer adam = new LocalTrainer(part, new SoftmaxCrossEntropy(), OptimizerSpec.adam(0.01), 1)) {
          for (Tensor state : adam.optimizer().state().values()) {
            assertEquals(store.size() - frozenValues, state.size());
          }
        }
        float[] convBefore = values(part, "conv2d_1.weight");
        train(be, a, 3);
        train(be, b, 3);
        assertArrayEquals(convBefore, values(part, "conv2d_1.weight"), "a frozen layer does not move");
        assertFalse(java.util.Arrays.equals(convBefore, values(all, "conv2d_1.weight")), "without freezing it does");
        float[] grads = store.grads().toFloatArray();
        for (int i = 0; i < frozenValues; i++) {
          assertEquals(0f, grads[i], "no gradient is ever computed for a frozen parameter");
        }
        // the layers after the frozen ones: the first step is the same; later ones differ only because
        // the frozen layers' outputs did not change in the network that trains them
        try (Network all1 = Network.create(spec, be, DType.FLOAT32, 5);
            Network part1 = Network.create(spec, be, DType.FLOAT32, 5, frozen);
            LocalTrainer a1 = new LocalTrainer(all1, new SoftmaxCrossEntropy(), OptimizerSpec.sgd(0.05), 1);
            LocalTrainer b1 = new LocalTrainer(part1, new SoftmaxCrossEntropy(), OptimizerSpec.sgd(0.05), 1)) {
          train(be, a1, 1);
          train(be, b1, 1);
          for (String name : List.of("dense_1.weight", "dense_1.bias", "dense_2.weight", "dense_2.bias")) {
            assertArrayEquals(values(all1, name), values(part1, name), name);
          }
        }
      }
    }
  }

  @Test
  void namesThatMatchNothingAndFreezingEverythingAreErrors() {
    NetworkSpec spec = cnn();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Network.matchLayers(spec, List.of("dense_1", "conv3*", "")));
    assertEquals("No layer matches [conv3*, ] (a layer name, or a prefix ending in *); the network's layers are [conv2d_1,"
        + " batch_norm_1, relu_1, max_pool_1, flatten_1, dense_1, relu_2, dense_2].", e.getMessage());
    try (CpuBackend be = new CpuBackend(1)) {
      e = assertThrows(IllegalArgumentException.class, () -> Network.create(spec, be, DType.FLOAT32, 1, List.of("dense_9")));
      assertTrue(e.getMessage().startsWith("Cannot freeze [dense_9]: the network has no such layer"), e.getMessage());
      List<String> every = Network.matchLayers(spec, List.of("*"));
      e = assertThrows(IllegalArgumentException.class, () -> Network.create(spec, be, DType.FLOAT32, 1, every));
      assertTrue(e.getMessage().contains("leaves no parameter to train"), e.getMessage());
    }
  }
}
