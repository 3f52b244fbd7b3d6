package dev.zerog.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zerog.MalformedInputException;
import dev.zerog.ZerogIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParameterShapesTest {
  @TempDir Path tmp;

  @Test
  void readsModelSourceAndParametersInOrder() {
    ParameterShapes s = ParameterShapes.parse("{\"model\": \"m\", \"source\": \"paper\", \"parameters\": "
        + "{\"w\": [3, 2], \"b\": [3], \"s\": []}}");
    assertThat(s.model()).isEqualTo("m");
    assertThat(s.source()).isEqualTo("paper");
    assertThat(s.names()).containsExactly("w", "b", "s");
    assertThat(s.dims("w")).containsExactly(3, 2);
    assertThat(s.dims("s")).isEmpty();
    assertThat(s.dims("nope")).isNull();
    assertThat(s.has("b")).isTrue();
    assertThat(s.size()).isEqualTo(3);
    assertThat(s.elementCount()).isEqualTo(6 + 3 + 1);
  }

  @Test
  void dimsAreCopies() {
    ParameterShapes s = ParameterShapes.parse("{\"parameters\": {\"w\": [3, 2]}}");
    s.dims("w")[0] = 7;
    assertThat(s.dims("w")).containsExactly(3, 2);
    Map<String, long[]> given = new LinkedHashMap<>();
    long[] d = {4};
    given.put("x", d);
    ParameterShapes of = ParameterShapes.of(given);
    d[0] = 9;
    assertThat(of.dims("x")).containsExactly(4);
    assertThat(of.model()).isEmpty();
  }

  @Test
  void jsonSyntaxErrorsHaveLineAndColumn() {
    MalformedInputException e = catchThrowableOfType(MalformedInputException.class,
        () -> ParameterShapes.parse("{\n  \"parameters\": {\"w\": [3,, 2]}\n}"));
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.column()).isEqualTo(26);
    assertThat(e.detail()).startsWith("bad JSON: ");
  }

  @Test
  void structureErrorsNameWhatIsWrong() {
    assertThat(catchThrowableOfType(MalformedInputException.class, () -> ParameterShapes.parse("[1]")))
        .hasMessageContaining("must hold a JSON object");
    assertThat(catchThrowableOfType(MalformedInputException.class,
        () -> ParameterShapes.parse("{\"parameter\": {}}"))).hasMessageContaining("unknown key \"parameter\"");
    assertThat(catchThrowableOfType(MalformedInputException.class, () -> ParameterShapes.parse("{}")))
        .hasMessageContaining("needs \"parameters\"");
    assertThat(catchThrowableOfType(MalformedInputException.class,
        () -> ParameterShapes.parse("{\"model\": 3, \"parameters\": {}}"))).hasMessageContaining("\"model\"");
    MalformedInputException neg = catchThrowableOfType(MalformedInputException.class,
        () -> ParameterShapes.parse("{\"parameters\": {\"w\": [3, -1]}}"));
    assertThat(neg.getMessage()).isEqualTo("blob 'w': dim 1 must be an integer >= 0, found -1");
    assertThat(catchThrowableOfType(MalformedInputException.class,
        () -> ParameterShapes.parse("{\"parameters\": {\"w\": [2.5]}}"))).hasMessageContaining("found 2.5");
    assertThat(catchThrowableOfType(MalformedInputException.class,
        () -> ParameterShapes.parse("{\"parameters\": {\"w\": 3}}"))).hasMessageContaining("a list of integers");
    MalformedInputException twice = catchThrowableOfType(MalformedInputException.class,
        () -> ParameterShapes.parse("{\"parameters\": {\"w\": [1], \"w\": [2]}}"));
    assertThat(twice.detail()).contains("\"w\" is given twice");
    assertThat(twice.column()).isEqualTo(27);
  }

  @Test
  void fileErrorsNameTheFile() throws Exception {
    Path bad = tmp.resolve("bad.shapes.json");
    Files.writeString(bad, "{\"parameters\": {\"w\": [1]}");
    MalformedInputException e = catchThrowableOfType(MalformedInputException.class,
        () -> ParameterShapes.read(bad));
    assertThat(e.getMessage()).startsWith(bad + ":1:");
    assertThat(catchThrowableOfType(ZerogIOException.class, () -> ParameterShapes.read(tmp.resolve("none.json"))))
        .hasMessageContaining("none.json");
    Path good = tmp.resolve("good.json");
    Files.writeString(good, "\uFEFF{\"parameters\": {\"a\": [2, 2]}}\n");
    assertThat(ParameterShapes.read(good).names()).isEqualTo(List.of("a"));
  }

  @Test
  void jsonValuesOfEveryKind() {
    Object v = JsonText.parse("{\"a\": [true, false, null, -0, 1.5e2, \"x\\u0041\\n\\\"\"], \"b\": {}, "
        + "\"c\": 123456789012345678901234567890}");
    assertThat(v).isEqualTo(Map.of("a", java.util.Arrays.asList(true, false, null, 0L, 150.0, "xA\n\""),
        "b", Map.of(), "c", 1.2345678901234568E29));
    for (String bad : new String[] {"", "{", "[1 2]", "01", "1.", "\"\\q\"", "\"a", "tru", "{\"a\" 1}", "1 2",
        "\"\u0001\"", "-", "1e"}) {
      assertThat(catchThrowableOfType(MalformedInputException.class, () -> JsonText.parse(bad))).as(bad)
          .isNotNull();
    }
  }
}
