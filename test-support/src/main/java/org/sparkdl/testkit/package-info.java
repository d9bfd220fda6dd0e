/**
 * Test fixtures shared by the Spark modules: one local Spark session per JVM, MNIST as DataFrames,
 * the params and stage conventions every stage is checked against, and a recorder of Spark jobs.
 */
package org.sparkdl.testkit;
