/**
 * The network spec: a plain-data description of a neural network as a DAG of named nodes, with a
 * typed builder, a canonical JSON form and shape inference. No tensors or math live here; the spec
 * is compiled into executable layers elsewhere.
 *
 * <h2>Model</h2>
 * A {@link org.sparkdl.spec.NetworkSpec} has {@link org.sparkdl.spec.InputSpec inputs}, then
 * {@link org.sparkdl.spec.LayerSpec layers} in topological order (a layer may read only inputs and
 * earlier layers, so cycles cannot be written), then the names of its outputs. Shapes never include
 * the batch dimension: a feature vector of width 784 has shape {@code [784]}. The layer types are
 * the records {@link org.sparkdl.spec.Dense}, {@link org.sparkdl.spec.Activation},
 * {@link org.sparkdl.spec.Dropout}, {@link org.sparkdl.spec.Add}, {@link org.sparkdl.spec.Concat},
 * {@link org.sparkdl.spec.Reshape}, {@link org.sparkdl.spec.Flatten}, the convolutions
 * {@link org.sparkdl.spec.Conv1d} and {@link org.sparkdl.spec.Conv2d} (images are
 * {@code [channels, height, width]}, sequences {@code [channels, length]}), the pooling layers
 * {@link org.sparkdl.spec.MaxPool2d}, {@link org.sparkdl.spec.AvgPool2d} and
 * {@link org.sparkdl.spec.GlobalAvgPool}, the normalisations {@link org.sparkdl.spec.BatchNorm}
 * and {@link org.sparkdl.spec.LayerNorm}, and for sequences {@code [steps, features]}
 * {@link org.sparkdl.spec.MultiHeadAttention}, {@link org.sparkdl.spec.PositionalEmbedding} and
 * {@link org.sparkdl.spec.SequenceMeanPool} (the Transformer encoder block is written as these
 * plus dense, add and layer norm layers by {@link org.sparkdl.spec.NetworkSpec.Builder#addTransformerEncoder});
 * each states its shape rule.
 *
 * <h2>Validity</h2>
 * Constructing a record validates it, and constructing a {@code NetworkSpec} validates the whole
 * network including shape inference, so every instance is valid and every error surfaces as a
 * {@link org.sparkdl.spec.SpecException} naming the layer (and shapes) concerned, at build or parse
 * time.
 *
 * <h2>JSON</h2>
 * <pre>{@code
 * {
 *   "format_version" : 1,
 *   "inputs" : [ { "name" : "features", "shape" : [ 784 ] } ],
 *   "layers" : [
 *     { "type" : "dense", "name" : "dense_1", "inputs" : [ "features" ], "units" : 128, "bias" : true, "init" : "he_uniform" },
 *     { "type" : "activation", "name" : "relu_1", "inputs" : [ "dense_1" ], "function" : "relu" },
 *     { "type" : "dense", "name" : "dense_2", "inputs" : [ "relu_1" ], "units" : 10, "bias" : true, "init" : "glorot_uniform" }
 *   ],
 *   "outputs" : [ "dense_2" ]
 * }
 * }</pre>
 * {@link org.sparkdl.spec.NetworkSpec#toJson()} writes this canonical form (fixed key order, every
 * default spelled out), so parsing and writing again round-trips exactly. The reader accepts
 * omitted optional fields and omitted layer {@code "inputs"} (meaning the previous node) and rejects
 * everything else it does not know, including misspelled field names. Each type's tag, fields,
 * reader and writer are a {@link org.sparkdl.spec.LayerType} registered by the
 * {@link org.sparkdl.spec.LayerFamily} that owns it, a service provider beside its layers;
 * {@link org.sparkdl.spec.NetworkSpec#layerFields()} lists every type's fields in canonical order.
 */
package org.sparkdl.spec;
