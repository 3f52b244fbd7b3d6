package dev.zerog.cli;

import dev.zerog.op.OperatorDefinition;
import dev.zerog.op.OperatorRegistry;
import dev.zerog.op.OperatorSchema;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zerog ops}: the registered operators, their arities, gradients and docs. */
@Command(
    name = "ops",
    mixinStandardHelpOptions = true,
    header = "List the operators: inputs, outputs, gradient, documentation.",
    description = "The gradient is 'yes' (a gradient maker is registered), 'none' (the operator has no gradient, "
        + "as Caffe2's NO_GRADIENT: the backward pass skips it) or 'not-implemented' (declared missing, as "
        + "Caffe2's GRADIENT_NOT_IMPLEMENTED_YET: the backward pass refuses it).",
    footer = {"  zerog ops", "  zerog ops --json", "  zerog ops --markdown > docs/operators.md"})
final class OpsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--json", description = "Print a JSON array of {name, inputs, outputs, gradient, doc}.")
  boolean json;

  @Option(names = "--markdown", description = "Print the operator reference as Markdown (docs/operators.md).")
  boolean markdown;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    OperatorRegistry registry = OperatorRegistry.standard();
    if (json) {
      out.println(Json.write(asJson(registry)));
    } else if (markdown) {
      out.print(OperatorDocs.markdown(registry));
    } else {
      for (OperatorDefinition d : registry.definitions()) {
        OperatorSchema s = d.schema();
        out.printf("%-20s inputs %-5s outputs %-5s gradient %s%n", s.type(), s.inputs(), s.outputs(),
            d.gradientKind().label());
        for (String line : s.doc().strip().split("\n", -1)) {
          out.println("    " + line);
        }
        out.println();
      }
    }
    out.flush();
    return 0;
  }

  static List<Object> asJson(OperatorRegistry registry) {
    List<Object> ops = new ArrayList<>();
    for (OperatorDefinition d : registry.definitions()) {
      OperatorSchema s = d.schema();
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("name", s.type());
      o.put("inputs", s.inputs().toString());
      o.put("outputs", s.outputs().toString());
      o.put("gradient", d.gradientKind().label());
      o.put("doc", s.fullDoc());
      ops.add(o);
    }
    return ops;
  }
}
