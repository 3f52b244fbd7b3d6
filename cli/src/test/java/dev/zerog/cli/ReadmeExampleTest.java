package dev.zerog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.grad.BackwardPass;
import dev.zerog.net.Net;
import dev.zerog.net.NetDefs;
import dev.zerog.train.OptimizedNets;
import dev.zerog.workspace.Workspace;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README as a user reads it: its Java example compiles and runs as written (the test compiles the README's
 * block itself, so the two cannot drift apart), its quick start starts with the demo and the test command, and its
 * command table names every command.
 */
class ReadmeExampleTest {
  @TempDir Path tmp;

  private static Path repository() {
    return CliTest.examples().getParent();
  }

  private static String readme() throws Exception {
    return Files.readString(repository().resolve("README.md"));
  }

  /** The body of the README's first fenced block in this language. */
  static String block(String markdown, String language) {
    Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(markdown);
    assertThat(m.find()).as("a ```" + language + " block in README.md").isTrue();
    return m.group(1);
  }

  @Test
  void theJavaExampleCompilesAndRunsATrainingStep() throws Exception {
    String example = block(readme(), "java");
    assertThat(example.lines().count()).as("about ten lines").isBetween(8L, 14L);
    // The example reads examples/ relative to the repository; the tests run in cli/.
    String body = example.replace("Path.of(\"examples/", "root.resolve(\"examples/");
    String source = String.join("\n",
        "package readme;",
        "import dev.zerog.grad.*;",
        "import dev.zerog.net.*;",
        "import dev.zerog.proto.Caffe2.*;",
        "import dev.zerog.train.*;",
        "import dev.zerog.workspace.*;",
        "import java.nio.file.Path;",
        "import java.util.List;",
        "public final class ReadmeExample {",
        "  public static java.util.Map<String, Object> run(Path root) throws Exception {",
        body,
        "    return java.util.Map.of(\"ws\", ws, \"sgd\", sgd, \"backward\", backward, \"loss\", loss);",
        "  }",
        "}",
        "");
    Path src = Files.createDirectories(tmp.resolve("src/readme")).resolve("ReadmeExample.java");
    Files.writeString(src, source);
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler").isNotNull();
    StringWriter diagnostics = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      boolean compiled = javac.getTask(diagnostics, files, null,
          List.of("-classpath", classPath(), "-d", classes.toString(), "--release", "17"), null,
          files.getJavaFileObjects(src.toFile())).call();
      assertThat(compiled).as("the README's Java example compiles:\n" + diagnostics + "\n" + source).isTrue();
    }

    Map<?, ?> result;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        getClass().getClassLoader())) {
      Method run = loader.loadClass("readme.ReadmeExample").getMethod("run", Path.class);
      result = (Map<?, ?>) run.invoke(null, repository());
    }
    Workspace ws = (Workspace) result.get("ws");
    OptimizedNets sgd = (OptimizedNets) result.get("sgd");
    BackwardPass backward = (BackwardPass) result.get("backward");
    float loss = (Float) result.get("loss");

    Workspace before = new Workspace();
    Net.runOnce(NetDefs.read(CliTest.examples().resolve("regression_init.pbtxt")), before);
    // W1 gets a gradient (zeros), no update op, and keeps every bit; W2 and b2 are trained.
    assertThat(backward.gradientMap()).containsKey("W1");
    assertThat(sgd.skippedParameters()).containsExactly("W1");
    assertThat(sgd.updatedParameters()).containsExactly("W2", "b2");
    assertThat(bits(ws.fetch("W1").floats())).isEqualTo(bits(before.fetch("W1").floats()));
    assertThat(ws.fetch("W2").floats()).isNotEqualTo(before.fetch("W2").floats());
    // The step lowered the loss: the forward net, run again after the update, gives less.
    assertThat(loss).isFinite().isPositive();
    Net.create(NetDefs.read(CliTest.examples().resolve("regression.pbtxt")), ws).run();
    assertThat(ws.fetch("loss").floats()[0]).isLessThan(loss);
  }

  /** The test's class path, for the compiler (surefire runs the tests from a jar that only points to it). */
  private static String classPath() {
    String path = System.getProperty("surefire.test.class.path");
    return path != null && !path.isBlank() ? path : System.getProperty("java.class.path");
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  @Test
  void theQuickStartRunsTheDemoThenTheTests() throws Exception {
    String quickStart = readme().substring(readme().indexOf("## Quick start"));
    assertThat(block(quickStart, "sh")).isEqualTo("./zerog demo\nmvn -B -ntp test\n");
    assertThat(Files.readString(repository().resolve(".ci/run"))).contains("\nmvn -B -ntp test\n");
  }

  @Test
  void theCommandTableNamesEveryCommand() throws Exception {
    String readme = readme();
    for (String name : Main.commandLine().getSubcommands().keySet()) {
      assertThat(readme).as("README.md's command table links zerog " + name)
          .contains("(docs/cli.md#" + CliReference.anchor(name) + ")");
    }
    assertThat(readme).doesNotContain("TODO").doesNotContain("XXX");
  }
}
