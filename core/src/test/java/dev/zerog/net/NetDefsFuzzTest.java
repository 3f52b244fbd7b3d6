package dev.zerog.net;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerog.proto.Caffe2.NetDef;
import dev.zerog.proto.Caffe2.TensorProtos;
import dev.zerog.testing.FuzzChecks;

/**
 * Fuzz targets for reading NetDefs: protobuf's binary and text formats, and the content sniffing used when the
 * extension says nothing. Hostile bytes must give a NetDef or a {@link dev.zerog.ZerogException} that names the
 * source; never another exception, a hang or an exhausted heap. A NetDef that parses must also survive writing
 * and reading back. See docs/fuzzing.md.
 */
class NetDefsFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void binary(byte[] data) throws Exception {
    FuzzChecks.expectZerogErrorsOnly(() -> {
      NetDef net = NetDefs.parse(data, "fuzz.pb", NetDefs.Format.BINARY);
      roundTrip(net);
    });
  }

  @FuzzTest(maxDuration = "10s")
  void text(byte[] data) throws Exception {
    FuzzChecks.expectZerogErrorsOnly(() -> {
      NetDef net = NetDefs.parse(data, "fuzz.pbtxt", NetDefs.Format.TEXT);
      roundTrip(net);
    });
  }

  @FuzzTest(maxDuration = "10s")
  void sniffed(byte[] data) throws Exception {
    FuzzChecks.expectZerogErrorsOnly(() -> NetDefs.parse(data, "fuzz", null));
    FuzzChecks.expectZerogErrorsOnly(() -> NetDefs.parse(data, "fuzz", null, TensorProtos.getDefaultInstance()));
  }

  private static void roundTrip(NetDef net) {
    NetDef viaText = NetDefs.parseText(NetDefs.toText(net), "round-trip.pbtxt");
    NetDef viaBinary = NetDefs.parse(NetDefs.toBinary(net), "round-trip.pb", NetDefs.Format.BINARY);
    if (!viaBinary.equals(net)) {
      throw new AssertionError("binary round trip changed the NetDef");
    }
    if (!NetDefs.toText(viaText).equals(NetDefs.toText(net))) {
      throw new AssertionError("text round trip changed the NetDef");
    }
  }
}
