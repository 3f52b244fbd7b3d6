package dev.zerog.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerog.SchemaException;
import dev.zerog.ZerogException;
import dev.zerog.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors about an operator of a text NetDef say where the operator is: file:line:column. */
class OpPositionTest {
  private static final String TEXT = "name: \"n\"\n"
      + "op { output: \"a\" type: \"ConstantFill\" }\n"
      + "\n"
      + "  op {\n    input: \"nowhere\"\n    output: \"b\"\n    type: \"Relu\"\n  }\n";

  @TempDir Path tmp;

  @Test
  void findsTheLineAndColumnOfEachOp() {
    assertThat(NetDefs.opPosition(TEXT, 0)).containsExactly(2, 1);
    assertThat(NetDefs.opPosition(TEXT, 1)).containsExactly(4, 3);
    assertThat(NetDefs.opPosition(TEXT, 2)).isNull();
    assertThat(NetDefs.opPosition("op {", 0)).isNull();
  }

  @Test
  void addsThePositionToAnErrorAboutAnOp() throws IOException {
    Path file = Files.writeString(tmp.resolve("net.pbtxt"), TEXT);
    ZerogException e;
    try {
      Net.create(NetDefs.read(file), new Workspace());
      throw new AssertionError("expected an error");
    } catch (SchemaException thrown) {
      e = thrown;
    }
    NetDefs.withOpPosition(e, file).atFile(file.toString());
    assertThat(e.getMessage()).startsWith(file + ":4:3: op #1 (Relu): blob 'nowhere': input 0 does not exist");
  }

  @Test
  void leavesBinaryFilesAndPositionedErrorsAlone() throws IOException {
    Path file = tmp.resolve("net.pb");
    NetDefs.write(NetDefs.parseText(TEXT, "t"), file);
    ZerogException e = new SchemaException("x").atOp(1, "Relu");
    assertThat(NetDefs.withOpPosition(e, file).line()).isEqualTo(-1);
    ZerogException placed = new SchemaException("x").atOp(1, "Relu").atPosition(9, 9);
    assertThat(NetDefs.withOpPosition(placed, tmp.resolve("net.pbtxt")).line()).isEqualTo(9);
    assertThat(NetDefs.withOpPosition(new SchemaException("y").atOp(0, "A"), tmp.resolve("missing.pbtxt")).line())
        .isEqualTo(-1);
  }
}
