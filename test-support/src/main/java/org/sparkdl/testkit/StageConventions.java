package org.sparkdl.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;

/**
 * The conventions every Spark ML stage of this library follows, so that Pipelines, CrossValidator,
 * PySpark and Spark Connect can create, save and load it (SynapseML's fuzzing idea, with no
 * exemptions):
 *
 * <ul>
 *   <li>it is listed in {@code META-INF/services/org.apache.spark.ml.Estimator} or {@code
 *       ...Transformer}, and every class listed there is a public, concrete stage of that kind;
 *   <li>it has a public {@code (String uid)} constructor that takes the uid for itself and its
 *       params, and a public no-argument constructor (what {@link ServiceLoader} and Spark Connect
 *       use to enumerate stages);
 *   <li>it is {@link MLWritable} and has a {@code public static read()} returning an {@link
 *       MLReader} and a {@code public static load(String)} returning the class;
 *   <li>Spark's own discovery, a {@link ServiceLoader} iteration that instantiates the providers,
 *       works with this library on the class path and creates each of its stages.
 * </ul>
 */
public final class StageConventions {
  private static final String SERVICES = "META-INF/services/";
  private static final String OURS = "org.sparkdl.";

  private StageConventions() {}

  /** The classes of this library listed as providers of {@code service}, from every services file on the class path. */
  public static List<String> listed(Class<?> service) {
    TreeSet<String> names = new TreeSet<>();
    try {
      for (URL url : Collections.list(loader().getResources(SERVICES + service.getName()))) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
          r.lines().map(l -> l.replaceAll("#.*", "").trim()).filter(l -> l.startsWith(OURS)).forEach(names::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(names);
  }

  /** The public, concrete {@link PipelineStage} classes directly in {@code pkg} (top-level classes only). */
  public static List<Class<?>> publicStages(String pkg) {
    List<Class<?>> out = new ArrayList<>();
    for (String name : classNames(pkg)) {
      Class<?> c = load(name);
      if (PipelineStage.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers())
          && !Modifier.isAbstract(c.getModifiers()) && !c.isInterface()) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Checks every listed stage and that every public stage of {@code packages} is listed; fails
   * with all violations at once.
   */
  public static void check(String... packages) {
    List<String> problems = new ArrayList<>();
    List<String> estimators = listed(Estimator.class);
    List<String> transformers = listed(Transformer.class);
    for (String name : estimators) {
      checkStage(name, Estimator.class, problems);
    }
    for (String name : transformers) {
      checkStage(name, Transformer.class, problems);
    }
    for (String pkg : packages) {
      List<Class<?>> stages = publicStages(pkg);
      if (stages.isEmpty()) {
        problems.add("package " + pkg + " has no public stage; is it on the class path?");
      }
      for (Class<?> c : stages) {
        boolean estimator = Estimator.class.isAssignableFrom(c);
        List<String> file = estimator ? estimators : transformers;
        if (!file.contains(c.getName())) {
          problems.add(c.getName() + " is not listed in " + SERVICES + (estimator ? Estimator.class : Transformer.class).getName());
        }
      }
    }
    problems.addAll(discover(Estimator.class, estimators));
    problems.addAll(discover(Transformer.class, transformers));
    if (!problems.isEmpty()) {
      fail(problems.size() + " stage convention(s) broken:\n  " + String.join("\n  ", problems));
    }
  }

  private static void checkStage(String name, Class<?> kind, List<String> problems) {
    Class<?> c;
    try {
      c = Class.forName(name, false, loader());
    } catch (ClassNotFoundException e) {
      problems.add(name + " is listed as a " + kind.getSimpleName() + " but does not exist");
      return;
    }
    if (!kind.isAssignableFrom(c) || !Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())) {
      problems.add(name + " is listed as a " + kind.getSimpleName() + " but is not a public concrete one");
      return;
    }
    if (!MLWritable.class.isAssignableFrom(c)) {
      problems.add(name + " is not MLWritable");
    }
    Constructor<?> byUid = constructor(c, String.class);
    if (byUid == null) {
      problems.add(name + " has no public (String uid) constructor");
    } else {
      PipelineStage stage = (PipelineStage) newInstance(byUid, "convention_uid_1");
      if (!stage.uid().equals("convention_uid_1")) {
        problems.add(name + "(String uid) ignores the uid: " + stage.uid());
      }
      for (Param<?> p : stage.params()) {
        if (!p.parent().equals("convention_uid_1")) {
          problems.add(name + "(String uid): param " + p.name() + " is owned by " + p.parent());
        }
      }
    }
    if (constructor(c) == null) {
      problems.add(name + " has no public no-argument constructor (ServiceLoader needs one)");
    }
    Method read = staticMethod(c, "read");
    if (read == null || !MLReader.class.isAssignableFrom(read.getReturnType())) {
      problems.add(name + " has no public static read() returning an MLReader");
    } else if (!(invoke(read) instanceof MLReader<?>)) {
      problems.add(name + ".read() returned no MLReader");
    }
    Method load = staticMethod(c, "load", String.class);
    if (load == null || load.getReturnType() != c) {
      problems.add(name + " has no public static load(String) returning " + c.getSimpleName());
    }
  }

  /**
   * Spark Connect's discovery: list the providers (which fails for all when one lacks a public
   * no-argument constructor), then create each of ours.
   */
  private static List<String> discover(Class<?> service, List<String> ours) {
    List<String> problems = new ArrayList<>();
    List<ServiceLoader.Provider<?>> providers;
    try {
      providers = ServiceLoader.load(service, loader()).stream().<ServiceLoader.Provider<?>>map(p -> p).toList();
    } catch (ServiceConfigurationError e) {
      problems.add("ServiceLoader.load(" + service.getSimpleName() + ") fails: " + e.getMessage());
      return problems;
    }
    for (String name : ours) {
      ServiceLoader.Provider<?> provider = providers.stream().filter(p -> p.type().getName().equals(name)).findFirst().orElse(null);
      if (provider == null) {
        problems.add("ServiceLoader.load(" + service.getSimpleName() + ") does not find " + name);
        continue;
      }
      try {
        provider.get();
      } catch (ServiceConfigurationError e) {
        problems.add("ServiceLoader cannot create " + name + ": " + e.getMessage() + " (" + e.getCause() + ")");
      }
    }
    return problems;
  }

  private static ClassLoader loader() {
    ClassLoader l = Thread.currentThread().getContextClassLoader();
    return l != null ? l : StageConventions.class.getClassLoader();
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, loader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(name + " was listed on the class path but does not load", e);
    }
  }

  private static List<String> classNames(String pkg) {
    String dir = pkg.replace('.', '/');
    TreeSet<String> names = new TreeSet<>();
    try {
      for (URL url : Collections.list(loader().getResources(dir))) {
        if (url.getProtocol().equals("file")) {
          try (Stream<Path> files = Files.list(Paths.get(url.toURI()))) {
            files.map(f -> f.getFileName().toString()).filter(StageConventions::isTopLevelClass)
                .forEach(f -> names.add(pkg + "." + f.substring(0, f.length() - ".class".length())));
          }
        } else if (url.getProtocol().equals("jar")) {
          JarURLConnection conn = (JarURLConnection) url.openConnection();
          conn.setUseCaches(false);
          try (JarFile jar = conn.getJarFile()) {
            jar.stream().map(e -> e.getName()).filter(n -> n.startsWith(dir + "/"))
                .map(n -> n.substring(dir.length() + 1)).filter(n -> !n.contains("/") && isTopLevelClass(n))
                .forEach(n -> names.add(pkg + "." + n.substring(0, n.length() - ".class".length())));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return List.copyOf(names);
  }

  private static boolean isTopLevelClass(String file) {
    return file.endsWith(".class") && !file.contains("$") && !file.equals("package-info.class");
  }

  private static Constructor<?> constructor(Class<?> c, Class<?>... args) {
    try {
      Constructor<?> k = c.getConstructor(args);
      return Modifier.isPublic(k.getModifiers()) ? k : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static Method staticMethod(Class<?> c, String name, Class<?>... args) {
    try {
      Method m = c.getMethod(name, args);
      return Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers()) ? m : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static Object newInstance(Constructor<?> k, Object... args) {
    try {
      return k.newInstance(args);
    } catch (InvocationTargetException e) {
      throw new AssertionError(k + " threw " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(k + " cannot be called", e);
    }
  }

  private static Object invoke(Method m) {
    try {
      return m.invoke(null);
    } catch (InvocationTargetException e) {
      throw new AssertionError(m + " threw " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(m + " cannot be called", e);
    }
  }
}
