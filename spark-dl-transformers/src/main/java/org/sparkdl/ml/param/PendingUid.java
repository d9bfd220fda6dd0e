package org.sparkdl.ml.param;

/**
 * Makes a stage's uid visible while its Spark superclass is being constructed. Spark's Scala
 * classes create their params (featuresCol, ...) in their constructors and ask the stage for its
 * uid there; a Java subclass has not assigned its own field yet at that point. The public
 * constructor therefore delegates as {@code this(PendingUid.stash(uid))}: the argument is evaluated
 * before the superclass constructor runs, and {@code uid()} answers {@link #during} until the field
 * is set.
 */
public final class PendingUid {
  private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

  private PendingUid() {}

  /** A uid on its way into a constructor. */
  public record Token(String uid) {}

  /** Records {@code uid} for the superclass constructor about to run on this thread. */
  public static Token stash(String uid) {
    PENDING.set(uid);
    return new Token(uid);
  }

  /** {@code assigned} once set, else the uid stashed for the constructor running on this thread. */
  public static String during(String assigned) {
    return assigned != null ? assigned : PENDING.get();
  }

  /** Called at the end of the constructor. */
  public static String take(Token token) {
    PENDING.remove();
    return token.uid();
  }
}
