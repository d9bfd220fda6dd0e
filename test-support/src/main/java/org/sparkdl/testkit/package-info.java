/** Test fixtures shared by the Spark modules: one local Spark session per JVM, MNIST as DataFrames. */
package org.sparkdl.testkit;
