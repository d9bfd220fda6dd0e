package org.sparkdl.spec;

import java.util.List;

/**
 * A family of layer types (dense and friends, convolutions, normalisations, recurrent layers,
 * attention), as PyTorch keeps {@code linear.py}, {@code conv.py} and {@code rnn.py}: the family
 * that owns a layer registers its JSON mapping, and the package that implements the layers builds
 * them from the same registration, so a new layer type touches one family.
 *
 * <p>Families are service providers: each is listed in
 * {@code META-INF/services/org.sparkdl.spec.LayerFamily} and needs a public no-argument
 * constructor. The spec finds them once per JVM, on first use, with the class loader that loaded
 * this interface (not the thread's), so that Spark executors and jars added with {@code --jars}
 * see the same families as the driver. A tag or a record registered twice, or a layer record that
 * no family registers, makes that first use fail with an {@link IllegalStateException}.
 *
 * <p>Construction and {@link #layerTypes()} must be cheap and free of side effects, and must not
 * read or write specs (the registry is being built while they run).
 */
public interface LayerFamily {
  /** The JSON mapping of every layer type of this family, one per record class. */
  List<LayerType<?>> layerTypes();
}
