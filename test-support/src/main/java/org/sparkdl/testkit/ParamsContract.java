package org.sparkdl.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;
import scala.Option;

/**
 * What every Spark ML stage of this library promises about its params, checked by reflection the
 * way Spark, PySpark and Spark Connect reach them:
 *
 * <ul>
 *   <li>each param is owned by the stage (its parent is the stage's uid), has a non-empty doc, a
 *       public no-argument accessor returning it, and a {@code getX()} that returns its default
 *       until set;
 *   <li>the params the library declares itself state their default in the doc, as {@code Default:
 *       <value>.} ({@code unset} without one, {@code empty} for an empty string);
 *   <li>{@code explainParams()} names every param with its doc;
 *   <li>{@code copy(extra)} keeps the class and uid, applies the extras, keeps every other value,
 *       and leaves the original alone;
 *   <li>each {@code setX(value)} sets the param and returns the stage itself (every param has one
 *       when {@link #settersForAll()} is asked).
 * </ul>
 *
 * <p>Samples are valid values that differ from the defaults; every param needs one, so that a
 * param added later cannot go unchecked.
 *
 * <pre>{@code
 * ParamsContract.of(new NeuralNetworkClassifier())
 *     .declares("layers", "maxEpochs")
 *     .sample("layers", new int[] {4, 8, 3}).sample("maxEpochs", 3)
 *     .settersForAll()
 *     .check();
 * }</pre>
 */
public final class ParamsContract {
  private final Params stage;
  private final Set<String> declared = new LinkedHashSet<>();
  private final Map<String, Object> samples = new LinkedHashMap<>();
  private boolean settersForAll;

  private ParamsContract(Params stage) {
    this.stage = stage;
  }

  /** A contract for {@code stage}, which should be freshly constructed (no param set). */
  public static ParamsContract of(Params stage) {
    return new ParamsContract(stage);
  }

  /** Params the library declares on this stage: they must exist and their docs state the default. */
  public ParamsContract declares(String... names) {
    declared.addAll(List.of(names));
    return this;
  }

  /** A valid value for {@code name} other than its default. */
  public ParamsContract sample(String name, Object value) {
    samples.put(name, value);
    return this;
  }

  /** Requires a {@code setX} for every param (estimators; models only have Spark's setters). */
  public ParamsContract settersForAll() {
    this.settersForAll = true;
    return this;
  }

  /** Runs every check; fails with the first broken promise. */
  public void check() {
    List<String> names = new ArrayList<>();
    for (Param<?> p : stage.params()) {
      names.add(p.name());
    }
    assertTrue(names.containsAll(declared), () -> "params() of " + kind() + " lacks " + missing(names) + "; it has " + names);
    for (String s : samples.keySet()) {
      assertTrue(stage.hasParam(s), () -> "A sample names '" + s + "', which " + kind() + " does not have.");
    }
    List<String> unsampled = names.stream().filter(n -> !samples.containsKey(n)).toList();
    assertTrue(unsampled.isEmpty(), () -> "The contract of " + kind() + " has no sample value for " + unsampled);
    for (Param<?> p : stage.params()) {
      checkParam(p);
    }
    checkExplainParams();
    checkCopy();
    checkSetters();
  }

  private String kind() {
    return stage.getClass().getSimpleName();
  }

  private List<String> missing(List<String> names) {
    List<String> m = new ArrayList<>(declared);
    m.removeAll(names);
    return m;
  }

  private void checkParam(Param<?> p) {
    String where = kind() + "." + p.name();
    assertEquals(stage.uid(), p.parent(), where + " is owned by another stage");
    assertNotNull(p.doc(), where + " has no doc");
    assertFalse(p.doc().isBlank(), where + " has an empty doc");
    Method accessor = method(p.name());
    assertNotNull(accessor, where + ": no public no-argument accessor " + p.name() + "()");
    assertSame(p, invoke(accessor, stage), where + ": " + p.name() + "() returns another param");
    Method getter = method("get" + capitalised(p.name()));
    assertNotNull(getter, where + ": no getter get" + capitalised(p.name()) + "()");
    Option<?> d = stage.getDefault(p);
    assertFalse(stage.isSet(p), where + " is set on a fresh stage");
    if (d.isDefined()) {
      Object got = invoke(getter, stage);
      assertTrue(Objects.deepEquals(d.get(), got), where + ": getter returns " + text(got) + ", default is " + text(d.get()));
    }
    if (declared.contains(p.name())) {
      String expected = d.isDefined() ? text(d.get()) : "unset";
      String stated = statedDefault(p.doc());
      assertNotNull(stated, where + ": the doc does not state the default (\"Default: ...\"): " + p.doc());
      assertTrue(sameDefault(d.isDefined() ? d.get() : null, stated),
          where + ": the doc says the default is '" + stated + "', it is " + expected);
    }
  }

  private void checkExplainParams() {
    String text = stage.explainParams();
    for (Param<?> p : stage.params()) {
      assertTrue(text.contains(p.name() + ": " + p.doc()), () -> "explainParams() of " + kind() + " lacks " + p.name());
    }
  }

