package org.sparkdl.ml;

import java.io.Serializable;

/**
 * One Arrow IPC batch of a fit's encoded data, the element of the persisted encoded RDD: one per
 * batch rather than one per partition, so that Spark can cache or spill a partition batch by batch
 * and a training task can decode each batch to off-heap memory as it reads it, holding one
 * batch's bytes on the heap at a time.
 *
 * @param partition the input partition the rows came from
 * @param validation whether the rows are validation rows
 * @param index the batch's position in its partition's split (0, 1, ...)
 * @param rows the batch's number of rows
 * @param ipc the Arrow IPC stream ({@link org.sparkdl.arrow.ArrowBatch#read(byte[])} reads it)
 */
record EncodedBatch(int partition, boolean validation, int index, int rows, byte[] ipc) implements Serializable {
  private static final long serialVersionUID = 1L;
}
