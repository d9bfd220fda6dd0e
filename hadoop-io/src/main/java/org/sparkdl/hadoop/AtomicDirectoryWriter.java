package org.sparkdl.hadoop;

import java.io.IOException;
import java.util.Objects;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a directory (a saved model, a checkpoint) on any Hadoop {@link FileSystem} so that readers
 * of the destination path see either the complete new directory or what was there before, never a
 * half-written one.
 *
 * <p>The {@link DirectoryBody} writes into a fresh hidden sibling of the destination,
 * {@code .<name>.tmp-<uuid>}; only when it returns normally is that directory renamed to the
 * destination. Names starting with {@code .} are skipped by Hadoop's and Spark's file listings, so a
 * directory scan of the parent never picks up a write in progress. With {@code overwrite}, an
 * existing destination is first renamed aside to {@code .<name>.old-<uuid>}, the new directory is
 * renamed in, and only then is the old one deleted; if renaming the new one in fails, the old one is
 * moved back.
 *
 * <p>On failure the temporary directory is deleted and the destination is as it was: absent, or the
 * previous directory with its files untouched. Parent directories created for the destination stay.
 *
 * <p>How atomic the final step is depends on the file system's rename. On HDFS and local file
 * systems a directory rename is a single metadata operation. On object stores such as S3A a rename
 * is a copy of every object followed by a delete, so a reader listing the destination during that
 * copy may see part of it, and a crash in the middle can leave the hidden temporary directory
 * behind; what this class guarantees there is only that a failure reported by the store leaves
 * nothing at the destination that the body did not finish. Concurrent writers to one destination
 * are not coordinated; the last rename wins.
 *
 * <p>The writer uses the file system that {@code Path.getFileSystem(conf)} returns, which is
 * usually Hadoop's shared cached instance, and therefore never closes it.
 */
