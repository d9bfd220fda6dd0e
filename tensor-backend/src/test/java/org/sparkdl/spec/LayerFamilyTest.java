package org.sparkdl.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The layer families behind the spec's JSON: how they are found, and what a faulty family is told. */
class LayerFamilyTest {

  /** A family of the given types. */
  private record Family(List<LayerType<?>> layerTypes) implements LayerFamily {}

  private static List<LayerFamily> installed() {
    List<LayerFamily> families = new ArrayList<>();
    ServiceLoader.load(LayerFamily.class, LayerFamily.class.getClassLoader()).forEach(families::add);
    return families;
  }

  private static LayerType<Flatten> flatten(String tag, List<String> fields, LayerType.Writer<Flatten> writer) {
    return new LayerType<>(tag, Flatten.class, fields, (name, inputs, f) -> new Flatten(name, inputs), writer);
  }

  private static List<LayerFamily> installedPlus(LayerType<?> type) {
    List<LayerFamily> families = installed();
    families.add(new Family(List.of(type)));
    return families;
  }

  @Test
  void everyFamilyIsAServiceOfTheSpecClassLoader() {
    assertEquals(List.of("org.sparkdl.nn.CoreLayers", "org.sparkdl.nn.ConvLayers", "org.sparkdl.nn.NormLayers",
        "org.sparkdl.nn.RecurrentLayers", "org.sparkdl.nn.AttentionLayers"),
        installed().stream().map(f -> f.getClass().getName()).toList());
    LayerTypes.Registry.of(installed()).checkComplete();
  }

  @Test
  void layerFieldsListEachTypesOwnFieldsInCanonicalOrder() {
    assertEquals(NetworkSpec.layerTypes().keySet(), NetworkSpec.layerFields().keySet());
    assertEquals(List.of("units", "bias", "init"), NetworkSpec.layerFields().get("dense"));
    assertEquals(List.of("function", "alpha"), NetworkSpec.layerFields().get("activation"));
    assertEquals(List.of(), NetworkSpec.layerFields().get("flatten"));
    assertEquals(List.of("kernel", "stride", "padding", "count_include_pad"),
        NetworkSpec.layerFields().get("avg_pool2d"));
    String json = NetworkSpec.builder().input("x", 4).dense(3).build().toJson();
    assertTrue(json.contains("\"units\" : 3, \"bias\" : true, \"init\" : \"glorot_uniform\" }"), json);
  }

  @Test
  void aTagRegisteredTwiceNamesBothFamilies() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LayerTypes.Registry.of(installedPlus(flatten("dense", List.of(), (layer, out) -> { }))));
    assertEquals("Layer type 'dense' is registered twice, by org.sparkdl.nn.CoreLayers and by "
        + "org.sparkdl.spec.LayerFamilyTest$Family.", e.getMessage());
  }

  @Test
  void aRecordRegisteredTwiceNamesBothTagsAndFamilies() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LayerTypes.Registry.of(installedPlus(flatten("flatten_again", List.of(), (layer, out) -> { }))));
    assertEquals("Layer record org.sparkdl.spec.Flatten is registered twice, as 'flatten' by "
        + "org.sparkdl.nn.CoreLayers and as 'flatten_again' by org.sparkdl.spec.LayerFamilyTest$Family.",
        e.getMessage());
  }

  @Test
  void aMissingFamilyIsNamedByItsRecords() {
    List<LayerFamily> families = installed();
    families.removeIf(f -> f.getClass().getSimpleName().equals("NormLayers"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LayerTypes.Registry.of(families).checkComplete());
    assertEquals("No layer family registers the layer records [BatchNorm, LayerNorm]; the services file "
        + "META-INF/services/org.sparkdl.spec.LayerFamily of the spark-dl jar is missing or incomplete (families "
        + "found: [org.sparkdl.nn.AttentionLayers, org.sparkdl.nn.ConvLayers, org.sparkdl.nn.CoreLayers, "
        + "org.sparkdl.nn.RecurrentLayers]). A shaded jar must merge service files.", e.getMessage());
  }

  @Test
  void aWriterMustKeepToItsDeclaredFieldsAndTheirOrder() {
    LayerTypes.Registry ok = LayerTypes.Registry.of(List.of(new Family(List.of(
        flatten("flatten", List.of("axis", "rate"), (layer, out) -> out.put("axis", 1))))));
    assertEquals("{\"type\":\"flatten\",\"name\":\"f\",\"inputs\":[\"x\"],\"axis\":1}",
        ok.toJson(new Flatten("f", "x")).toString());
    LayerTypes.Registry reordered = LayerTypes.Registry.of(List.of(new Family(List.of(
        flatten("flatten", List.of("axis", "rate"), (layer, out) -> {
          out.put("rate", 0.5);
          out.put("axis", 1);
        })))));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> reordered.toJson(new Flatten("f", "x")));
    assertEquals("The writer of layer type 'flatten' (org.sparkdl.spec.LayerFamilyTest$Family) wrote field 'axis' "
        + "outside its declared fields [axis, rate] or out of their order.", e.getMessage());
  }

  @Test
  void aTypeListsEachFieldOnceAndNoCommonField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LayerType<>("flatten",
        Flatten.class, List.of("name"), (name, inputs, f) -> new Flatten(name, inputs), (layer, out) -> { }));
    assertEquals("Layer type 'flatten' lists field 'name' twice or as a common field (type, name, inputs).",
        e.getMessage());
  }
}
