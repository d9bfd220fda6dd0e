package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.backend.Window2d;
import org.sparkdl.spec.Padding;
import org.sparkdl.tensor.Init;

/** The convolution and pooling family's factories: conv1d, conv2d, max_pool2d, avg_pool2d, global_avg_pool. */
final class ConvLayers {
  private ConvLayers() {}

  static void register(LayerFactories.Registry r) {
    r.add(org.sparkdl.spec.Conv2d.class, (c, at) -> new Conv2d(c.name(), at.in().get(0), c.filters(),
        window(c.kernel(), c.stride(), c.dilation(), c.padding(), at.in()), c.groups(), c.bias(), Init.of(c.init())));
    r.add(org.sparkdl.spec.Conv1d.class, (c, at) -> {
      int[] pad = c.padding().amounts(0, at.in().get(1), c.kernel(), c.stride(), c.dilation());
      return new Conv1d(c.name(), at.in().get(0), c.filters(), c.kernel(), c.stride(), pad[0], pad[1], c.dilation(),
          c.groups(), c.bias(), Init.of(c.init()));
    });
    r.add(org.sparkdl.spec.MaxPool2d.class, (p, at) -> Pool2d.max(p.name(),
        window(p.kernel(), p.stride(), List.of(1, 1), p.padding(), at.in())));
    r.add(org.sparkdl.spec.AvgPool2d.class, (p, at) -> Pool2d.average(p.name(),
        window(p.kernel(), p.stride(), List.of(1, 1), p.padding(), at.in()), p.countIncludePad()));
    r.add(org.sparkdl.spec.GlobalAvgPool.class, (p, at) -> Pool2d.globalAverage(p.name()));
  }

  /** The window of a 2-D layer over an input {@code [C, H, W]}, with {@code "same"} padding resolved. */
  private static Window2d window(List<Integer> kernel, List<Integer> stride, List<Integer> dilation, Padding padding,
      List<Integer> in) {
    int[] ph = padding.amounts(0, in.get(1), kernel.get(0), stride.get(0), dilation.get(0));
    int[] pw = padding.amounts(1, in.get(2), kernel.get(1), stride.get(1), dilation.get(1));
    return new Window2d(kernel.get(0), kernel.get(1), stride.get(0), stride.get(1), dilation.get(0), dilation.get(1),
        ph[0], ph[1], pw[0], pw[1]);
  }
}