  private void checkCopy() {
    ParamMap extra = new ParamMap();
    for (Map.Entry<String, Object> e : samples.entrySet()) {
      extra.put(new ParamPair<>(stage.getParam(e.getKey()), e.getValue()));
    }
    Params copy = stage.copy(extra);
    assertNotSame(stage, copy, kind() + ".copy returned itself");
    assertSame(stage.getClass(), copy.getClass(), kind() + ".copy changed the class");
    assertEquals(stage.uid(), copy.uid(), kind() + ".copy changed the uid");
    for (Param<?> p : stage.params()) {
      Param<Object> cp = copy.getParam(p.name());
      assertEquals(copy.uid(), cp.parent(), kind() + ".copy: " + p.name() + " is owned by another stage");
      if (samples.containsKey(p.name())) {
        assertTrue(copy.isSet(cp), kind() + ".copy did not apply the extra " + p.name());
        assertTrue(Objects.deepEquals(samples.get(p.name()), copy.getOrDefault(cp)), kind() + ".copy: " + p.name());
        assertFalse(stage.isSet(p), kind() + ".copy set " + p.name() + " on the original");
      } else {
        assertEquals(stage.isSet(p), copy.isSet(cp), kind() + ".copy: whether " + p.name() + " is set");
        assertEquals(stage.isDefined(p), copy.isDefined(cp), kind() + ".copy: whether " + p.name() + " is defined");
        if (stage.isDefined(p)) {
          assertTrue(Objects.deepEquals(stage.getOrDefault(p), copy.getOrDefault(cp)), kind() + ".copy: " + p.name());
        }
      }
    }
    Params again = copy.copy(ParamMap.empty());
    assertEquals(copy.uid(), again.uid());
    for (Map.Entry<String, Object> e : samples.entrySet()) {
      assertTrue(Objects.deepEquals(e.getValue(), again.getOrDefault(again.getParam(e.getKey()))),
          kind() + ".copy(empty) lost " + e.getKey());
    }
  }

  private void checkSetters() {
    Params target = stage.copy(ParamMap.empty());
    for (Param<?> p : target.params()) {
      String setter = "set" + capitalised(p.name());
      boolean has = Arrays.stream(target.getClass().getMethods()).anyMatch(m -> m.getName().equals(setter)
          && m.getParameterCount() == 1 && !Modifier.isStatic(m.getModifiers()));
      if (!has) {
        assertFalse(settersForAll, kind() + " has no " + setter + "(...)");
        continue;
      }
      Object value = samples.get(p.name());
      assertFalse(Objects.deepEquals(value, stage.getDefault(p).isDefined() ? stage.getDefault(p).get() : null),
          kind() + ": the sample for " + p.name() + " is its default, which cannot show the setter works");
      Method m = setterFor(target.getClass(), setter, value);
      Object result = invoke(m, target, value);
      assertSame(target, result, kind() + "." + setter + " did not return the stage itself");
      Param<Object> tp = target.getParam(p.name());
      assertTrue(target.isSet(tp), kind() + "." + setter + " did not set " + p.name());
      assertTrue(Objects.deepEquals(value, invoke(method("get" + capitalised(p.name())), target)),
          kind() + ".get" + capitalised(p.name()) + " after " + setter);
    }
  }

  private Method method(String name) {
    try {
      Method m = stage.getClass().getMethod(name);
      return Modifier.isStatic(m.getModifiers()) ? null : m;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static Method setterFor(Class<?> type, String name, Object value) {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == 1 && accepts(m.getParameterTypes()[0], value)) {
        return m;
      }
    }
    throw new AssertionError(type.getSimpleName() + "." + name + " takes no " + value.getClass().getSimpleName());
  }

  private static boolean accepts(Class<?> t, Object v) {
    if (!t.isPrimitive()) {
      return t.isInstance(v);
    }
    return (t == int.class && v instanceof Integer) || (t == long.class && v instanceof Long)
        || (t == double.class && v instanceof Double) || (t == boolean.class && v instanceof Boolean)
        || (t == float.class && v instanceof Float);
  }

  private static Object invoke(Method m, Object target, Object... args) {
    try {
      return m.invoke(target, args);
    } catch (IllegalAccessException e) {
      throw new AssertionError(m + " is not accessible", e);
    } catch (InvocationTargetException e) {
      throw new AssertionError(m.getName() + " threw " + e.getCause(), e.getCause());
    }
  }

  private static String capitalised(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  private static String text(Object v) {
    if (v instanceof int[] a) {
      return Arrays.toString(a);
    }
    if (v instanceof double[] a) {
      return Arrays.toString(a);
    }
    return String.valueOf(v);
  }

  /** What follows the last {@code Default: } in a doc, without the final period; null when absent. */
  static String statedDefault(String doc) {
    int at = doc.lastIndexOf("Default: ");
    if (at < 0) {
      return null;
    }
    String s = doc.substring(at + "Default: ".length()).trim();
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  static boolean sameDefault(Object value, String stated) {
    if (value == null) {
      return stated.equals("unset");
    }
    if (value instanceof String s) {
      return s.isEmpty() ? stated.equals("empty") : s.equals(stated);
    }
    if (value instanceof Number n) {
      try {
        return Double.parseDouble(stated) == n.doubleValue();
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return text(value).equals(stated);
  }
}
