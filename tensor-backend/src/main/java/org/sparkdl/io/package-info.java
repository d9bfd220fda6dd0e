/**
 * Model weight files in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
 * byte range, then the raw little-endian tensor data.
 *
 * <p>{@link org.sparkdl.io.SafeTensorsWriter} writes such files from (possibly off-heap) buffers;
 * {@link org.sparkdl.io.SafeTensorsReader} opens them, treating every file as hostile: all format
 * rules are checked before anything proportional to a declared size is allocated, and every
 * violation is reported as a {@link org.sparkdl.io.ModelFileException} naming the file and the facts.
 */
package org.sparkdl.io;
