package org.sparkdl.hadoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.sparkdl.hadoop.AtomicDirectoryWriter.DirectoryBody;

/**
 * What {@link AtomicDirectoryWriter} promises on every file system; subclasses supply one. Each test
 * works in a fresh base directory and checks that no temporary sibling is left behind.
 */
abstract class AtomicDirectoryWriterContract {

  /** The configuration that selects the file system under test. */
  protected abstract Configuration conf();

  /** A fresh, existing, empty directory, as the string a user would pass (qualified or not). */
  protected abstract String newBaseDir() throws IOException;

  /** A two-file model directory whose contents name {@code version}. */
  static DirectoryBody model(String version) {
    return (fs, dir) -> {
      HadoopFiles.writeUtf8(fs, new Path(dir, "network.json"), "{\"version\":\"" + version + "\"}");
      HadoopFiles.writeUtf8(fs, new Path(dir, "metadata/part-00000"), "metadata " + version);
    };
  }

  static Map<String, String> modelContents(String version) {
    return Map.of("network.json", "{\"version\":\"" + version + "\"}", "metadata/part-00000", "metadata " + version);
  }

  /** Every file under {@code dir}, by relative path, with its text. */
  static Map<String, String> contents(FileSystem fs, Path dir) throws IOException {
    Path root = fs.makeQualified(dir);
    Map<String, String> out = new TreeMap<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
    while (files.hasNext()) {
      Path p = files.next().getPath();
      String relative = p.toUri().getPath().substring(root.toUri().getPath().length() + 1);
      out.put(relative, HadoopFiles.readUtf8(fs, p, 1 << 20));
    }
    return out;
  }

  /** The names directly under {@code dir}, hidden ones included. */
  static List<String> names(FileSystem fs, Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      out.add(s.getPath().getName());
    }
    out.sort(null);
    return out;
  }

  private FileSystem fs(String path) throws IOException {
    return new Path(path).getFileSystem(conf());
  }

  @Test
  void writesTheDirectoryAndCreatesMissingParents() throws IOException {
    String base = newBaseDir();
    String dest = base + "/a/b/model";
    AtomicDirectoryWriter.write(conf(), dest, false, model("v1"));
    FileSystem fs = fs(dest);
    assertEquals(modelContents("v1"), contents(fs, new Path(dest)));
    assertEquals(List.of("model"), names(fs, new Path(base + "/a/b")));
  }

  @Test
  void givesTheBodyAnEmptyHiddenSiblingOfTheDestination() throws IOException {
    String dest = newBaseDir() + "/model";
    AtomicDirectoryWriter.write(conf(), dest, false, (fs, dir) -> {
      assertTrue(dir.getName().startsWith(".model.tmp-"), dir.getName());
      assertEquals(fs.makeQualified(new Path(dest)).getParent(), dir.getParent());
      assertEquals(0, fs.listStatus(dir).length);
      model("v1").write(fs, dir);
    });
    assertEquals(modelContents("v1"), contents(fs(dest), new Path(dest)));
  }

  @Test
  void refusesAnExistingDestinationWithoutOverwriteBeforeCallingTheBody() throws IOException {
    String base = newBaseDir();
    String dest = base + "/model";
    AtomicDirectoryWriter.write(conf(), dest, false, model("v1"));
    AtomicBoolean called = new AtomicBoolean();
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
        () -> AtomicDirectoryWriter.write(conf(), dest, false, (fs, dir) -> called.set(true)));
    assertEquals("Path " + dest + " already exists. To overwrite it, please use write.overwrite().save(path) "
        + "for Scala and use write().overwrite().save(path) for Java and Python.", e.getMessage());
    assertFalse(called.get());
    FileSystem fs = fs(dest);
    assertEquals(modelContents("v1"), contents(fs, new Path(dest)));
    assertEquals(List.of("model"), names(fs, new Path(base)));
  }

  @Test
  void overwriteReplacesTheWholePreviousDirectory() throws IOException {
    String base = newBaseDir();
    String dest = base + "/model";
    AtomicDirectoryWriter.write(conf(), dest, false, (fs, dir) -> {
      model("v1").write(fs, dir);
      HadoopFiles.writeUtf8(fs, new Path(dir, "only-in-v1.txt"), "stale");
    });
    AtomicDirectoryWriter.write(conf(), dest, true, model("v2"));
    FileSystem fs = fs(dest);
    assertEquals(modelContents("v2"), contents(fs, new Path(dest)));
    assertEquals(List.of("model"), names(fs, new Path(base)));
  }

  @Test
  void aBodyFailingHalfWayLeavesNoDestination() throws IOException {
    String base = newBaseDir();
    String dest = base + "/model";
    IOException cause = new IOException("disk quota exceeded");
    IOException e = assertThrows(IOException.class, () -> AtomicDirectoryWriter.write(conf(), dest, false,
        (fs, dir) -> {
          HadoopFiles.writeUtf8(fs, new Path(dir, "network.json"), "{}");
          throw cause;
        }));
    assertEquals("Could not write " + dest + "; nothing was written there: disk quota exceeded", e.getMessage());
    assertSame(cause, e.getCause());
    FileSystem fs = fs(dest);
    assertFalse(fs.exists(new Path(dest)));
    assertEquals(List.of(), names(fs, new Path(base)));
  }

  @Test
  void aBodyFailingHalfWayWhileOverwritingLeavesThePreviousDirectoryIntact() throws IOException {
    String base = newBaseDir();
    String dest = base + "/model";
    AtomicDirectoryWriter.write(conf(), dest, false, model("v1"));
    IOException e = assertThrows(IOException.class, () -> AtomicDirectoryWriter.write(conf(), dest, true,
        (fs, dir) -> {
          HadoopFiles.writeUtf8(fs, new Path(dir, "network.json"), "{\"version\":\"v2\"}");
          throw new IOException("disk quota exceeded");
        }));
    assertEquals("Could not write " + dest + "; the previous directory is unchanged: disk quota exceeded",
        e.getMessage());
    FileSystem fs = fs(dest);
    assertEquals(modelContents("v1"), contents(fs, new Path(dest)));
    assertEquals(List.of("model"), names(fs, new Path(base)));
  }

  @Test
  void anUncheckedFailureOfTheBodyPropagatesUnchangedAndLeavesNothing() throws IOException {
    String base = newBaseDir();
    String dest = base + "/model";
    IllegalStateException failure = new IllegalStateException("network is closed");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> AtomicDirectoryWriter.write(conf(), dest, false, (fs, dir) -> {
          model("v1").write(fs, dir);
          throw failure;
        }));
    assertSame(failure, e);
    assertEquals(List.of(), names(fs(dest), new Path(base)));
  }
}
