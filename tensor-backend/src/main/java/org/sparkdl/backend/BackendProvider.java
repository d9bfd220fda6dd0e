package org.sparkdl.backend;

/**
 * Creates a backend of one kind, found through {@link java.util.ServiceLoader}. A provider must be
 * cheap to construct; {@link #probe()} says whether this JVM can run the backend (libraries load,
 * a device exists) and {@link #create(int)} builds it.
 */
public interface BackendProvider {
  /** The kind this provider makes: {@code "cpu"}, {@code "cuda"}. */
  String kind();

  /** Preference for {@code auto}: higher wins among available providers. */
  int priority();

  /** {@code null} when usable here, else the reason it is not (e.g. {@code "libcuda.so.1 not found"}). */
  String probe();

  /** A new backend on device {@code device} (ignored by host backends). */
  Backend create(int device);
}
