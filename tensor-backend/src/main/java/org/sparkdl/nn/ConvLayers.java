package org.sparkdl.nn;

import java.util.List;
import org.sparkdl.backend.Window2d;
import org.sparkdl.spec.Padding;
import org.sparkdl.tensor.Init;

/**
 * The convolution and pooling family: conv2d, conv1d, max_pool2d, avg_pool2d and global_avg_pool.
 * Each type is registered once, with its JSON tag, fields, reader, writer and layer factory.
 *
 * <p>A {@link org.sparkdl.spec.LayerFamily} service provider, found by the spec through {@code
 * META-INF/services}; not meant to be called directly.
 */
public final class ConvLayers extends LayerFactories.Family {
  /** Constructed by {@link java.util.ServiceLoader}. */
  public ConvLayers() {}

  @Override
  void register(LayerFactories.Registry r) {
    r.type(org.sparkdl.spec.Conv2d.TYPE, org.sparkdl.spec.Conv2d.class,
            "filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "init")
        .read((name, inputs, f) -> new org.sparkdl.spec.Conv2d(name, inputs, f.requireInt("filters"),
            f.requireInts("kernel"), f.intsOr("stride", List.of(1)), f.paddingOr("padding"),
            f.intsOr("dilation", List.of(1)), f.intOr("groups", 1), f.booleanOr("bias", true),
            f.stringOr("init", org.sparkdl.spec.Conv2d.DEFAULT_INIT)))
        .write((c, out) -> {
          out.put("filters", c.filters());
          out.putInts("kernel", c.kernel());
          out.putInts("stride", c.stride());
          out.putPadding("padding", c.padding());
          out.putInts("dilation", c.dilation());
          out.put("groups", c.groups());
          out.put("bias", c.bias());
          out.put("init", c.init());
        })
        .build((c, at) -> new Conv2d(c.name(), at.in().get(0), c.filters(),
            window(c.kernel(), c.stride(), c.dilation(), c.padding(), at.in()), c.groups(), c.bias(),
            Init.of(c.init())));

    r.type(org.sparkdl.spec.Conv1d.TYPE, org.sparkdl.spec.Conv1d.class,
            "filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "init")
        .read((name, inputs, f) -> new org.sparkdl.spec.Conv1d(name, inputs, f.requireInt("filters"),
            f.requireInt("kernel"), f.intOr("stride", 1), f.paddingOr("padding"), f.intOr("dilation", 1),
            f.intOr("groups", 1), f.booleanOr("bias", true), f.stringOr("init", org.sparkdl.spec.Conv2d.DEFAULT_INIT)))
        .write((c, out) -> {
          out.put("filters", c.filters());
          out.put("kernel", c.kernel());
          out.put("stride", c.stride());
          if (c.padding().symmetric()) {
            out.put("padding", c.padding().sizes().get(0));
          } else {
            out.putPadding("padding", c.padding());
          }
          out.put("dilation", c.dilation());
          out.put("groups", c.groups());
          out.put("bias", c.bias());
          out.put("init", c.init());
        })
        .build((c, at) -> {
          int[] pad = c.padding().amounts(0, at.in().get(1), c.kernel(), c.stride(), c.dilation());
          return new Conv1d(c.name(), at.in().get(0), c.filters(), c.kernel(), c.stride(), pad[0], pad[1],
              c.dilation(), c.groups(), c.bias(), Init.of(c.init()));
        });

    r.type(org.sparkdl.spec.MaxPool2d.TYPE, org.sparkdl.spec.MaxPool2d.class, "kernel", "stride", "padding")
        .read((name, inputs, f) -> {
          List<Integer> kernel = f.requireInts("kernel");
          return new org.sparkdl.spec.MaxPool2d(name, inputs, kernel, f.intsOr("stride", kernel),
              f.paddingOr("padding"));
        })
        .write((p, out) -> {
          out.putInts("kernel", p.kernel());
          out.putInts("stride", p.stride());
          out.putPadding("padding", p.padding());
        })
        .build((p, at) -> Pool2d.max(p.name(), window(p.kernel(), p.stride(), List.of(1, 1), p.padding(), at.in())));

    r.type(org.sparkdl.spec.AvgPool2d.TYPE, org.sparkdl.spec.AvgPool2d.class,
            "kernel", "stride", "padding", "count_include_pad")
        .read((name, inputs, f) -> {
          List<Integer> kernel = f.requireInts("kernel");
          return new org.sparkdl.spec.AvgPool2d(name, inputs, kernel, f.intsOr("stride", kernel),
              f.paddingOr("padding"), f.booleanOr("count_include_pad", true));
        })
        .write((p, out) -> {
          out.putInts("kernel", p.kernel());
          out.putInts("stride", p.stride());
          out.putPadding("padding", p.padding());
          out.put("count_include_pad", p.countIncludePad());
        })
        .build((p, at) -> Pool2d.average(p.name(),
            window(p.kernel(), p.stride(), List.of(1, 1), p.padding(), at.in()), p.countIncludePad()));

    r.type(org.sparkdl.spec.GlobalAvgPool.TYPE, org.sparkdl.spec.GlobalAvgPool.class)
        .read((name, inputs, f) -> new org.sparkdl.spec.GlobalAvgPool(name, inputs))
        .write((p, out) -> { })
        .build((p, at) -> Pool2d.globalAverage(p.name()));
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
