package org.sparkdl.ml.param;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.sparkdl.ml.param.ParamTable.Def;
import org.sparkdl.ml.param.ParamTable.Scope;
import org.sparkdl.ml.param.ParamTable.Type;

/**
 * Writes the code that {@link ParamTable} implies into the regions of the Java and Python files
 * marked {@code @generated-begin ParamCodeGen <region>} ... {@code @generated-end}: accessors and
 * getters, setters, Python param declarations, defaults, getters, setters and the keyword
 * signatures of the stages. Text outside the regions is the files' own.
 *
 * <p>{@link ParamCodeGenTest} fails when a region differs from what the table gives, and rewrites
 * them with {@code -Dsparkdl.regenerate=true}.
 */
final class ParamCodeGen {
  private static final String BEGIN = "@generated-begin ParamCodeGen ";
  private static final String END = "@generated-end";
  private static final int PY_WIDTH = 104;

  /** A file and how each of its regions is written, by region name. */
  record Target(String path, Map<String, Function<String, List<String>>> regions) {}

  private ParamCodeGen() {}

  /** Every generated file, relative to the repository root. */
  static List<Target> targets() {
    List<Def> all = ParamTable.SHARED;
    Predicate<Def> scoring = d -> d.scope() == Scope.SCORING;
    Predicate<Def> estimatorOnly = d -> d.scope() == Scope.ESTIMATOR;
    return List.of(
        new Target("spark-dl-transformers/src/main/java/org/sparkdl/ml/param/NeuralNetworkParams.java",
            Map.of("accessors", indent -> javaAccessors(all, indent))),
        new Target("spark-dl-transformers/src/main/java/org/sparkdl/ml/param/ScoringSetters.java",
            Map.of("setters", indent -> javaSetters(select(all, scoring), indent))),
        new Target("spark-dl-estimators/src/main/java/org/sparkdl/ml/NeuralNetworkSetters.java",
            Map.of("setters", indent -> javaSetters(select(all, estimatorOnly), indent))),
        new Target("python-wrapper/python/spark_dl/_params.py",
            Map.of("params", indent -> pythonParams(all, indent))),
        new Target("python-wrapper/python/spark_dl/_setters.py",
            Map.of("scoring", indent -> pythonSetters(select(all, scoring), indent),
                "estimator", indent -> pythonSetters(select(all, estimatorOnly), indent))),
        new Target("python-wrapper/python/spark_dl/classification.py",
            Map.of("keywords", indent -> pythonKeywords(all, indent))),
        new Target("python-wrapper/python/spark_dl/regression.py",
            Map.of("keywords", indent -> pythonKeywords(all, indent))));
  }

