package org.sparkdl.nn;


import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkdl.backend.Backend;
import org.sparkdl.spec.NetworkSpec;
import org.sparkdl.spec.Padding;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Tensor;
import org.sparkdl.testing.Float64Workspace;
import org.sparkdl.testing.GradCheck;

/**
 * The convolution, pooling and normalisation layers as the network compiles them from a spec,
 * against float64 central differences with respect to the input and every parameter, for every
 * option of each layer.
 */
class ConvLayerGradientTest {
  @RegisterExtension
  final Float64Workspace ws = new Float64Workspace(2, 17);
  private final Backend be = ws.backend();
  private final Scope scope = ws.scope();

  private Tensor rand(int... dims) {
    return ws.normal(dims);
  }

  /** Builds the network, gives constant-initialised parameters random values, and checks every gradient. */
  private void check(NetworkSpec spec, int batch, boolean training) {
    try (Network net = Network.create(spec, be, DType.FLOAT64, 3)) {
      for (Parameter p : net.parameters().parameters()) {
        if (p.init() == Init.ZEROS || p.init() == Init.ONES) {
          Tensor r = rand(p.shape().toArray());
          be.map(org.sparkdl.backend.UnaryOp.SCALE, r, r, 0.3);
          be.copy(r, p.value());
        }
      }
      Tensor x = rand(net.inputShape().prepend(batch).toArray());
      GradCheck.Fn fn = (t, in) -> net.forward(in.get(0));
      if (training) {
        GradCheck.check(be, List.of(x), net.parameters().parameters(), fn);
      } else {
        GradCheck.checkInference(be, List.of(x), net.parameters().parameters(), fn);
      }
    }
  }

  private static NetworkSpec conv2d(int[] input, int filters, int kernel, UnaryOperator<org.sparkdl.spec.Conv2d> o) {
    return NetworkSpec.builder().input("x", input).conv2d(filters, kernel, o).build();
  }

  static Stream<Arguments> conv2dOptions() {
    return Stream.of(
        Arguments.of("defaults", conv2d(new int[] {2, 5, 5}, 3, 3, c -> c)),
        Arguments.of("stride 2", conv2d(new int[] {2, 6, 5}, 2, 3, c -> c.withStride(2))),
        Arguments.of("stride 1x2, padding 1x2", conv2d(new int[] {2, 5, 5}, 2, 3,
            c -> c.withStride(1, 2).withPadding(Padding.of(1, 2)))),
        Arguments.of("same padding, stride 2", conv2d(new int[] {2, 5, 6}, 2, 4,
            c -> c.withStride(2).withPadding(Padding.SAME))),
        Arguments.of("dilation 2", conv2d(new int[] {2, 6, 6}, 2, 3, c -> c.withDilation(2).withPadding(Padding.of(1)))),
        Arguments.of("dilation 2x1, same padding", conv2d(new int[] {1, 5, 5}, 2, 3,
            c -> c.withDilation(2, 1).withPadding(Padding.SAME))),
        Arguments.of("2 groups", conv2d(new int[] {4, 4, 4}, 4, 3, c -> c.withGroups(2).withPadding(Padding.of(1)))),
        Arguments.of("depthwise, no bias", conv2d(new int[] {3, 5, 5}, 3, 3, c -> c.withGroups(3).withBias(false))),
        Arguments.of("uneven padding, stride 2", conv2d(new int[] {2, 6, 5}, 2, 3,
            c -> c.withStride(2).withPadding(Padding.of(new int[] {0, 2}, new int[] {1, 0})))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conv2dOptions")
  void conv2d(String name, NetworkSpec spec) {
    check(spec, 2, true);
  }

  @Test
  void conv1dWithEachOption() {
    check(NetworkSpec.builder().input("x", 2, 7).conv1d(3, 3).build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 9).conv1d(2, 3, c -> c.withStride(2).withPadding(Padding.of(1))).build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 8).conv1d(2, 2, c -> c.withDilation(3).withPadding(Padding.SAME)).build(), 2, true);
    check(NetworkSpec.builder().input("x", 4, 6).conv1d(2, 3, c -> c.withGroups(2).withBias(false)).build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 6).conv1d(2, 3, c -> c.withPadding(Padding.of(new int[] {2}, new int[] {0})))
        .build(), 2, true);
  }

  @Test
  void poolingLayersWithEachOption() {
    check(NetworkSpec.builder().input("x", 2, 4, 6).maxPool2d(2).build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 5, 5).maxPool2d(3, p -> p.withStride(2).withPadding(Padding.of(1))).build(), 2, true);
    check(NetworkSpec.builder().input("x", 1, 5, 7).maxPool2d(2, p -> p.withPadding(Padding.SAME)).build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 4, 6).avgPool2d(2).build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 5, 5).avgPool2d(3, p -> p.withStride(2).withPadding(Padding.of(1))).build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 5, 5)
        .avgPool2d(3, p -> p.withStride(2).withPadding(Padding.of(1)).withCountIncludePad(false)).build(), 2, true);
    check(NetworkSpec.builder().input("x", 1, 5, 7)
        .avgPool2d(2, p -> p.withStride(1, 2).withPadding(Padding.SAME).withCountIncludePad(false)).build(), 2, true);
    Padding uneven = Padding.of(new int[] {1, 0}, new int[] {0, 1});
    check(NetworkSpec.builder().input("x", 2, 5, 5).maxPool2d(3, p -> p.withStride(2).withPadding(uneven)).build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 5, 5).avgPool2d(2, p -> p.withStride(1).withPadding(uneven)).build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 5, 5)
        .avgPool2d(2, p -> p.withStride(1).withPadding(uneven).withCountIncludePad(false)).build(), 2, true);
    check(NetworkSpec.builder().input("x", 3, 4, 5).globalAvgPool().build(), 2, true);
    check(NetworkSpec.builder().input("x", 3, 6).globalAvgPool().build(), 2, true);
  }

  @Test
  void batchNormInTrainingAndInferenceOverFeaturesSequencesAndImages() {
    for (int[] shape : new int[][] {{4}, {3, 5}, {2, 3, 3}}) {
      NetworkSpec spec = NetworkSpec.builder().input("x", shape).batchNorm().build();
      check(spec, 4, true);
      check(spec, 4, false);
    }
  }

  @Test
  void layerNormOverOneAndTwoAxes() {
    check(NetworkSpec.builder().input("x", 6).layerNorm().build(), 3, true);
    check(NetworkSpec.builder().input("x", 3, 4).layerNorm().build(), 2, true);
    check(NetworkSpec.builder().input("x", 2, 3, 4).layerNorm(2, 1e-5).build(), 2, true);
  }

  @Test
  void aSmallCnnEndToEnd() {
    NetworkSpec spec = NetworkSpec.builder().input("image", 1, 6, 6)
        .conv2d(2, 3, c -> c.withPadding(Padding.SAME)).batchNorm().relu().maxPool2d(2)
        .conv2d(2, 2).flatten().dense(3).build();
    check(spec, 3, true);
  }
}
