package org.sparkdl.testing;

import java.util.ArrayList;
import java.util.List;
import org.sparkdl.autograd.Ops;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.backend.Distribution;
import org.sparkdl.nn.Parameter;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Tensor;

/**
 * Gradient check in float64: compares the analytic gradient of {@code sum(f(inputs) * R)} (R a
 * fixed random tensor, so every output element matters) with central finite differences, for every
 * element of every input and parameter.
 */
public final class GradCheck {
  /** The function under test; its inputs arrive as Vars on the given tape. */
  @FunctionalInterface
  public interface Fn {
    Var apply(Tape tape, List<Var> inputs);
  }

  public static final double TOLERANCE = 1e-6;
  private static final double H = 1e-6;
  private static final long SEED = 12345;

  private GradCheck() {}

  /** Checks gradients with respect to {@code inputs} (float64 tensors) and {@code params}, on training tapes. */
  public static double check(Backend be, List<Tensor> inputs, List<Parameter> params, Fn fn) {
    return check(be, inputs, params, true, fn);
  }

  /**
   * As {@link #check(Backend, List, List, Fn)} on inference tapes, for layers that behave
   * differently there (batch normalisation with running statistics).
   */
  public static double checkInference(Backend be, List<Tensor> inputs, List<Parameter> params, Fn fn) {
    return check(be, inputs, params, false, fn);
  }

  private static double check(Backend be, List<Tensor> inputs, List<Parameter> params, boolean training, Fn fn) {
    for (Tensor t : inputs) {
      require(t);
    }
    for (Parameter p : params) {
      require(p.value());
    }
    List<double[]> analytic = new ArrayList<>();
    Tensor r;
    Scope keep = be.openScope("gradcheck-r");
    try {
      try (Scope s = keep.child("analytic")) {
        for (Parameter p : params) {
          be.fill(p.grad(), 0);
        }
        Tape tape = new Tape(s, training, SEED);
        List<Var> vars = new ArrayList<>();
        for (Tensor t : inputs) {
          vars.add(tape.variable(t));
        }
        Var out = fn.apply(tape, vars);
        r = keep.allocate(DType.FLOAT64, out.shape());
        be.random(r, Distribution.NORMAL, 0, 1, SEED);
        Var loss = Ops.sum(Ops.mul(out, tape.constant(r)));
        tape.backward(loss);
        for (Var v : vars) {
          if (v.grad() == null) {
            throw new AssertionError("No gradient reached input " + v + ".");
          }
          analytic.add(v.grad().toDoubleArray());
        }
        for (Parameter p : params) {
          analytic.add(p.grad().toDoubleArray());
        }
      }
      List<Tensor> targets = new ArrayList<>(inputs);
      List<String> names = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i++) {
        names.add("input " + i);
      }
      for (Parameter p : params) {
        targets.add(p.value());
        names.add(p.name());
      }
      double worst = 0;
      for (int k = 0; k < targets.size(); k++) {
        Tensor t = targets.get(k);
        double[] values = t.toDoubleArray();
        double[] a = analytic.get(k);
        for (int i = 0; i < values.length; i++) {
          double orig = values[i];
          values[i] = orig + H;
          t.copyFrom(values);
          double plus = eval(be, inputs, training, fn, r);
          values[i] = orig - H;
          t.copyFrom(values);
          double minus = eval(be, inputs, training, fn, r);
          values[i] = orig;
          t.copyFrom(values);
          double numeric = (plus - minus) / (2 * H);
          double diff = Math.abs(numeric - a[i]);
          double rel = diff / Math.max(Math.abs(numeric), Math.abs(a[i]));
          if (diff > 1e-9 && rel > TOLERANCE) {
            throw new AssertionError(String.format("Gradient of %s element %d: analytic %.12g, numeric %.12g, relative error %.3g",
                names.get(k), i, a[i], numeric, rel));
          }
          if (diff > 1e-9) {
            worst = Math.max(worst, rel);
          }
        }
      }
      return worst;
    } finally {
      keep.close();
    }
  }

  /** Checks gradients with respect to inputs only. */
  public static double check(Backend be, List<Tensor> inputs, Fn fn) {
    return check(be, inputs, List.of(), fn);
  }

  private static double eval(Backend be, List<Tensor> inputs, boolean training, Fn fn, Tensor r) {
    try (Scope s = be.openScope("gradcheck-eval")) {
      Tape tape = new Tape(s, training, SEED);
      List<Var> vars = new ArrayList<>();
      for (Tensor t : inputs) {
        vars.add(tape.constant(t));
      }
      Var out = fn.apply(tape, vars);
      Var loss = Ops.sum(Ops.mul(out, tape.constant(r)));
      return loss.value().item();
    }
  }

  private static void require(Tensor t) {
    if (t.dtype() != DType.FLOAT64) {
      throw new IllegalArgumentException("Gradient checks run in float64; found " + t.dtype() + ".");
    }
  }
}
