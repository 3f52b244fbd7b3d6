package dev.zerog.io;

import dev.zerog.proto.Caffe2.BlobProto;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Checkpoint bytes built from the layout docs/robustness.md documents, independently of zerog's writer, so that
 * tests can make files zerog would never write (other devices, other blob types) and check the documentation.
 */
public final class CheckpointBytes {
  private CheckpointBytes() {}

  /** A checkpoint holding these records, in order. */
  public static byte[] of(List<BlobProto> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'Z', 'G', 'C', 'K', 'P', 'T', '\n'});
    out.writeBytes(le(1));
    out.writeBytes(le(0));
    for (BlobProto r : records) {
      byte[] body = r.toByteArray();
      CRC32C crc = new CRC32C();
      crc.update(body);
      out.writeBytes(le(body.length));
      out.writeBytes(body);
      out.writeBytes(le((int) crc.getValue()));
    }
    out.writeBytes(le(0xFFFFFFFF));
    out.writeBytes(le(records.size()));
    CRC32C whole = new CRC32C();
    whole.update(out.toByteArray());
    out.writeBytes(le((int) whole.getValue()));
    return out.toByteArray();
  }

  private static byte[] le(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }
}
