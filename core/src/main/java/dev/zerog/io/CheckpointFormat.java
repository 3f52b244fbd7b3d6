package dev.zerog.io;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.zerog.MalformedInputException;
import dev.zerog.ResourceLimitException;
import dev.zerog.ZerogException;
import dev.zerog.proto.Caffe2.BlobProto;
import dev.zerog.proto.Caffe2.TensorProto;
import dev.zerog.tensor.Tensor;
import dev.zerog.tensor.TensorProtoConversion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * The zerog checkpoint file format ({@code .zgc}), version 1. All integers are little-endian.
 *
 * <pre>
 * header   magic    8 bytes   0x89 'Z' 'G' 'C' 'K' 'P' 'T' 0x0A
 *          version  u32       1
 *          flags    u32       0 (reserved)
 * record*  length   u32       L, 0 &lt; L &lt; 2^31 - the bytes of the body
 *          body     L bytes   a caffe2.BlobProto: name (the blob), type "Tensor", tensor (a TensorProto)
 *          crc      u32       CRC-32C of the body
 * footer   marker   u32       0xFFFFFFFF (a length no record has)
 *          count    u32       the number of records
 *          crc      u32       CRC-32C of every byte of the file before this field
 * </pre>
 *
 * <p>The file ends right after the footer. A reader verifies every record's CRC, the count and the whole-file CRC,
 * and refuses a file that is truncated, has bytes after the footer, two records of the same name, or a record
 * that is not a whole tensor, so that a damaged checkpoint is always an error, never wrong values.
 */
final class CheckpointFormat {
  static final byte[] MAGIC = {(byte) 0x89, 'Z', 'G', 'C', 'K', 'P', 'T', 0x0A};
  static final int VERSION = 1;
  static final int FOOTER_MARKER = 0xFFFFFFFF;
  static final int HEADER_BYTES = 16;
  static final int FOOTER_BYTES = 12;
  static final String TENSOR_TYPE = "Tensor";

  private CheckpointFormat() {}

