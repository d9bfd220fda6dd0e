package org.sparkdl.ml.param;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.sparkdl.optim.LearningRateSchedule;
import org.sparkdl.spec.NetworkSpec;

/**
 * Every param of {@link NeuralNetworkParams} for one owner, built from {@link ParamTable} (name, doc,
 * validator) with {@link #setDefaults}; neither is written anywhere else. Each estimator and model
 * holds one, created in its constructor after its uid is known.
 */
public final class NetworkParamSet implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, Param<?>> byName = new LinkedHashMap<>();

  /** Builds the params of {@code owner}, whose uid must already be set. */
  public NetworkParamSet(Params owner) {
    for (ParamTable.Def def : ParamTable.SHARED) {
      byName.put(def.name(), create(owner, def));
    }
  }

  /** The param named {@code name}, of the class its {@link ParamTable.Type} gives. */
  @SuppressWarnings("unchecked")
  public <P extends Param<?>> P get(String name) {
    Param<?> p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("No shared param named " + name);
    }
    return (P) p;
  }

  /** Sets the defaults of every shared param on {@code p}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void setDefaults(NeuralNetworkParams p) {
    for (ParamTable.Def def : ParamTable.SHARED) {
      Object value = def.defaultValue();
      if (value instanceof int[] a) {
        value = a.clone();
      } else if (value instanceof double[] a) {
        value = a.clone();
      }
      if (value != null) {
        p.setDefault((Param) p.networkParams().get(def.name()), value);
      }
    }
  }

  /**
   * Checks {@code value} for the param {@code name} as a setter does: the hand-written checks of
   * {@link ParamTable.Custom} params throw with a message that says what is allowed (the network's
   * JSON throws the spec's own error); other params are left to their validators.
   *
   * @throws IllegalArgumentException when the value is invalid
   */
  public static void check(String name, Object value) {
    if (name.equals("network")) {
      NetworkSpec.fromJson((String) value);
      return;
    }
    String problem = problem(name, value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * The message for an invalid value of a {@link ParamTable.Custom} param, or {@code null} when
   * the value is valid (or the param has no hand-written check).
   */
  public static String problem(String name, Object value) {
    return switch (name) {
      case "network" -> networkProblem((String) value);
      case "layers" -> layersProblem((int[]) value);
      case "learningRateSchedule" -> scheduleProblem((String) value);
      case "inputShape" -> inputShapeProblem((int[]) value);
      case "channelMean" -> channelProblem(name, (double[]) value, false);
      case "channelStd" -> channelProblem(name, (double[]) value, true);
      case "validationFraction" -> fractionProblem(name, ((Number) value).doubleValue());
      case "classWeights" -> classWeightsProblem((String) value);
      default -> null;
    };
  }

  private static Param<?> create(Params owner, ParamTable.Def def) {
    String name = def.name();
    String doc = def.doc();
    ParamTable.Check check = def.check();
    return switch (def.type()) {
      case STRING -> check instanceof ParamTable.OneOf one
          ? new Param<String>(owner, name, doc, ParamValidators.inArray(one.values().toArray(new String[0])))
          : check instanceof ParamTable.Custom && !name.equals("network")
              ? new Param<String>(owner, name, doc, new CustomValidator<String>(name))
              : new Param<String>(owner, name, doc);
      case INT -> check instanceof ParamTable.AtLeast at
          ? new IntParam(owner, name, doc, at.inclusive() ? ParamValidators.gtEq(at.low()) : ParamValidators.gt(at.low()))
          : new IntParam(owner, name, doc);
      case LONG -> check instanceof ParamTable.AtLeast at
          ? new LongParam(owner, name, doc, at.inclusive() ? ParamValidators.gtEq(at.low()) : ParamValidators.gt(at.low()))
          : new LongParam(owner, name, doc);
      case DOUBLE -> check instanceof ParamTable.AtLeast at
          ? new DoubleParam(owner, name, doc, new FiniteAtLeast(at))
          : check instanceof ParamTable.Custom
              ? new DoubleParam(owner, name, doc, new CustomValidator<Object>(name))
              : new DoubleParam(owner, name, doc);
      case BOOLEAN -> new BooleanParam(owner, name, doc);
      case INT_ARRAY -> check instanceof ParamTable.Custom
          ? new IntArrayParam(owner, name, doc, new CustomValidator<int[]>(name))
          : new IntArrayParam(owner, name, doc);
      case DOUBLE_ARRAY -> check instanceof ParamTable.Custom
          ? new DoubleArrayParam(owner, name, doc, new CustomValidator<double[]>(name))
          : new DoubleArrayParam(owner, name, doc);
    };
  }

  private static String networkProblem(String json) {
    try {
      NetworkSpec.fromJson(json);
      return null;
    } catch (RuntimeException e) {
      return "Param network is invalid: " + e.getMessage();
    }
  }

  /**
   * The message for invalid layer sizes, or {@code null} when they are valid; setters throw it so
   * users see why, rather than Spark's generic "given invalid value".
   */
  public static String layersProblem(int[] sizes) {
    if (sizes == null || sizes.length < 2) {
      return "Param layers " + java.util.Arrays.toString(sizes) + " is invalid: at least 2 sizes (input and output) are needed.";
    }
    for (int s : sizes) {
      if (s <= 0) {
        return "Param layers " + java.util.Arrays.toString(sizes) + " is invalid: every size must be > 0.";
      }
    }
    return null;
  }

  /**
   * The message for an unparsable learning-rate schedule, or {@code null} when it parses; setters
   * throw it, as for {@link #layersProblem}.
   */
  public static String scheduleProblem(String schedule) {
    try {
      LearningRateSchedule.parse(schedule);
      return null;
    } catch (IllegalArgumentException | NullPointerException e) {
      return "Param learningRateSchedule '" + schedule + "' is invalid; expected constant, step:S:G, cosine:T[:M] or"
          + " warmup:W+<schedule>.";
    }
  }

  /**
   * The message for an invalid input shape, or {@code null} when it is valid (empty, or 1 to 8
   * dimensions each &gt; 0); setters throw it, as for {@link #layersProblem}.
   */
  public static String inputShapeProblem(int[] shape) {
    if (shape == null) {
      return "Param inputShape is invalid: it is null; use an empty array for the network's input shape.";
    }
    long size = 1;
    for (int d : shape) {
      size = Math.min(size * Math.max(d, 0), 1L << 40);
    }
    if (shape.length > 8 || (shape.length > 0 && size == 0)) {
      return "Param inputShape " + java.util.Arrays.toString(shape) + " is invalid: at most 8 dimensions, each > 0.";
    }
    return null;
  }

  /**
   * The message for class weights that are neither empty, {@code balanced}, nor comma-separated
   * weights each finite and &gt;= 0 and not all 0, or {@code null} when they are valid.
   */
  public static String classWeightsProblem(String value) {
    if (value == null) {
      return "Param classWeights is invalid: it is null; use an empty string for no class weights.";
    }
    try {
      explicitClassWeights(value);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /**
   * The weights of a {@code classWeights} value that lists them, or {@code null} for an empty
   * value or {@code balanced}.
   *
   * @throws IllegalArgumentException naming the param, what it expects and what it found
   */
  public static double[] explicitClassWeights(String value) {
    String v = value.trim();
    if (v.isEmpty() || v.equals("balanced")) {
      return null;
    }
    String[] parts = v.split(",", -1);
    double[] w = new double[parts.length];
    double total = 0;
    for (int i = 0; i < parts.length; i++) {
      try {
        w[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Param classWeights '" + value + "' is invalid: weight " + i + " '"
            + parts[i].trim() + "' is not a number; expected balanced or weights like 1,5 (one per class).");
      }
      if (!Double.isFinite(w[i]) || w[i] < 0) {
        throw new IllegalArgumentException("Param classWeights '" + value + "' is invalid: weight " + i + " is " + w[i]
            + "; every weight must be finite and >= 0.");
      }
      total += w[i];
    }
    if (total == 0) {
      throw new IllegalArgumentException("Param classWeights '" + value + "' is invalid: every weight is 0, so no row"
          + " would count; give at least one class a weight > 0.");
    }
    return w;
  }

  /** The message for a fraction outside [0, 1), or {@code null} when it is in range. */
  public static String fractionProblem(String param, double value) {
    return value >= 0 && value < 1 ? null : "Param " + param + " " + value + " is invalid: it must be in [0, 1).";
  }

  /**
   * The message for invalid per-channel values, or {@code null} when they are valid: finite, and
   * for a standard deviation &gt; 0.
   */
  public static String channelProblem(String param, double[] values, boolean positive) {
    for (double v : values == null ? new double[] {Double.NaN} : values) {
      if (!Double.isFinite(v) || (positive && !(v > 0))) {
        return "Param " + param + " " + java.util.Arrays.toString(values) + " is invalid: every value must be finite"
            + (positive ? " and > 0." : ".");
      }
    }
    return null;
  }

  /** A finite number at least (or above) the bound: Spark's own bound validators let infinity through. */
  private static final class FiniteAtLeast extends scala.runtime.AbstractFunction1<Object, Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final double low;
    private final boolean inclusive;

    FiniteAtLeast(ParamTable.AtLeast at) {
      this.low = at.low();
      this.inclusive = at.inclusive();
    }

    @Override
    public Object apply(Object value) {
      double v = ((Number) value).doubleValue();
      return Double.isFinite(v) && (inclusive ? v >= low : v > low);
    }
  }

  /** Serializable validator of a {@link ParamTable.Custom} param: {@link #problem} finds nothing. */
  private static final class CustomValidator<T> extends scala.runtime.AbstractFunction1<T, Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;

    CustomValidator(String name) {
      this.name = name;
    }

    @Override
    public Object apply(T value) {
      return problem(name, value) == null;
    }
  }
}
