package org.sparkdl.optim;

import java.util.Locale;

/**
 * A factor on the base learning rate as a function of the optimizer step ({@code t = 1, 2, ...}).
 * Written and parsed as a short string, so it fits in a Spark param and a model's metadata:
 *
 * <ul>
 *   <li>{@code constant}
 *   <li>{@code step:S:G}: multiply by G every S steps ({@code G^floor((t-1)/S)})
 *   <li>{@code cosine:T:M}: cosine decay from 1 to M over T steps, then M
 *   <li>{@code warmup:W+<schedule>}: linear warm-up from 1/W to 1 over W steps, then the schedule
 *       (counting from the end of the warm-up)
 * </ul>
 */
public sealed interface LearningRateSchedule {
  /** The factor at step {@code t} (from 1). */
  double factor(long t);

  /** Constant rate. */
  record Constant() implements LearningRateSchedule {
    @Override public double factor(long t) {
      return 1;
    }

    @Override public String toString() {
      return "constant";
    }
  }

  /** Step decay: {@code gamma^floor((t - 1) / stepSize)}. */
  record StepDecay(long stepSize, double gamma) implements LearningRateSchedule {
    public StepDecay {
      if (stepSize < 1 || !(gamma > 0)) {
        throw new IllegalArgumentException("Step schedule needs stepSize >= 1 and gamma > 0; found " + stepSize + ", " + gamma + ".");
      }
    }

    @Override public double factor(long t) {
      return Math.pow(gamma, (double) ((Math.max(t, 1) - 1) / stepSize));
    }

    @Override public String toString() {
      return "step:" + stepSize + ":" + gamma;
    }
  }

  /** Cosine decay: {@code m + (1 - m)(1 + cos(pi min(t-1, T)/T))/2}. */
  record Cosine(long totalSteps, double minFactor) implements LearningRateSchedule {
    public Cosine {
      if (totalSteps < 1 || minFactor < 0 || minFactor > 1) {
        throw new IllegalArgumentException("Cosine schedule needs totalSteps >= 1 and minFactor in [0, 1]; found "
            + totalSteps + ", " + minFactor + ".");
      }
    }

    @Override public double factor(long t) {
      double progress = Math.min(Math.max(t, 1) - 1, totalSteps) / (double) totalSteps;
      return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    @Override public String toString() {
      return "cosine:" + totalSteps + ":" + minFactor;
    }
  }

  /** Linear warm-up over {@code steps}, then {@code then} counted from the warm-up's end. */
  record Warmup(long steps, LearningRateSchedule then) implements LearningRateSchedule {
    public Warmup {
      if (steps < 1 || then instanceof Warmup) {
        throw new IllegalArgumentException("Warm-up needs steps >= 1 and a non-warm-up schedule after it.");
      }
    }

    @Override public double factor(long t) {
      return t <= steps ? (double) t / steps : then.factor(t - steps);
    }

    @Override public String toString() {
      return "warmup:" + steps + "+" + then;
    }
  }

  /** Parses the string form (see the type's documentation). */
  static LearningRateSchedule parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("warmup:")) {
        int plus = s.indexOf('+');
        long w = Long.parseLong(plus < 0 ? s.substring(7) : s.substring(7, plus));
        return new Warmup(w, plus < 0 ? new Constant() : parse(s.substring(plus + 1)));
      }
      String[] p = s.split(":");
      switch (p[0]) {
        case "constant":
          if (p.length == 1) {
            return new Constant();
          }
          break;
        case "step":
          if (p.length == 3) {
            return new StepDecay(Long.parseLong(p[1]), Double.parseDouble(p[2]));
          }
          break;
        case "cosine":
          if (p.length == 2 || p.length == 3) {
            return new Cosine(Long.parseLong(p[1]), p.length == 3 ? Double.parseDouble(p[2]) : 0.0);
          }
          break;
        default:
          break;
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(bad(text), e);
    }
    throw new IllegalArgumentException(bad(text));
  }

  private static String bad(String text) {
    return "Learning-rate schedule '" + text + "' is invalid; expected constant, step:S:G, cosine:T[:M] or warmup:W+<schedule>.";
  }
}
