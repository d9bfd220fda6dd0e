package org.sparkdl.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Tensors see only the narrow {@link Device} view of their memory, never the kernel SPI in
 * {@code org.sparkdl.backend} (which depends on tensors): read from the compiled classes, whose
 * constant pools name every class they use.
 */
class PackageDependenciesTest {

  @Test
  void theTensorPackageUsesNothingOfTheBackendPackage() throws IOException, URISyntaxException {
    Path dir = Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve("org/sparkdl/tensor");
    List<Path> classes;
    try (Stream<Path> files = Files.list(dir)) {
      classes = files.filter(f -> f.toString().endsWith(".class")).toList();
    }
    assertTrue(classes.size() >= 8, "compiled tensor classes found: " + classes);
    List<String> offending = classes.stream().filter(PackageDependenciesTest::mentionsBackendPackage)
        .map(f -> f.getFileName().toString()).toList();
    assertEquals(List.of(), offending, "classes of org.sparkdl.tensor that use org.sparkdl.backend");
  }

  private static boolean mentionsBackendPackage(Path classFile) {
    try {
      return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("org/sparkdl/backend/");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
