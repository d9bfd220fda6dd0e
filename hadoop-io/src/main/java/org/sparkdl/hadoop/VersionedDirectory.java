package org.sparkdl.hadoop;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory whose contents are replaced as a whole, safely for readers and crashes: each save
 * writes a complete version into a hidden folder inside it, {@code .tmp-v-<stamp>-<id>}, and
 * commits it by renaming it to {@code v-<stamp>-<id>} (a single metadata operation on HDFS and
 * local file systems); readers take the newest committed version ({@link #newest}). Older versions
 * and the leftovers of interrupted saves are removed by the next save, after its commit.
 *
 * <p>So a reader sees one complete save or, when a later save removes the version it was reading
 * part way through, a missing file: it resolves again and reads the newer one. A crash at any
 * instant leaves the previous version or the new one. Stamps are milliseconds, kept above the
 * newest existing version's, so that versions order by name; two concurrent savers both commit and
 * the later stamp wins.
 *
 * <p>On object stores (S3A) a directory rename copies every object, so a reader may still see a
 * version being committed; the readers' checksums catch that.
 */
public final class VersionedDirectory {
  /** The name prefix of a committed version. */
  public static final String VERSION_PREFIX = "v-";
  private static final String TMP_PREFIX = ".tmp-" + VERSION_PREFIX;
  private static final Logger LOG = LoggerFactory.getLogger(VersionedDirectory.class);

  private VersionedDirectory() {}

  /**
   * The newest committed version of {@code root}, or {@code null} when it holds none (a directory
   * written before versions existed, or only an interrupted first save).
   *
   * @throws IOException when {@code root} cannot be listed
   */
  public static Path newest(FileSystem fs, Path root) throws IOException {
    FileStatus[] all;
    try {
      all = fs.listStatus(root);
    } catch (FileNotFoundException e) {
      return null;
    }
    return Arrays.stream(all).filter(s -> s.isDirectory() && s.getPath().getName().startsWith(VERSION_PREFIX))
        .map(FileStatus::getPath).max(Comparator.comparing(Path::getName)).orElse(null);
  }

  /**
   * Writes a new version of {@code destination} through {@code body} and commits it; returns the
   * committed version's path. Missing parents are created.
   *
   * @param overwrite whether a destination that holds a committed version, or any of {@code
   *     legacyNames}, may be replaced; without it such a destination fails before {@code body} runs
   * @param legacyNames files or folders of the unversioned layout this replaces: removed after the
   *     commit (they are what a reader falls back to when there is no version)
   * @param body writes the version into the folder it is given; it may also write beside it, in the
   *     folder's parent (the destination), what must be in place before the commit
   * @throws FileAlreadyExistsException with Spark's wording, when the destination holds a save and
   *     {@code overwrite} is false
   * @throws IOException when writing or committing fails; the previous version is then untouched
   */
  public static Path write(Configuration conf, String destination, boolean overwrite, List<String> legacyNames,
      AtomicDirectoryWriter.DirectoryBody body) throws IOException {
    Objects.requireNonNull(body, "body");
    Path given = new Path(destination);
    FileSystem fs = given.getFileSystem(conf);
    Path root = fs.makeQualified(given);
    if (root.getParent() == null) {
      throw new IllegalArgumentException("Destination " + destination + " is the root of its file system; name a directory"
          + " below it.");
    }
    if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
      throw new FileAlreadyExistsException("Path " + destination + " is a file; a model is saved as a directory.");
    }
    boolean created = !fs.exists(root);
    Path previous = newest(fs, root);
    boolean saved = previous != null || legacyNames.stream().anyMatch(n -> exists(fs, new Path(root, n)));
    if (saved && !overwrite) {
      throw new FileAlreadyExistsException("Path " + destination + " already exists. To overwrite it, please use "
          + "write.overwrite().save(path) for Scala and use write().overwrite().save(path) for Java and Python.");
    }
    long stamp = Math.max(System.currentTimeMillis(), previous == null ? 0 : stampOf(previous.getName()) + 1);
    String name = VERSION_PREFIX + String.format(Locale.ROOT, "%015d", stamp) + "-" + UUID.randomUUID().toString()
        .substring(0, 8);
    Path tmp = new Path(root, "." + "tmp-" + name);
    Path version = new Path(root, name);
    try {
      if (!fs.mkdirs(tmp)) {
        throw new IOException("creating " + tmp + " failed.");
      }
      body.write(fs, tmp);
      if (!fs.rename(tmp, version)) {
        throw new IOException("renaming " + tmp + " to " + version + " failed.");
      }
    } catch (IOException e) {
      deleteQuietly(fs, tmp, created ? root : null);
      throw new IOException("Could not write " + destination + "; " + (saved ? "the previous save is unchanged"
          : "nothing was saved there") + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    } catch (RuntimeException | Error e) {
      deleteQuietly(fs, tmp, created ? root : null);
      throw e;
    }
    removeOlder(fs, root, name, legacyNames);
    return version;
  }

  /** Removes the versions and interrupted saves older than {@code kept}, and the legacy layout's files. */
  private static void removeOlder(FileSystem fs, Path root, String kept, List<String> legacyNames) {
    try {
      for (FileStatus s : fs.listStatus(root)) {
        String n = s.getPath().getName();
        boolean older = (n.startsWith(VERSION_PREFIX) && n.compareTo(kept) < 0)
            || (n.startsWith(TMP_PREFIX) && n.substring(TMP_PREFIX.length()).compareTo(kept.substring(VERSION_PREFIX.length())) < 0);
        if (older || legacyNames.contains(n) || legacyNames.contains(n.replaceFirst("^\\.(.*)\\.crc$", "$1"))) {
          fs.delete(s.getPath(), true);
        }
      }
    } catch (IOException e) {
      LOG.warn("{} was saved as {}; removing older versions failed (they take space, nothing reads them): {}", root, kept,
          e.toString());
    }
  }

  private static long stampOf(String versionName) {
    try {
      return Long.parseLong(versionName.substring(VERSION_PREFIX.length(), versionName.indexOf('-', VERSION_PREFIX.length())));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static boolean exists(FileSystem fs, Path p) {
    try {
      return fs.exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  /** Deletes a failed save's folder, or all of {@code root} when this save created it (nothing else was there). */
  private static void deleteQuietly(FileSystem fs, Path p, Path root) {
    try {
      fs.delete(root != null ? root : p, true);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Deleting the failed save {} failed: {}", p, e.toString());
    }
  }
}
