package org.sparkdl.ml;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code flaky:}, whose next {@link #FAILURES} file
 * creations fail as a transient remote-store error would; for tests of retries.
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
  /** How many of the next file creations fail. */
  static final AtomicInteger FAILURES = new AtomicInteger();
  /** How many creations failed so far. */
  static final AtomicInteger FAILED = new AtomicInteger();

  @Override
  public URI getUri() {
    return URI.create("flaky:///");
  }

  @Override
  public String getScheme() {
    return "flaky";
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
      long blockSize, Progressable progress) throws IOException {
    maybeFail();
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
      Progressable progress) throws IOException {
    maybeFail();
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  private static void maybeFail() throws IOException {
    if (FAILURES.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      FAILED.incrementAndGet();
      throw new IOException("injected: the store is briefly unavailable");
    }
  }
}
