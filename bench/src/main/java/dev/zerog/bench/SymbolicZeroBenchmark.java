package dev.zerog.bench;

import dev.zerog.net.Net;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Tensor;
import dev.zerog.workspace.Workspace;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a zero gradient costs per step when nothing reads it: the gradient of ZeroGradient, a ConstantFill of 0.0
 * shaped like a FLOAT parameter {@code W}, into {@code W_grad}, followed by plain SGD's update
 * {@code WeightedSum(W, ONE, W_grad, lr) -> W}, which skips a known-zero term, through a real {@link Net}.
 *
 * <p>With {@code gradient = known}, W_grad is a known zero: the fill writes nothing and holds no memory, and the
 * update reads nothing, so the time and the bytes allocated per run must not grow with W's size (run with
 * {@code -prof gc} for {@code gc.alloc.rate.norm}, the bytes allocated per run). With {@code gradient =
 * materialized}, W_grad already holds memory (as when something read it before), so the fill writes every
 * byte, which is the cost of a zero gradient in Caffe2, and the update reads them back.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class SymbolicZeroBenchmark {
  /** The parameter's size in bytes: 16 KiB, 4 MiB, 64 MiB, 256 MiB. */
  @Param({"16384", "4194304", "67108864", "268435456"})
  public int bytes;

  /** {@code known}: W_grad is a known zero. {@code materialized}: it holds memory the fill rewrites. */
  @Param({"known", "materialized"})
  public String gradient;

  Net net;
  Workspace workspace;

  /** Creates the parameter and the net; a materialized gradient gets its memory here, not while measured. */
  @Setup(Level.Trial)
  public void create() {
    int n = bytes / Float.BYTES;
    workspace = new Workspace();
    Tensor w = Tensor.allocate(DataType.FLOAT, n);
    java.util.Arrays.fill(w.floats(), 1f);
    workspace.feed("W", w);
    workspace.feed("ONE", Tensor.of(new float[] {1}));
    workspace.feed("lr", Tensor.of(new float[] {-0.1f}));
    if (gradient.equals("materialized")) {
      workspace.feed("W_grad", Tensor.allocate(DataType.FLOAT, n));
    } else if (!gradient.equals("known")) {
      throw new IllegalStateException("unknown gradient " + gradient);
    }
    NetDef def = NetDef.newBuilder()
        .setName("zero_gradient_step")
        .addOp(OperatorDef.newBuilder().setType("ConstantFill").addInput("W").addOutput("W_grad")
            .addArg(Argument.newBuilder().setName("value").setF(0f)))
        .addOp(OperatorDef.newBuilder().setType("WeightedSum").addInput("W").addInput("ONE").addInput("W_grad")
            .addInput("lr").addOutput("W"))
        .build();
    net = Net.create(def, workspace);
    net.run();
    Tensor g = workspace.fetch("W_grad");
    if (g.isKnownZero() != gradient.equals("known") || g.size() != n) {
      throw new IllegalStateException("W_grad is " + g + ", expected a " + gradient + " zero of " + n + " floats");
    }
  }

  /** One step: the zero gradient, then the update. */
  @Benchmark
  public Workspace step() {
    net.run();
    return workspace;
  }
}