  /** The text of {@code target} under {@code root} with every region rewritten. */
  static String render(Path root, Target target) {
    List<String> lines = read(root.resolve(target.path()));
    List<String> out = new ArrayList<>();
    int found = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      out.add(line);
      int at = line.indexOf(BEGIN);
      if (at < 0) {
        continue;
      }
      String region = line.substring(at + BEGIN.length()).trim();
      Function<String, List<String>> writer = target.regions().get(region);
      if (writer == null) {
        throw new IllegalStateException(target.path() + ":" + (i + 1) + ": unknown region '" + region + "'");
      }
      String indent = line.substring(0, line.length() - line.stripLeading().length());
      out.addAll(writer.apply(indent));
      int end = i + 1;
      while (end < lines.size() && !lines.get(end).contains(END)) {
        end++;
      }
      if (end == lines.size()) {
        throw new IllegalStateException(target.path() + ":" + (i + 1) + ": region '" + region + "' has no " + END);
      }
      out.add(lines.get(end));
      i = end;
      found++;
    }
    if (found == 0) {
      throw new IllegalStateException(target.path() + ": no " + BEGIN + "region");
    }
    return String.join("\n", out) + "\n";
  }

  /** Rewrites every target under {@code root}. */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "..");
    for (Target t : targets()) {
      Files.writeString(root.resolve(t.path()), render(root, t), StandardCharsets.UTF_8);
    }
  }

  private static List<Def> select(List<Def> defs, Predicate<Def> which) {
    return defs.stream().filter(which).toList();
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- Java

  private static List<String> javaAccessors(List<Def> defs, String in) {
    List<String> out = new ArrayList<>();
    for (Def d : defs) {
      out.add(in + "/** " + d.summary() + " */");
      out.add(in + "default " + d.type().paramClass + " " + d.name() + "() {");
      out.add(in + "  return networkParams().get(\"" + d.name() + "\");");
      out.add(in + "}");
      out.add("");
      out.add(in + "/** The value of {@link #" + d.name() + "()}, or its default. */");
      out.add(in + "default " + d.type().javaType + " get" + d.capitalized() + "() {");
      String boxed = switch (d.type()) {
        case INT -> "(Integer) ";
        case LONG -> "(Long) ";
        case DOUBLE -> "(Double) ";
        case BOOLEAN -> "(Boolean) ";
        default -> "";
      };
      out.add(in + "  return " + boxed + "getOrDefault(" + d.name() + "());");
      out.add(in + "}");
      out.add("");
    }
    return trimLast(out);
  }

  private static List<String> javaSetters(List<Def> defs, String in) {
    List<String> out = new ArrayList<>();
    for (Def d : defs) {
      String type = d.type().javaType.endsWith("[]") ? d.type().javaType.replace("[]", "...") : d.type().javaType;
      out.add(in + "/** Sets {@link #" + d.name() + "()}. " + d.summary() + " */");
      out.add(in + "default S set" + d.capitalized() + "(" + type + " v) {");
      if (d.check() instanceof ParamTable.Custom) {
        out.add(in + "  NetworkParamSet.check(\"" + d.name() + "\", v);");
      }
      out.add(in + "  set(" + d.name() + "(), v);");
      out.add(in + "  return self();");
      out.add(in + "}");
      out.add("");
    }
    return trimLast(out);
  }

  // ---------------------------------------------------------------- Python

  private static List<String> pythonParams(List<Def> defs, String in) {
    List<String> out = new ArrayList<>();
    for (Def d : defs) {
      out.add(in + d.name() + ": \"Param[" + d.type().pythonType + "]\" = Param(");
      out.add(in + "    Params._dummy(),");
      out.add(in + "    \"" + d.name() + "\",");
      out.addAll(pyString(d.doc(), in + "    ", ","));
      out.add(in + "    typeConverter=" + pyConverter(d) + ",");
      out.add(in + ")");
    }
    out.add("");
    out.add(in + "def __init__(self, *args: Any) -> None:");
    out.add(in + "    super().__init__(*args)");
    out.add(in + "    self._setDefault(");
    for (Def d : defs) {
      if (d.defaultValue() != null) {
        out.add(in + "        " + d.name() + "=" + pyLiteral(d.defaultValue()) + ",");
      }
    }
    out.add(in + "    )");
    for (Def d : defs) {
      out.add("");
      out.add(in + "def get" + d.capitalized() + "(self) -> " + d.type().pythonType + ":");
      out.addAll(pyDoc(in + "    ", d.summary(), d.defaultValue() == null ? "Raises ``KeyError`` when unset." : ""));
      out.add(in + "    return self.getOrDefault(self." + d.name() + ")");
    }
    return out;
  }

  private static List<String> pythonSetters(List<Def> defs, String in) {
    List<String> out = new ArrayList<>();
    for (Def d : defs) {
      out.add(in + "def set" + d.capitalized() + "(self: P, value: " + pyValueType(d) + ") -> P:");
      out.addAll(pyDoc(in + "    ", "Sets :py:attr:`" + d.name() + "`.", d.summary()));
      out.add(in + "    return self._set(" + d.name() + "=value)");
      out.add("");
    }
    return trimLast(out);
  }

  private static List<String> pythonKeywords(List<Def> defs, String in) {
    List<String> out = new ArrayList<>();
    for (Def d : defs) {
      if (d.defaultValue() == null) {
        out.add(in + d.name() + ": Optional[" + pyValueType(d) + "] = None,");
      } else if (d.defaultValue().getClass().isArray()) {
        out.add(in + d.name() + ": " + pyValueType(d) + " = " + pyLiteral(d.defaultValue()) + ",  # noqa: B006 - never mutated");
      } else {
        out.add(in + d.name() + ": " + pyValueType(d) + " = " + pyLiteral(d.defaultValue()) + ",");
      }
    }
    return out;
  }

  private static String pyValueType(Def d) {
    return switch (d.name()) {
      case "network" -> "Union[Network, str]";
      case "classWeights" -> "Union[str, List[float]]";
      default -> d.type().pythonType;
    };
  }

  private static String pyConverter(Def d) {
    String name = "\"" + d.name() + "\"";
    boolean integer = d.type() == Type.INT || d.type() == Type.LONG;
    if (d.check() instanceof ParamTable.Custom c) {
      return c.python();
    }
    if (d.check() instanceof ParamTable.OneOf one) {
      return "_choice(" + name + ", [" + one.values().stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(", "))
          + "])";
    }
    if (d.check() instanceof ParamTable.AtLeast at) {
      String low = integer ? Long.toString((long) at.low()) : pyLiteral(at.low());
      return "_number(" + name + ", " + low + ", " + pyBool(at.inclusive()) + ", " + pyBool(integer) + ")";
    }
    return "TypeConverters." + switch (d.type()) {
      case STRING -> "toString";
      case INT, LONG -> "toInt";
      case DOUBLE -> "toFloat";
      case BOOLEAN -> "toBoolean";
      case INT_ARRAY -> "toListInt";
      case DOUBLE_ARRAY -> "toListFloat";
    };
  }

  private static String pyLiteral(Object v) {
    if (v instanceof String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    if (v instanceof Boolean b) {
      return pyBool(b);
    }
    if (v instanceof Double x) {
      return Double.toString(x).replace("E", "e");
    }
    if (v instanceof int[] a) {
      return Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
    }
    if (v instanceof double[] a) {
      return Arrays.stream(a).mapToObj(ParamCodeGen::pyLiteral).collect(Collectors.joining(", ", "[", "]"));
    }
    return v.toString();
  }

  private static String pyBool(boolean b) {
    return b ? "True" : "False";
  }

  /** {@code text} as adjacent Python string literals of at most {@link #PY_WIDTH} characters a line. */
  private static List<String> pyString(String text, String in, String suffix) {
    List<String> pieces = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split("(?<= )")) {
      if (line.length() > 0 && in.length() + line.length() + word.length() + 2 > PY_WIDTH) {
        pieces.add(line.toString());
        line.setLength(0);
      }
      line.append(word);
    }
    pieces.add(line.toString());
    List<String> out = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      out.add(in + pyLiteral(pieces.get(i)) + (i == pieces.size() - 1 ? suffix : ""));
    }
    return out;
  }

  /** A docstring of {@code first} and {@code second}: one line where it fits, else a summary line and a body. */
  private static List<String> pyDoc(String in, String first, String second) {
    String one = in + "\"\"\"" + first + (second.isEmpty() ? "" : " " + second) + "\"\"\"";
    if (one.length() <= PY_WIDTH + 8 || second.isEmpty()) {
      return List.of(one);
    }
    return List.of(in + "\"\"\"" + first, "", in + second + "\"\"\"");
  }

  private static List<String> trimLast(List<String> lines) {
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }

  /** The regions of every target, rendered, by path; for the test's messages. */
  static Map<String, String> renderAll(Path root) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Target t : targets()) {
      out.put(t.path(), render(root, t));
    }
    return out;
  }
}
