package dev.zerog.train;

import com.google.protobuf.ByteString;
import dev.zerog.SchemaException;
import dev.zerog.proto.Caffe2.Argument;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.OperatorDef;
import dev.zerog.tensor.Tensor;
import java.util.Map;
import java.util.Objects;

/**
 * An init net that recreates given tensors, as Caffe2 stores trained parameters: one GivenTensorFill op (or its
 * typed variant) per tensor, with the values in row-major order and the dims in {@code shape}. A pure function.
 *
 * <table>
 *   <caption>The op for each type</caption>
 *   <tr><th>type</th><th>op</th><th>values in</th></tr>
 *   <tr><td>FLOAT</td><td>GivenTensorFill</td><td>{@code floats}</td></tr>
 *   <tr><td>DOUBLE</td><td>GivenTensorDoubleFill</td><td>{@code floats}: float precision, as in Caffe2</td></tr>
 *   <tr><td>INT32</td><td>GivenTensorIntFill</td><td>{@code ints}</td></tr>
 *   <tr><td>INT64</td><td>GivenTensorInt64Fill</td><td>{@code ints}</td></tr>
 *   <tr><td>BOOL</td><td>GivenTensorBoolFill</td><td>{@code ints} (0, 1)</td></tr>
 *   <tr><td>INT16, UINT16</td><td>GivenTensorFill with {@code dtype}</td><td>{@code ints}</td></tr>
 *   <tr><td>STRING</td><td>GivenTensorStringFill</td><td>{@code strings}</td></tr>
 * </table>
 *
 * <p>FLOAT16, INT8 and UINT8 have no GivenTensorFill variant in Caffe2 and are refused. The net's
 * {@code external_output} lists the tensors.
 */
public final class GivenTensorInitNet {
  private GivenTensorInitNet() {}

  /**
   * The init net named {@code name} that fills each tensor of {@code values} into the blob of its key, in the
   * map's order.
   *
   * @throws SchemaException naming the blob if a tensor's type has no GivenTensorFill variant
   */
  public static NetDef of(String name, Map<String, Tensor> values) {
    Objects.requireNonNull(values, "values");
    NetDef.Builder net = NetDef.newBuilder();
    if (name != null) {
      net.setName(name);
    }
    for (Map.Entry<String, Tensor> e : values.entrySet()) {
      net.addOp(fill(e.getKey(), e.getValue()));
      net.addExternalOutput(e.getKey());
    }
    return net.build();
  }

  private static OperatorDef fill(String blob, Tensor t) {
    Argument.Builder shape = Argument.newBuilder().setName("shape");
    for (long d : t.dims()) {
      shape.addInts(d);
    }
    Argument.Builder v = Argument.newBuilder().setName("values");
    String type;
    Integer dtype = null;
    int n = t.size();
    switch (t.dtype()) {
      case FLOAT: {
        type = "GivenTensorFill";
        float[] a = t.floats();
        for (int i = 0; i < n; i++) {
          v.addFloats(a[i]);
        }
        break;
      }
      case DOUBLE: {
        type = "GivenTensorDoubleFill";
        double[] a = t.doubles();
        for (int i = 0; i < n; i++) {
          v.addFloats((float) a[i]);
        }
        break;
      }
      case INT32:
        type = "GivenTensorIntFill";
        addInts(v, t);
        break;
      case INT64:
        type = "GivenTensorInt64Fill";
        addInts(v, t);
        break;
      case BOOL:
        type = "GivenTensorBoolFill";
        addInts(v, t);
        break;
      case INT16:
      case UINT16:
        type = "GivenTensorFill";
        dtype = t.dtype().code();
        addInts(v, t);
        break;
      case STRING: {
        type = "GivenTensorStringFill";
        for (String s : t.strings()) {
          v.addStrings(ByteString.copyFromUtf8(s));
        }
        break;
      }
      default:
        throw (SchemaException) new SchemaException("Caffe2 has no GivenTensorFill variant for a " + t.dtype()
            + " tensor").atBlob(blob);
    }
    OperatorDef.Builder op = OperatorDef.newBuilder().setType(type).addOutput(blob).addArg(shape).addArg(v);
    if (dtype != null) {
      op.addArg(Argument.newBuilder().setName("dtype").setI(dtype));
    }
    return op.build();
  }

  private static void addInts(Argument.Builder v, Tensor t) {
    for (int i = 0; i < t.size(); i++) {
      v.addInts(t.getLong(i));
    }
  }
}
