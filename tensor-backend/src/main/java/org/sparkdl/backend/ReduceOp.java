package org.sparkdl.backend;

/** Reductions over the axes where the output has size 1 and the input does not. */
public enum ReduceOp {
  SUM,
  MEAN,
  MAX,
  /** Sum of squares, for norms. */
  SUM_SQUARES
}
