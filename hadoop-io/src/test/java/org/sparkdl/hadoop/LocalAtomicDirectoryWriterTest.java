package org.sparkdl.hadoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AtomicDirectoryWriter} on the local file system, including failed renames. */
class LocalAtomicDirectoryWriterTest extends AtomicDirectoryWriterContract {
  @TempDir java.nio.file.Path tmp;

  private final Configuration conf = new Configuration();
  private final AtomicInteger dirs = new AtomicInteger();

  @Override
  protected Configuration conf() {
    return conf;
  }

  /** An absolute path without a scheme, resolved against the default file system, file:///. */
  @Override
  protected String newBaseDir() throws IOException {
    return Files.createDirectory(tmp.resolve("base" + dirs.incrementAndGet())).toString();
  }

  /** A configuration whose file: scheme fails renames from names containing {@code failFrom}. */
  private static Configuration flaky(String failFrom, boolean throwing) {
    Configuration c = new Configuration();
    c.setClass("fs.file.impl", FlakyRenameFileSystem.class, FileSystem.class);
    c.setBoolean("fs.file.impl.disable.cache", true);
    c.set(FlakyRenameFileSystem.FAIL_FROM, failFrom);
    c.setBoolean(FlakyRenameFileSystem.THROW, throwing);
    return c;
  }

  @Test
  void acceptsAQualifiedFileUri() throws IOException {
    String dest = "file://" + newBaseDir() + "/model";
    AtomicDirectoryWriter.write(conf, dest, false, model("v1"));
    assertEquals(modelContents("v1"), contents(FileSystem.getLocal(conf), new Path(dest)));
    AtomicDirectoryWriter.write(conf, dest, true, model("v2"));
    assertEquals(modelContents("v2"), contents(FileSystem.getLocal(conf), new Path(dest)));
  }

  @Test
  void refusesTheRootOfAFileSystem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AtomicDirectoryWriter.write(conf, "file:///", true, model("v1")));
    assertEquals("Destination file:/// is the root of its file system; name a directory below it.", e.getMessage());
  }

  @Test
  void aFailedRenameIntoPlaceLeavesNoDestination() throws IOException {
    String base = newBaseDir();
    String dest = base + "/model";
    IOException e = assertThrows(IOException.class,
        () -> AtomicDirectoryWriter.write(flaky(".tmp-", false), dest, false, model("v1")));
    assertTrue(e.getMessage().matches("Could not write \\Q" + dest + "\\E; nothing was written there: renaming "
        + "file:\\Q" + base + "\\E/\\.model\\.tmp-[0-9a-f-]{36} to file:\\Q" + dest + "\\E failed\\."), e.getMessage());
    FileSystem fs = FileSystem.getLocal(conf);
    assertFalse(fs.exists(new Path(dest)));
    assertEquals(List.of(), names(fs, new Path(base)));
  }

  @Test
  void aFailedRenameIntoPlaceMovesThePreviousDirectoryBack() throws IOException {
    String base = newBaseDir();
    String dest = base + "/model";
    AtomicDirectoryWriter.write(conf, dest, false, model("v1"));
    IOException e = assertThrows(IOException.class,
        () -> AtomicDirectoryWriter.write(flaky(".tmp-", true), dest, true, model("v2")));
    assertTrue(e.getMessage().matches("Could not write \\Q" + dest + "\\E; the previous directory is unchanged: "
        + "injected failure renaming \\.model\\.tmp-[0-9a-f-]{36}"), e.getMessage());
    FileSystem fs = FileSystem.getLocal(conf);
    assertEquals(modelContents("v1"), contents(fs, new Path(dest)));
    assertEquals(List.of("model"), names(fs, new Path(base)));
  }

  @Test
  void aFailedMoveAsideLeavesThePreviousDirectoryInPlace() throws IOException {
    String base = newBaseDir();
    String dest = base + "/model";
    AtomicDirectoryWriter.write(conf, dest, false, model("v1"));
    IOException e = assertThrows(IOException.class,
        () -> AtomicDirectoryWriter.write(flaky("model", false), dest, true, model("v2")));
    assertTrue(e.getMessage().matches("Could not write \\Q" + dest + "\\E; the previous directory is unchanged: "
        + "renaming the existing file:\\Q" + dest + "\\E aside to file:\\Q" + base
        + "\\E/\\.model\\.old-[0-9a-f-]{36} failed\\."), e.getMessage());
    FileSystem fs = FileSystem.getLocal(conf);
    assertEquals(modelContents("v1"), contents(fs, new Path(dest)));
    assertEquals(List.of("model"), names(fs, new Path(base)));
  }

  @Test
  void saysWhereThePreviousDirectoryIsWhenItCannotBeMovedBack() throws IOException {
    String base = newBaseDir();
    String dest = base + "/model";
    AtomicDirectoryWriter.write(conf, dest, false, model("v1"));
    IOException e = assertThrows(IOException.class,
        () -> AtomicDirectoryWriter.write(flaky(".tmp-, .old-", false), dest, true, model("v2")));
    FileSystem fs = FileSystem.getLocal(conf);
    List<String> left = names(fs, new Path(base));
    assertEquals(1, left.size(), left.toString());
    assertTrue(left.get(0).matches("\\.model\\.old-[0-9a-f-]{36}"), left.get(0));
    assertTrue(e.getMessage().startsWith("Could not write " + dest + "; moving the previous directory back failed, "
        + "it is at file:" + base + "/" + left.get(0) + ": renaming "), e.getMessage());
    assertEquals("moving the previous version back from file:" + base + "/" + left.get(0) + " to file:" + dest
        + " failed; it is still at file:" + base + "/" + left.get(0) + ".",
        e.getCause().getSuppressed()[0].getMessage());
    assertEquals(modelContents("v1"), contents(fs, new Path(base, left.get(0))));
  }
}