  /** Writes the tensors, in the map's order, as a checkpoint to {@code out}. */
  static void write(Map<String, Tensor> tensors, OutputStream out) throws IOException {
    CRC32C whole = new CRC32C();
    byte[] header = new byte[HEADER_BYTES];
    System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
    putInt(header, 8, VERSION);
    putInt(header, 12, 0);
    emit(out, whole, header);
    int count = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      TensorProto tensor = TensorProtoConversion.toProto(e.getValue());
      byte[] body = BlobProto.newBuilder().setName(e.getKey()).setType(TENSOR_TYPE).setTensor(tensor).build()
          .toByteArray();
      CRC32C crc = new CRC32C();
      crc.update(body);
      byte[] length = new byte[4];
      putInt(length, 0, body.length);
      emit(out, whole, length);
      emit(out, whole, body);
      byte[] sum = new byte[4];
      putInt(sum, 0, (int) crc.getValue());
      emit(out, whole, sum);
      count++;
    }
    byte[] footer = new byte[8];
    putInt(footer, 0, FOOTER_MARKER);
    putInt(footer, 4, count);
    emit(out, whole, footer);
    byte[] sum = new byte[4];
    putInt(sum, 0, (int) whole.getValue());
    out.write(sum);
  }

  /**
   * Reads a checkpoint of {@code size} bytes: the tensors whose names {@code wanted} accepts, in the file's order,
   * after every byte of the file has been verified. With {@code keepDevice}, a record stored for a device other
   * than the CPU is refused (zerog has only the CPU). Errors are {@link MalformedInputException}s without a file
   * (the caller adds it).
   */
  static Map<String, Tensor> read(InputStream in, long size, Predicate<String> wanted, boolean keepDevice)
      throws IOException {
    CRC32C whole = new CRC32C();
    long remaining = size;
    if (remaining < HEADER_BYTES + FOOTER_BYTES) {
      throw new MalformedInputException("not a zerog checkpoint: " + size + " bytes is shorter than an empty"
          + " checkpoint (" + (HEADER_BYTES + FOOTER_BYTES) + " bytes); the file is truncated or of another kind");
    }
    byte[] header = readFully(in, HEADER_BYTES, "the header", whole);
    remaining -= HEADER_BYTES;
    if (!Arrays.equals(Arrays.copyOf(header, MAGIC.length), MAGIC)) {
      throw new MalformedInputException("not a zerog checkpoint: it does not start with \\x89ZGCKPT\\n");
    }
    int version = getInt(header, 8);
    if (version != VERSION) {
      throw new MalformedInputException("unsupported zerog checkpoint version " + Integer.toUnsignedString(version)
          + " (this zerog reads version " + VERSION + ")");
    }
    if (getInt(header, 12) != 0) {
      throw new MalformedInputException("the checkpoint header has unknown flags 0x"
          + Integer.toHexString(getInt(header, 12)));
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    Set<String> names = new HashSet<>();
    long count = 0;
    while (true) {
      if (remaining < FOOTER_BYTES) {
        throw truncated("before the footer");
      }
      byte[] lengthBytes = readFully(in, 4, "a record length", whole);
      remaining -= 4;
      int length = getInt(lengthBytes, 0);
      if (length == FOOTER_MARKER) {
        break;
      }
      if (length <= 0) {
        throw new MalformedInputException("record #" + count + " has a bad length " + Integer.toUnsignedString(length)
            + " (the file is corrupted)");
      }
      long room = remaining - 4 - FOOTER_BYTES;
      if (length > room) {
        throw truncated("inside record #" + count + ", which claims " + length + " bytes but only "
            + Math.max(0, room) + " can follow");
      }
      byte[] body;
      try {
        body = readFully(in, length, "record #" + count, whole);
      } catch (OutOfMemoryError e) {
        throw new ResourceLimitException("record #" + count + " of " + length + " bytes does not fit in the Java"
            + " heap (raise -Xmx)", e);
      }
      byte[] sum = readFully(in, 4, "the checksum of record #" + count, whole);
      remaining -= length + 4L;
      CRC32C crc = new CRC32C();
      crc.update(body);
      if ((int) crc.getValue() != getInt(sum, 0)) {
        throw new MalformedInputException("record #" + count + " fails its CRC-32C check (the file is corrupted)");
      }
      BlobProto blob;
      try {
        blob = BlobProto.parseFrom(body);
      } catch (InvalidProtocolBufferException e) {
        throw new MalformedInputException("record #" + count + " is not a valid BlobProto: " + e.getMessage(), e);
      }
      String name = blob.getName();
      if (name.isEmpty()) {
        throw new MalformedInputException("record #" + count + " has no blob name");
      }
      if (!names.add(name)) {
        throw (MalformedInputException) new MalformedInputException("two records of the checkpoint have this name")
            .atBlob(name);
      }
      if (!blob.getType().equals(TENSOR_TYPE) || !blob.hasTensor()) {
        throw (MalformedInputException) new MalformedInputException("record #" + count + " holds a blob of type '"
            + blob.getType() + "'" + (blob.hasTensor() ? "" : " without a tensor")
            + "; zerog checkpoints hold tensors only").atBlob(name);
      }
      if (keepDevice && blob.getTensor().hasDeviceDetail() && blob.getTensor().getDeviceDetail().getDeviceType() != 0) {
        throw (MalformedInputException) new MalformedInputException("the tensor is stored for device type "
            + blob.getTensor().getDeviceDetail().getDeviceType() + " and keep_device asks to keep it there;"
            + " zerog has only the CPU").atBlob(name);
      }
      if (wanted.test(name)) {
        try {
          out.put(name, TensorProtoConversion.fromProto(blob.getTensor()));
        } catch (ZerogException e) {
          throw e.atBlob(name);
        }
      }
      count++;
    }
    byte[] footer = readFully(in, 4, "the footer", whole);
    remaining -= 8;
    long expectedCount = Integer.toUnsignedLong(getInt(footer, 0));
    if (expectedCount != count) {
      throw new MalformedInputException("the footer counts " + expectedCount + " records but the file holds "
          + count + " (the file is corrupted)");
    }
    long computed = whole.getValue();
    byte[] sum = readFully(in, 4, "the file checksum", null);
    if ((int) computed != getInt(sum, 0)) {
      throw new MalformedInputException("the file fails its CRC-32C check (the file is corrupted)");
    }
    if (remaining != 0 || in.read() >= 0) {
      throw new MalformedInputException("the file has bytes after its footer (the file is corrupted)");
    }
    return out;
  }

  private static MalformedInputException truncated(String where) {
    return new MalformedInputException("truncated zerog checkpoint: it ends " + where);
  }

  private static byte[] readFully(InputStream in, int n, String what, CRC32C crc) throws IOException {
    byte[] b = new byte[n];
    int done = 0;
    while (done < n) {
      int r = in.read(b, done, n - done);
      if (r < 0) {
        throw truncated("inside " + what);
      }
      done += r;
    }
    if (crc != null) {
      crc.update(b);
    }
    return b;
  }

  private static void emit(OutputStream out, CRC32C crc, byte[] b) throws IOException {
    crc.update(b);
    out.write(b);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }

  private static int getInt(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
  }
}
