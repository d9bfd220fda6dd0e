package org.sparkdl.hadoop;

import java.io.IOException;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The local file system, except that a rename whose source name contains one of the substrings
 * listed in {@link #FAIL_FROM} fails: by returning {@code false}, or by throwing when
 * {@link #THROW} is set. Installed as {@code fs.file.impl} with caching off, it lets tests fail the
 * renames of {@link AtomicDirectoryWriter} on a real file system.
 */
public class FlakyRenameFileSystem extends LocalFileSystem {
  /** Comma-separated substrings of source names whose rename fails. */
  static final String FAIL_FROM = "test.rename.failFrom";

  /** Whether a failing rename throws instead of returning false. */
  static final String THROW = "test.rename.throw";

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    for (String part : getConf().getTrimmedStrings(FAIL_FROM)) {
      if (src.getName().contains(part)) {
        if (getConf().getBoolean(THROW, false)) {
          throw new IOException("injected failure renaming " + src.getName());
        }
        return false;
      }
    }
    return super.rename(src, dst);
  }
}
