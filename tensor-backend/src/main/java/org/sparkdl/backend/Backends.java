package org.sparkdl.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds backends by kind: {@code cpu}, {@code cuda}, or {@code auto} (the best that works here). */
public final class Backends {
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
  /** What {@code auto} resolved to in this JVM, so the choice is made and logged once. */
  private static volatile BackendProvider auto;

  private Backends() {}

  /** Every provider on the class path, best first. */
  public static List<BackendProvider> providers() {
    List<BackendProvider> list = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(list::add);
    list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
    return list;
  }

  /**
   * Resolves {@code kind} to an available provider. {@code auto} takes the highest-priority one
   * whose probe passes and logs which and why the others were passed over.
   *
   * @throws BackendException when the kind is unknown or cannot run here; the message lists the
   *     kinds and why each is unavailable
   */
  public static BackendProvider provider(String kind) {
    String k = kind.toLowerCase(Locale.ROOT);
    if (k.equals("auto") && auto != null) {
      return auto;
    }
    List<BackendProvider> all = providers();
    StringBuilder why = new StringBuilder();
    for (BackendProvider p : all) {
      if (!k.equals("auto") && !k.equals(p.kind())) {
        continue;
      }
      String problem = p.probe();
      if (problem == null) {
        if (k.equals("auto")) {
          LOG.info("Backend auto: using {}{}", p.kind(), why.length() == 0 ? "" : " (" + why + ")");
          auto = p;
        }
        return p;
      }
      why.append(why.length() == 0 ? "" : "; ").append(p.kind()).append(": ").append(problem);
    }
    StringBuilder available = new StringBuilder();
    for (BackendProvider p : all) {
      available.append(available.length() == 0 ? "" : ", ").append(p.kind());
    }
    throw new BackendException("Backend '" + kind + "' is not available"
        + (why.length() == 0 ? "" : " (" + why + ")") + "; known backends: auto, " + available + ".");
  }

  /** Creates a backend of {@code kind} on device 0. */
  public static Backend create(String kind) {
    return provider(kind).create(0);
  }
}
