/**
 * Persistence on any Hadoop file system (HDFS, S3A, local): saved models and checkpoints written
 * atomically, random-access reads of their weight files, and readers for the dataset formats deep
 * learning users bring.
 *
 * <ul>
 *   <li>{@link org.sparkdl.hadoop.AtomicDirectoryWriter} writes a directory into a hidden temporary
 *       sibling and renames it to its destination only when complete; an overwrite keeps the
 *       previous directory until the new one is in place.
 *   <li>{@link org.sparkdl.hadoop.HadoopFiles} opens a file as a {@code SeekableByteChannel} for the
 *       safetensors reader and reads and writes small UTF-8 files such as {@code network.json}.
 *   <li>{@link org.sparkdl.hadoop.IdxReader} reads IDX files (MNIST), plain or gzipped, into an
 *       {@link org.sparkdl.hadoop.IdxArray}.
 * </ul>
 *
 * <p>Malformed or missing files surface as {@link org.sparkdl.io.ModelFileException}, whose message
 * starts with the file's path. Nothing here depends on Spark; Hadoop's client is expected on the
 * class path, as a Spark cluster provides it.
 */
package org.sparkdl.hadoop;
