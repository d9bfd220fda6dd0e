package org.sparkdl.nn;

import java.util.ArrayList;
import java.util.List;
import org.sparkdl.tensor.Init;
import org.sparkdl.tensor.Shape;

/**
 * The parameters of a convolution of any rank: {@code <name>.weight [Cout, C / groups, k...]}
 * drawn from {@code init} with {@code fanIn = C / groups * prod(k)}, and an optional zero-initialised
 * {@code <name>.bias [Cout]}.
 */
record ConvWeights(Parameter weight, Parameter bias) {

  /**
   * @throws IllegalArgumentException naming the layer when the channels are not divisible by {@code groups}
   */
  static ConvWeights of(String name, int inChannels, int outChannels, int groups, boolean bias, Init init, int... kernel) {
    if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException("Layer '" + name + "': " + inChannels + " input and " + outChannels
          + " output channels must both be divisible by groups " + groups + ".");
    }
    int taps = 1;
    int[] dims = new int[2 + kernel.length];
    dims[0] = outChannels;
    dims[1] = inChannels / groups;
    for (int i = 0; i < kernel.length; i++) {
      taps *= kernel[i];
      dims[2 + i] = kernel[i];
    }
    int fanIn = inChannels / groups * taps;
    int fanOut = outChannels / groups * taps;
    return new ConvWeights(new Parameter(name + ".weight", Shape.of(dims), init, fanIn, fanOut),
        bias ? new Parameter(name + ".bias", Shape.of(outChannels), Init.ZEROS, fanIn, fanOut) : null);
  }

  /** Weight, then bias when there is one. */
  List<Parameter> list() {
    List<Parameter> ps = new ArrayList<>();
    ps.add(weight);
    if (bias != null) {
      ps.add(bias);
    }
    return ps;
  }
}
