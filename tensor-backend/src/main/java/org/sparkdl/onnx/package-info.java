/**
 * ONNX model files: a network spec and its weights written as a standard ONNX graph ({@link
 * org.sparkdl.onnx.OnnxExporter}, opset {@value org.sparkdl.onnx.OnnxExporter#OPSET}), and ONNX graphs
 * read back into a spec and weights of this library's own layers ({@link
 * org.sparkdl.onnx.OnnxImporter}), which then train and score like any other network. No ONNX runtime
 * is involved; the protobuf classes ({@code org.sparkdl.onnx.proto}) are generated in the build from
 * the official {@code onnx.proto}.
 */
package org.sparkdl.onnx;
