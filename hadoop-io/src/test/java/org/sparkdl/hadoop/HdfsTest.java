package org.sparkdl.hadoop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkdl.io.ModelFileException;
import org.sparkdl.io.SafeTensorsReader;
import org.sparkdl.io.SafeTensorsWriter;
import org.sparkdl.io.TensorInfo;
import org.sparkdl.tensor.DType;

/**
 * Everything of this module on a real HDFS: an in-process MiniDFSCluster (one NameNode, one
 * DataNode, on 127.0.0.1), started once for the whole class, which also runs the writer's
 * contract. Blocks are 1 MiB so that a 3 MiB weight file spans several blocks and random reads
 * cross block boundaries.
 */
class HdfsTest extends AtomicDirectoryWriterContract {
  private static final int BLOCK_BYTES = 1 << 20;

  private static MiniDFSCluster cluster;
  private static FileSystem fs;
  private static String root;
  private static final AtomicInteger DIRS = new AtomicInteger();

  @BeforeAll
  static void startHdfs() throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs").getAbsolutePath());
    conf.setLong("dfs.blocksize", BLOCK_BYTES);
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
    root = fs.getUri().toString();
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  private static Path newDir() throws IOException {
    Path dir = new Path(root + "/test" + DIRS.incrementAndGet());
    assertTrue(fs.mkdirs(dir));
    return dir;
  }

  @Override
  protected Configuration conf() {
    return fs.getConf();
  }

  /** A qualified {@code hdfs://host:port/...} directory. */
  @Override
  protected String newBaseDir() throws IOException {
    return newDir().toString();
  }

  @Test
  void usesTheDistributedFileSystemOnLoopback() throws IOException {
    assertEquals("org.apache.hadoop.hdfs.DistributedFileSystem", fs.getClass().getName());
    assertTrue(InetAddress.getByName(fs.getUri().getHost()).isLoopbackAddress(), root);
  }

  @Test
  void resolvesAnUnqualifiedDestinationAgainstTheWorkingDirectory() throws IOException {
    String dest = "models/relative" + DIRS.incrementAndGet();
    AtomicDirectoryWriter.write(fs.getConf(), dest, false, model("v1"));
    Path expected = new Path(fs.getWorkingDirectory(), dest);
    assertEquals(modelContents("v1"), contents(fs, expected));
    // An absolute path without scheme and authority: the default file system, HDFS here.
    AtomicDirectoryWriter.write(fs.getConf(), expected.toUri().getPath(), true, model("v2"));
    assertEquals(modelContents("v2"), contents(fs, expected));
    assertEquals(List.of(expected.getName()), names(fs, expected.getParent()));
  }

  @Test
  void channelReadsAtAnyPositionThroughByteBufferReads() throws IOException {
    Path file = new Path(newDir(), "data.bin");
    HadoopFilesTest.checkRandomAccess(fs, file);
    try (FSDataInputStream in = fs.open(file)) {
      assertTrue(in.hasCapability(StreamCapabilities.READBYTEBUFFER), "HDFS streams read into ByteBuffers");
    }
  }

  @Test
  void safetensorsWrittenToHdfsReadBackThroughTheChannel() throws IOException {
    int big = 3 * BLOCK_BYTES / Float.BYTES + 5;
    ByteBuffer weight = ByteBuffer.allocateDirect(big * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < big; i++) {
      weight.putFloat(i * 0.5f - 7f);
    }
    weight.flip();
    ByteBuffer bias = ByteBuffer.allocate(3 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bias.putFloat(1f).putFloat(-2f).putFloat(3.5f).flip();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "test");
    Path dir = newDir();
    AtomicDirectoryWriter.write(fs.getConf(), new Path(dir, "model").toString(), false, (dfs, tmp) -> {
      try (OutputStream out = dfs.create(new Path(tmp, "weights.safetensors"))) {
        SafeTensorsWriter.write(out, List.of(
            SafeTensorsWriter.Entry.of("dense.weight", DType.FLOAT32, new long[] {big}, weight),
            SafeTensorsWriter.Entry.of("dense.bias", DType.FLOAT32, new long[] {3}, bias)), metadata);
      }
    });
    Path file = new Path(dir, "model/weights.safetensors");
    try (SafeTensorsReader reader = SafeTensorsReader.open(HadoopFiles.openChannel(fs, file), "weights.safetensors")) {
      assertEquals(fs.getFileStatus(file).getLen(), reader.fileLength());
      assertTrue(reader.fileLength() > 3 * BLOCK_BYTES);
      assertEquals(metadata, reader.metadata());
      assertEquals(List.of("dense.weight", "dense.bias"), reader.tensors().stream().map(TensorInfo::name).toList());
      // Backwards first: the bias lies after the weight.
      ByteBuffer b = ByteBuffer.allocate(3 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      reader.read("dense.bias", b);
      assertArrayEquals(new float[] {1f, -2f, 3.5f}, floats(b.flip()));
      ByteBuffer w = ByteBuffer.allocateDirect(big * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      reader.read("dense.weight", w);
      assertEquals(weight, w.flip());
      ByteBuffer piece = ByteBuffer.allocate(2 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      reader.read("dense.weight", (long) BLOCK_BYTES - Float.BYTES, piece);
      int first = BLOCK_BYTES / Float.BYTES - 1;
      assertArrayEquals(new float[] {first * 0.5f - 7f, (first + 1) * 0.5f - 7f}, floats(piece.flip()));
    }
  }

  private static float[] floats(ByteBuffer b) {
    float[] out = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(out);
    return out;
  }

  @Test
  void readsTextAndNamesMissingFiles() throws IOException {
    Path file = new Path(newDir(), "network.json");
    HadoopFiles.writeUtf8(fs, file, "{\"layers\":[784,10]}");
    assertEquals("{\"layers\":[784,10]}", HadoopFiles.readUtf8(fs, file, 100));
    ModelFileException e = assertThrows(ModelFileException.class, () -> HadoopFiles.readUtf8(fs, file, 10));
    assertEquals(file + ": 19 bytes; at most 10 are accepted.", e.getMessage());
    Path missing = new Path(file.getParent(), "weights.safetensors");
    e = assertThrows(ModelFileException.class, () -> HadoopFiles.openChannel(fs, missing));
    assertEquals(missing + ": does not exist.", e.getMessage());
    assertFalse(fs.exists(missing));
  }

  @Test
  void readsMnistFromHdfsGzippedAndPlain() throws IOException {
    Path dir = newDir();
    fs.copyFromLocalFile(IdxReaderTest.mnist("images-idx3-ubyte.gz"), new Path(dir, "images-idx3-ubyte.gz"));
    fs.copyFromLocalFile(IdxReaderTest.mnist("labels-idx1-ubyte.gz"), new Path(dir, "labels-idx1-ubyte.gz"));
    IdxReaderTest.checkMnistImages(IdxReader.read(fs, new Path(dir, "images-idx3-ubyte.gz")));
    IdxArray labels = IdxReader.read(fs, new Path(dir, "labels-idx1-ubyte.gz"));
    IdxReaderTest.checkMnistLabels(labels);
    try (OutputStream out = fs.create(new Path(dir, "labels-idx1-ubyte"))) {
      out.write(IdxReaderTest.idx(new int[] {10000}));
      out.write(labels.toBytes());
    }
    IdxReaderTest.checkMnistLabels(IdxReader.read(fs, new Path(dir, "labels-idx1-ubyte")));
  }
}
