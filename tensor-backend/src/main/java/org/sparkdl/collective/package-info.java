/**
 * Collective communication among the tasks of a data-parallel fit: {@link
 * org.sparkdl.collective.Collective} (allreduce, broadcast, barrier) and its TCP implementation,
 * {@link org.sparkdl.collective.TcpCollective}, which reduces up a binary tree and broadcasts down
 * it for small messages, and runs a ring reduce-scatter and all-gather for large ones. Nothing here
 * knows Spark: ranks find each other through addresses their caller exchanges (the Spark trainer
 * uses {@code BarrierTaskContext.allGather}).
 */
package org.sparkdl.collective;