public final class AtomicDirectoryWriter {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicDirectoryWriter.class);

  private AtomicDirectoryWriter() {}

  /**
   * What fills the directory. Called once, with a directory that exists, is empty and belongs to
   * this write alone; the body creates files and subdirectories under it through {@code fs} and
   * closes every stream it opens before returning. After the body returns or throws, the directory
   * is renamed or deleted, so the body must not keep references to it.
   */
  @FunctionalInterface
  public interface DirectoryBody {
    /**
     * Writes the directory's contents.
     *
     * @param fs the file system the destination lives on
     * @param directory the fully qualified temporary directory to write into
     * @throws IOException if writing fails; nothing reaches the destination then
     */
    void write(FileSystem fs, Path directory) throws IOException;
  }

  /**
   * Writes a directory at {@code destination} through {@code body}, atomically as far as the file
   * system's rename allows (see the class comment). Missing parent directories are created.
   *
   * @param conf the Hadoop configuration that selects and configures the file system
   * @param destination the directory to create: qualified ({@code hdfs://nn:8020/models/m},
   *     {@code s3a://bucket/m}, {@code file:/tmp/m}) or not, in which case it is resolved against the
   *     default file system ({@code fs.defaultFS}) and its working directory
   * @param overwrite whether an existing destination is replaced; if {@code false}, an existing
   *     destination fails the write before {@code body} is called
   * @param body writes the contents into the temporary directory it is given
   * @throws FileAlreadyExistsException if the destination exists and {@code overwrite} is
   *     {@code false}, with the wording of Spark's {@code MLWriter.save}
   * @throws IOException if the body or a file system operation fails, as an {@code IOException}
   *     whose message names the destination and says what is left there, and whose cause is the
   *     failure
   * @throws RuntimeException what {@code body} throws unchecked, unchanged, after the temporary
   *     directory has been removed
   * @throws IllegalArgumentException if {@code destination} is a file system root
   */
  public static void write(Configuration conf, String destination, boolean overwrite, DirectoryBody body)
      throws IOException {
    Objects.requireNonNull(conf, "conf");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(body, "body");
    Path given = new Path(destination);
    FileSystem fs = given.getFileSystem(conf);
    Path dest = fs.makeQualified(given);
    Path parent = dest.getParent();
    if (parent == null) {
      throw new IllegalArgumentException(
          "Destination " + destination + " is the root of its file system; name a directory below it.");
    }
    boolean replacing = fs.exists(dest);
    if (replacing && !overwrite) {
      // The wording of Spark's MLWriter, so that users see one message whichever writer they hit.
      throw new FileAlreadyExistsException("Path " + destination + " already exists. To overwrite it, please use "
          + "write.overwrite().save(path) for Scala and use write().overwrite().save(path) for Java and Python.");
    }
    String id = UUID.randomUUID().toString();
    Path tmp = new Path(parent, "." + dest.getName() + ".tmp-" + id);
    if (!fs.mkdirs(tmp)) {
      throw new IOException("Could not write " + destination + ": creating the temporary directory " + tmp
          + " failed.");
    }
    try {
      body.write(fs, tmp);
    } catch (IOException e) {
      deleteQuietly(fs, tmp, e);
      throw new IOException(
          "Could not write " + destination + "; " + stateAfterFailure(replacing) + ": " + describe(e), e);
    } catch (RuntimeException | Error e) {
      deleteQuietly(fs, tmp, e);
      throw e;
    }
    Path old = new Path(parent, "." + dest.getName() + ".old-" + id);
    try {
      if (replacing) {
        replace(fs, tmp, dest, old);
      } else {
        moveIn(fs, tmp, dest);
      }
    } catch (IOException | RuntimeException e) {
      deleteQuietly(fs, tmp, e);
      throw new IOException("Could not write " + destination + "; " + stateAfterFailure(fs, replacing, old)
          + ": " + describe(e), e);
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  private static String stateAfterFailure(boolean replacing) {
    return replacing ? "the previous directory is unchanged" : "nothing was written there";
  }

  /** Says where the previous version is after a failed rename, looking rather than assuming. */
  private static String stateAfterFailure(FileSystem fs, boolean replacing, Path old) {
    try {
      if (replacing && fs.exists(old)) {
        return "moving the previous directory back failed, it is at " + old;
      }
    } catch (IOException | RuntimeException e) {
      return "the previous directory may be at " + old;
    }
    return stateAfterFailure(replacing);
  }

  /** Moves the existing destination aside, the new directory in, then deletes the old one. */
  private static void replace(FileSystem fs, Path tmp, Path dest, Path old) throws IOException {
    if (!fs.rename(dest, old)) {
      throw new IOException("renaming the existing " + dest + " aside to " + old + " failed.");
    }
    try {
      moveIn(fs, tmp, dest);
    } catch (IOException | RuntimeException | Error e) {
      restore(fs, old, dest, e);
      throw e;
    }
    try {
      if (!fs.delete(old, true)) {
        LOG.warn("{} was written; deleting the previous version, moved aside to {}, failed. Delete it by hand.",
            dest, old);
      }
    } catch (IOException e) {
      LOG.warn("{} was written; deleting the previous version, moved aside to {}, failed. Delete it by hand.",
          dest, old, e);
    }
  }

  /**
   * Renames {@code tmp} to {@code dest}, which did not exist a moment ago. Hadoop's rename moves a
   * directory into an existing directory of the target name, so a destination created in between by
   * someone else is detected afterwards and the move undone.
   */
  private static void moveIn(FileSystem fs, Path tmp, Path dest) throws IOException {
    if (!fs.rename(tmp, dest)) {
      throw new IOException("renaming " + tmp + " to " + dest + " failed.");
    }
    Path nested = new Path(dest, tmp.getName());
    if (fs.exists(nested)) {
      if (!fs.rename(nested, tmp)) {
        LOG.warn("{} was created by another writer meanwhile; moving this write's directory {} back out failed.",
            dest, nested);
      }
      throw new IOException(dest + " was created by another writer while this one was writing.");
    }
  }

  /** Moves the previous directory back after the new one could not be renamed in. */
  private static void restore(FileSystem fs, Path old, Path dest, Throwable failure) {
    try {
      if (fs.exists(dest) || !fs.rename(old, dest)) {
        failure.addSuppressed(new IOException(
            "moving the previous version back from " + old + " to " + dest + " failed; it is still at " + old + "."));
      }
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private static void deleteQuietly(FileSystem fs, Path tmp, Throwable failure) {
    try {
      if (fs.exists(tmp) && !fs.delete(tmp, true)) {
        failure.addSuppressed(new IOException("deleting the temporary directory " + tmp + " failed."));
      }
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
