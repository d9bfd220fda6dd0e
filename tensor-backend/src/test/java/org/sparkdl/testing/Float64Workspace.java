package org.sparkdl.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.sparkdl.backend.Backend;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * What a float64 test of ops and layers works in: the suites' backend ({@link TestBackends}), a scope named {@code test} on it,
 * and a seeded random source for its inputs. Registered as an instance field,
 *
 * <pre>{@code @RegisterExtension final Float64Workspace ws = new Float64Workspace(1, 23);}</pre>
 *
 * each test gets a fresh one; after the test it closes the scope and fails the test if any bytes
 * are still allocated on the backend.
 */
public final class Float64Workspace implements AfterEachCallback {
  private final Backend be;
  private final Scope scope;
  private final Random random;

  /** A backend of {@code threads} threads and a random source seeded with {@code seed}. */
  public Float64Workspace(int threads, long seed) {
    be = TestBackends.create(threads);
    scope = be.openScope("test");
    random = new Random(seed);
  }

  public Backend backend() {
    return be;
  }

  public Scope scope() {
    return scope;
  }

  /** The random source the tensors below draw from, for tests that draw other values in the same sequence. */
  public Random random() {
    return random;
  }

  /** Standard normal values. */
  public Tensor normal(int... dims) {
    return scaledNormal(1, dims);
  }

  /** Normal values of standard deviation {@code sd}. */
  public Tensor scaledNormal(double sd, int... dims) {
    Shape s = Shape.of(dims);
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = sd * random.nextGaussian();
    }
    return scope.of(DType.FLOAT64, s, v);
  }

  /** Standard normal values moved {@code gap} further from 0, away from kinks at 0 (ReLU, |x|). */
  public Tensor normalAwayFromZero(double gap, int... dims) {
    Shape s = Shape.of(dims);
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      double x = random.nextGaussian();
      v[i] = x >= 0 ? x + gap : x - gap;
    }
    return scope.of(DType.FLOAT64, s, v);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    scope.close();
    assertEquals(0, be.liveBytes(), "bytes still allocated after " + context.getDisplayName());
  }
}
