package org.sparkdl.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdl.autograd.Tape;
import org.sparkdl.autograd.Var;
import org.sparkdl.backend.Backend;
import org.sparkdl.nn.Loss;
import org.sparkdl.nn.Network;
import org.sparkdl.optim.Optimizer;
import org.sparkdl.optim.OptimizerSpec;
import org.sparkdl.tensor.CsrMatrix;
import org.sparkdl.tensor.DType;
import org.sparkdl.tensor.Scope;
import org.sparkdl.tensor.Shape;
import org.sparkdl.tensor.Tensor;

/**
 * Trains a network in one JVM: mini-batches in, loss and gradients out, optimizer step. The Spark
 * estimators run the same {@link #accumulateGradients} on every executor and the same {@link
 * #applyGradients} on the driver, so local and distributed training compute the same thing.
 *
 * <p>The trainer owns the optimizer; the network stays the caller's. Each batch runs in a child
 * scope that is freed when the batch ends, so a long run does not grow.
 */
public final class LocalTrainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalTrainer.class);
  private final Network network;
  private final Loss loss;
  private final Optimizer optimizer;
  private final long seed;
  private final Scope scope;
  private long batches;
  /** Each class's loss weight as a {@code [classes, 1]} table, or null for none. */
  private Tensor classWeights;
  /** Where classified rows are counted, or null. */
  private ClassTally tally;

  public LocalTrainer(Network network, Loss loss, OptimizerSpec optimizer, long seed) {
    this.network = network;
    this.loss = loss;
    this.seed = seed;
    this.optimizer = optimizer.create(network.parameters());
    this.scope = Backend.of(network.parameters().values()).openScope("trainer");
  }

  public Network network() {
    return network;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public Loss loss() {
    return loss;
  }

  /**
   * Multiplies each row's weight in the loss by the weight of its class, from now on: {@code
   * weights[c]} for a row labelled {@code c} (Keras' {@code class_weight}), in {@link
   * #accumulateGradients} and {@link #evaluate}, the weight totals they return included, so that
   * a row of weight 3 counts as three rows. The loss must take class indices; {@code null} ends it.
   */
  public void setClassWeights(float[] weights) {
    if (classWeights != null) {
      classWeights.close();
      classWeights = null;
    }
    if (weights != null) {
      DType dt = network.parameters().values().dtype();
      classWeights = scope.of(dt, Shape.of(weights.length, 1), weights);
    }
  }

  /**
   * From now on, counts every row of {@link #accumulateGradients} (in training mode, as the step
   * sees it) and of {@link #evaluate} into {@code tally}, by the argmax of the network's output:
   * for classifiers, whose output is one logit per class; {@code null} stops counting.
   */
  public void tallyInto(ClassTally tally) {
    this.tally = tally;
  }

  /** Sets all gradients to zero before accumulating a new step. */
  public void zeroGradients() {
    network.parameters().zeroGrads();
  }

  /**
   * Adds the gradients of {@code sum(w_i l_i)} over this batch to the network's gradient buffer.
   *
   * @param features {@code [B, ...]} in the network's input shape
   * @param targets as the loss expects ({@code [B]} class indices, or {@code [B, ...]} values)
   * @param weights {@code [B]} or {@code null} for all ones
   */
  public BatchStats accumulateGradients(Tensor features, Tensor targets, Tensor weights) {
    return accumulateGradients(features, targets, weights, seed * 31 + batches);
  }

  /**
   * As {@link #accumulateGradients(Tensor, Tensor, Tensor)}, with the seed of this batch's random
   * layers (dropout) given by the caller, so that distributed runs are reproducible whichever
   * executor computes the batch. Features may be flat ({@code [B, size]}) for any input shape.
   */
  public BatchStats accumulateGradients(Tensor features, Tensor targets, Tensor weights, long tapeSeed) {
    return accumulateGradients(Map.of(firstInput(), features), targets, weights, tapeSeed);
  }

  /**
   * As {@link #accumulateGradients(Tensor, Tensor, Tensor, long)}, for a network of several inputs
   * (e.g. sequences and their {@code lengths}): one {@code [B, ...]} tensor per input name, each
   * flat or in its input's shape.
   */
  public BatchStats accumulateGradients(Map<String, Tensor> inputs, Tensor targets, Tensor weights, long tapeSeed) {
    return accumulate(inputs.values().iterator().next().dim(0), tape -> denseInputs(tape, inputs), targets, weights,
        tapeSeed);
  }

  /**
   * As {@link #accumulateGradients(Tensor, Tensor, Tensor, long)}, for a network whose single input
   * is sparse: {@code features} holds the batch's rows as sparse rows of the input's width.
   */
  public BatchStats accumulateGradients(CsrMatrix features, Tensor targets, Tensor weights, long tapeSeed) {
    return accumulate(features.rows(), tape -> Map.of(firstInput(), tape.sparse(features)), targets, weights, tapeSeed);
  }

  private BatchStats accumulate(int rows, Function<Tape, Map<String, Var>> inputs, Tensor targets, Tensor weights,
      long tapeSeed) {
    try (Scope step = scope.child("batch-" + batches++)) {
      Tape tape = new Tape(step, true, tapeSeed);
      Var out = forward(inputs.apply(tape));
      if (tally != null) {
        tally.add(out.value().toFloatArray(), targets.toFloatArray(), weights == null ? null : weights.toFloatArray(), rows);
      }
      Var perSample = loss.perSample(out, targets);
      Tensor lossWeights = lossWeights(targets, weights, step);
      Var total = Loss.weightedSum(perSample, lossWeights);
      double lossSum = total.value().item();
      tape.backward(total);
      double weightSum = lossWeights == null ? rows : sum(lossWeights, step);
      return new BatchStats(lossSum, weightSum, rows);
    }
  }

  /** The rows' weights in the loss: {@code weights} times their class's weight when class weights are set. */
  private Tensor lossWeights(Tensor targets, Tensor weights, Scope s) {
    if (classWeights == null) {
      return weights;
    }
    int rows = targets.dim(0);
    Tensor perClass = s.allocate(classWeights.dtype(), Shape.of(rows, 1));
    Backend.of(classWeights).gatherRows(classWeights, targets, perClass);
    Tensor w = perClass.reshape(rows);
    if (weights == null) {
      return w;
    }
    Tensor both = s.allocate(w.dtype(), Shape.of(rows));
    Backend.of(w).zip(org.sparkdl.backend.BinaryOp.MUL, weights, w, both);
    return both;
  }

  /** Each input on the tape, reshaped from {@code [B, size]} to its input's shape. */
  private Map<String, Var> denseInputs(Tape tape, Map<String, Tensor> inputs) {
    Map<String, Var> vars = new LinkedHashMap<>();
    inputs.forEach((name, x) -> {
      Shape want = network.shapeOf(name).prepend(x.dim(0));
      vars.put(name, tape.constant(x.shape().equals(want) ? x : x.reshape(want.toArray())));
    });
    return vars;
  }

  /** The network's single output. */
  private Var forward(Map<String, Var> vars) {
    Map<String, Var> out = network.forward(vars);
    if (out.size() != 1) {
      throw new IllegalArgumentException("The network has " + out.size() + " outputs; a trainer needs one.");
    }
    return out.values().iterator().next();
  }

  private String firstInput() {
    return network.spec().inputs().get(0).name();
  }

  /**
   * Loss and a metric over a batch in inference mode, no gradients: the weighted loss sum, the
   * weight total, and {@code sum(w_i m_i)} where {@code m_i} is 1 for a correct class
   * (classification) or the squared error summed over the row's outputs (regression). With class
   * weights ({@link #setClassWeights}) the loss and the weight total use them, the metric does not:
   * for classifiers read the accuracy from a {@link #tallyInto tally} then.
   */
  public EvalStats evaluate(Tensor features, Tensor targets, Tensor weights, boolean classification) {
    return evaluate(Map.of(firstInput(), features), targets, weights, classification);
  }

  /** As {@link #evaluate(Tensor, Tensor, Tensor, boolean)}, for a network of several inputs. */
  public EvalStats evaluate(Map<String, Tensor> inputs, Tensor targets, Tensor weights, boolean classification) {
    return evaluate(inputs.values().iterator().next().dim(0), tape -> denseInputs(tape, inputs), targets, weights,
        classification);
  }

  /** As {@link #evaluate(Tensor, Tensor, Tensor, boolean)}, for a network whose single input is sparse. */
  public EvalStats evaluate(CsrMatrix features, Tensor targets, Tensor weights, boolean classification) {
    return evaluate(features.rows(), tape -> Map.of(firstInput(), tape.sparse(features)), targets, weights,
        classification);
  }

  private EvalStats evaluate(int rows, Function<Tape, Map<String, Var>> inputs, Tensor targets, Tensor weights,
      boolean classification) {
    try (Scope s = scope.child("evaluate")) {
      // records no backward steps, and runs a convolution and the batch normalisation after it as one, as scoring does
      Tape tape = Tape.inference(s);
      Var out = forward(inputs.apply(tape));
      Tensor lossWeights = lossWeights(targets, weights, s);
      double lossSum = Loss.weightedSum(loss.perSample(out, targets), lossWeights).value().item();
      float[] o = out.value().toFloatArray();
      float[] t = targets.toFloatArray();
      float[] w = weights == null ? null : weights.toFloatArray();
      if (tally != null) {
        tally.add(o, t, w, rows);
      }
      int width = rows == 0 ? 0 : o.length / rows;
      double metric = 0;
      double weightSum = 0;
      for (int r = 0; r < rows; r++) {
        double wr = w == null ? 1 : w[r];
        weightSum += wr;
        if (classification) {
          int best = 0;
          for (int j = 1; j < width; j++) {
            if (o[r * width + j] > o[r * width + best]) {
              best = j;
            }
          }
          metric += best == (int) t[r] ? wr : 0;
        } else {
          double se = 0;
          for (int j = 0; j < width; j++) {
            double d = o[r * width + j] - t[r * width + j];
            se += d * d;
          }
          metric += wr * se;
        }
      }
      return new EvalStats(lossSum, lossWeights == weights ? weightSum : sum(lossWeights, s), metric, rows);
    }
  }

  private static double sum(Tensor t, Scope s) {
    Tensor out = s.allocate(t.dtype(), Shape.scalar());
    Backend.of(t).reduce(org.sparkdl.backend.ReduceOp.SUM, t, out);
    return out.item();
  }

  /** One optimizer step on the accumulated gradients, averaged over {@code totalWeight}. */
  public void applyGradients(double totalWeight) {
    if (!(totalWeight > 0)) {
      throw new IllegalArgumentException("The total sample weight of a step must be > 0, found " + totalWeight + ".");
    }
    optimizer.step(1.0 / totalWeight);
  }

  /** Zero, accumulate, step: one training step on one batch. */
  public BatchStats trainBatch(Tensor features, Tensor targets, Tensor weights) {
    zeroGradients();
    BatchStats s = accumulateGradients(features, targets, weights);
    applyGradients(s.weightSum());
    return s;
  }

  /**
   * One pass over {@code data} in mini-batches of {@code batchSize}, rows shuffled by a seeded
   * permutation of {@code epochSeed} (or in order when it is negative).
   */
  public BatchStats trainEpoch(InMemoryDataset data, int batchSize, long epochSeed) {
    int rows = data.rows();
    int[] order = permutation(rows, epochSeed);
    Backend be = Backend.of(network.parameters().values());
    DType dt = network.parameters().values().dtype();
    BatchStats total = BatchStats.ZERO;
    int per = data.sampleShape().size();
    int tper = data.targetShape().size();
    for (int start = 0; start < rows; start += batchSize) {
      int n = Math.min(batchSize, rows - start);
      float[] xb = new float[n * per];
      float[] yb = new float[n * tper];
      float[] wb = data.weights() == null ? null : new float[n];
      for (int i = 0; i < n; i++) {
        int r = order[start + i];
        System.arraycopy(data.features(), r * per, xb, i * per, per);
        System.arraycopy(data.targets(), r * tper, yb, i * tper, tper);
        if (wb != null) {
          wb[i] = data.weights()[r];
        }
      }
      try (Scope b = be.openScope("epoch-batch")) {
        Tensor x = b.of(dt, data.sampleShape().prepend(n), xb);
        Tensor y = b.of(dt, data.targetShape().prepend(n), yb);
        Tensor w = wb == null ? null : b.of(dt, Shape.of(n), wb);
        total = total.plus(trainBatch(x, y, w));
      }
    }
    return total;
  }

  /**
   * Trains for {@code epochs} passes, logging the mean loss per epoch at INFO; returns the mean
   * loss of each epoch.
   */
  public List<Double> fit(InMemoryDataset data, int batchSize, int epochs) {
    List<Double> history = new ArrayList<>();
    for (int e = 1; e <= epochs; e++) {
      long t0 = System.nanoTime();
      BatchStats s = trainEpoch(data, batchSize, seed * 7919 + e);
      history.add(s.meanLoss());
      LOG.info("Epoch {}/{}: loss {} over {} rows in {} ms", e, epochs, String.format("%.5f", s.meanLoss()), s.rows(),
          (System.nanoTime() - t0) / 1_000_000);
    }
    return history;
  }

  /** Forward pass in inference mode over {@code features}, in batches; returns the outputs row-major. */
  public float[] predict(InMemoryDataset data, int batchSize) {
    return Inference.predict(network, data.features(), data.sampleShape(), batchSize);
  }

  private static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    if (seed >= 0) {
      java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
      for (int i = n - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
    }
    return p;
  }

  /** Frees the optimizer state; the network is left to its owner. */
  @Override
  public void close() {
    optimizer.close();
    scope.close();
  }
}
