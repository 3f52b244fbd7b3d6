package dev.zerog.io;

import dev.zerog.MalformedInputException;
import dev.zerog.ShapeException;
import dev.zerog.ZerogException;
import dev.zerog.ZerogIOException;
import dev.zerog.tensor.DataType;
import dev.zerog.tensor.Shapes;
import dev.zerog.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NumPy's {@code .npy} and {@code .npz} files, read into and written from {@link Tensor}s.
 *
 * <p><b>Types.</b> {@code f2} (FLOAT16), {@code f4} (FLOAT), {@code f8} (DOUBLE), {@code i1} (INT8),
 * {@code i2} (INT16), {@code i4} (INT32), {@code i8} (INT64), {@code u1} (UINT8), {@code u2} (UINT16) and
 * {@code b1} (BOOL), little- or big-endian on reading, little-endian on writing. STRING tensors, and NumPy
 * string, object, complex, structured and 32/64-bit unsigned arrays, are refused with an error that says so.
 *
 * <p><b>Layout.</b> C order only: a header with {@code fortran_order: True} is refused, naming the file.
 * 0-d arrays (shape {@code ()}) and arrays with a zero dimension are supported.
 *
 * <p><b>Headers</b> of format versions 1.0, 2.0 and 3.0 are read; the header dict is parsed by a strict
 * grammar, never evaluated, and may be at most {@link #MAX_HEADER_BYTES} long. A header that is malformed,
 * a file that is shorter than its header says, and a bad magic string are {@link MalformedInputException}s
 * naming the file; a shape with more elements than one tensor holds is a
 * {@link dev.zerog.ResourceLimitException}, raised before anything is allocated. Bytes after the array's data
 * are ignored, as NumPy ignores them. Files are written as version 1.0 (2.0 when the header would not fit),
 * the header padded so that the data starts at a multiple of 64 bytes, as NumPy does. Booleans are read as
 * true for any non-zero byte.
 *
 * <p><b>.npz</b> files are zip archives of {@code .npy} files, stored or deflated. {@link #readNpz} returns
 * them by name without the {@code .npy} suffix (a blob name with slashes is a path inside the archive, as
 * NumPy's {@code savez} makes it); an entry that is not a {@code .npy} file is an error.
 *
 * <p><b>Blob names as file names.</b> {@link #fileNameFor} and {@link #blobNameFor} turn a blob name into a
 * single file name and back, for writing one {@code .npy} per blob.
 *
 * <p>Every write is atomic ({@link FileIO#writeAtomically}).
 */
public final class Npy {
  private static final Logger LOG = LoggerFactory.getLogger(Npy.class);

  /** The longest header dict read, in bytes; NumPy's own headers for zerog's types are far shorter. */
  public static final int MAX_HEADER_BYTES = 65_536;

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int ALIGN = 64;
  private static final int CHUNK = 1 << 16;
  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

  private Npy() {}

  // ---------------------------------------------------------------------------------------------- .npy

  /** Reads a {@code .npy} file. */
  public static Tensor read(Path file) {
    long size;
    try {
      if (Files.isDirectory(file)) {
        throw new ZerogIOException("is a directory, not a file").atFile(file.toString());
      }
      size = Files.size(file);
    } catch (IOException e) {
      throw FileIO.readError(file, e);
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK)) {
      return read(in, size, file.toString());
    } catch (IOException e) {
      throw FileIO.readError(file, e);
    }
  }

  /** Reads {@code .npy} content from bytes; {@code sourceName} names it in errors. */
  public static Tensor fromBytes(byte[] data, String sourceName) {
    try {
      return read(new ByteArrayInputStream(data), data.length, sourceName);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array stream does not fail
    }
  }

  /** Writes a tensor as a {@code .npy} file (little-endian, C order). */
  public static void write(Tensor tensor, Path file) {
    String descr = checkWritable(tensor, null);
    FileIO.writeAtomically(file, out -> writeTo(tensor, descr, out));
  }

  /** The {@code .npy} bytes of a tensor. */
  public static byte[] toBytes(Tensor tensor) {
    String descr = checkWritable(tensor, null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeTo(tensor, descr, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array stream does not fail
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------------------------------------- .npz

  /** Reads a {@code .npz} archive: every array by its name without {@code .npy}, in the archive's order. */
  public static Map<String, Tensor> readNpz(Path file) {
    if (Files.isDirectory(file)) {
      throw new ZerogIOException("is a directory, not a file").atFile(file.toString());
    }
    if (!Files.exists(file)) {
      throw new ZerogIOException("file not found").atFile(file.toString());
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        if (entry.isDirectory()) {
          continue;
        }
        String entryName = entry.getName();
        String source = file + "[" + entryName + "]";
        if (!entryName.endsWith(".npy")) {
          throw (MalformedInputException) new MalformedInputException(
              "the archive holds '" + entryName + "', which is not a .npy array").atFile(file.toString());
        }
        String name = entryName.substring(0, entryName.length() - 4);
        if (out.containsKey(name)) {
          throw (MalformedInputException) new MalformedInputException(
              "the archive holds two arrays named '" + name + "'").atFile(file.toString());
        }
        long size = entry.getSize();
        try (InputStream in = new BufferedInputStream(zip.getInputStream(entry), CHUNK)) {
          out.put(name, read(in, size < 0 ? Long.MAX_VALUE : size, source));
        } catch (ZipException e) {
          throw (MalformedInputException) new MalformedInputException(
              "corrupt archive entry: " + e.getMessage(), e).atFile(source);
        }
      }
    } catch (ZipException e) {
      throw (MalformedInputException) new MalformedInputException(
          "not a valid .npz (zip) archive: " + e.getMessage(), e).atFile(file.toString());
    } catch (IllegalArgumentException e) {
      // java.util.zip reports an entry name that does not decode (bad UTF-8) this way.
      throw (MalformedInputException) new MalformedInputException(
          "not a valid .npz (zip) archive: an entry name is not valid text (" + e.getMessage() + ")")
          .atFile(file.toString());
    } catch (IOException e) {
      throw FileIO.readError(file, e);
    }
    LOG.debug("read {} arrays from {}", out.size(), file);
    return out;
  }

  /** Writes tensors as a {@code .npz} archive of stored (uncompressed) entries, as NumPy's {@code savez}. */
  public static void writeNpz(Map<String, Tensor> tensors, Path file) {
    writeNpz(tensors, file, false);
  }

  /**
   * Writes tensors as a {@code .npz} archive, each as {@code <name>.npy}, in the map's order; deflated when
   * {@code compressed}, as NumPy's {@code savez_compressed}.
   */
  public static void writeNpz(Map<String, Tensor> tensors, Path file, boolean compressed) {
    Map<String, String> descrs = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      String name = e.getKey();
      if (name == null || name.isEmpty()) {
        throw new ShapeException("an array in a .npz needs a non-empty name").atFile(file.toString());
      }
      try {
        descrs.put(name, checkWritable(e.getValue(), name));
      } catch (ZerogException ex) {
        throw ex.atFile(file.toString());
      }
    }
    FileIO.writeAtomically(file, out -> {
      try (ZipOutputStream zip = new ZipOutputStream(new KeepOpen(out))) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
          Tensor t = e.getValue();
          String descr = descrs.get(e.getKey());
          ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
          entry.setTimeLocal(FIXED_TIME); // so that the same tensors give the same bytes
          if (compressed) {
            entry.setMethod(ZipEntry.DEFLATED);
          } else {
            CrcCounter counter = new CrcCounter();
            writeTo(t, descr, counter);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(counter.count);
            entry.setCompressedSize(counter.count);
            entry.setCrc(counter.crc.getValue());
          }
          zip.putNextEntry(entry);
          writeTo(t, descr, zip);
          zip.closeEntry();
        }
      }
    });
  }

  // ---------------------------------------------------------------------------------------------- names

  /**
   * A file name (without extension) for a blob name: {@code %} becomes {@code %25}, {@code /} {@code %2F},
   * {@code \} {@code %5C}, and control characters {@code %XX}; a name made only of dots ({@code .},
   * {@code ..}) has its dots written {@code %2E}. Everything else is kept, so
   * {@code gpu_0/conv1_w} becomes {@code gpu_0%2Fconv1_w}. {@link #blobNameFor} is the inverse.
   */
  public static String fileNameFor(String blobName) {
    Objects.requireNonNull(blobName, "blobName");
    if (blobName.isEmpty()) {
      throw new ZerogException("an empty blob name has no file name");
    }
    boolean onlyDots = blobName.chars().allMatch(c -> c == '.');
    StringBuilder sb = new StringBuilder(blobName.length() + 8);
    for (int i = 0; i < blobName.length(); i++) {
      char c = blobName.charAt(i);
      if (c == '%' || c == '/' || c == '\\' || c < 0x20 || c == 0x7F || (onlyDots && c == '.')) {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * The blob name of a file name made by {@link #fileNameFor} (without extension): every {@code %XX} (two hex
   * digits, either case, below 80) becomes that character.
   *
   * @throws MalformedInputException if a {@code %} is not followed by two hex digits of an ASCII character
   */
  public static String blobNameFor(String fileName) {
    Objects.requireNonNull(fileName, "fileName");
    StringBuilder sb = new StringBuilder(fileName.length());
    for (int i = 0; i < fileName.length(); i++) {
      char c = fileName.charAt(i);
      if (c != '%') {
        sb.append(c);
        continue;
      }
      int hi = i + 1 < fileName.length() ? Character.digit(fileName.charAt(i + 1), 16) : -1;
      int lo = i + 2 < fileName.length() ? Character.digit(fileName.charAt(i + 2), 16) : -1;
      if (hi < 0 || lo < 0 || hi > 7) {
        throw (MalformedInputException) new MalformedInputException(
            "'%' at index " + i + " is not followed by two hex digits of an ASCII character").atFile(fileName);
      }
      sb.append((char) (hi * 16 + lo));
      i += 2;
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------- reading

  /** Reads one array from {@code in}, which holds at most {@code available} bytes. */
  private static Tensor read(InputStream in, long available, String source) throws IOException {
    try {
      return readArray(in, available);
    } catch (ZerogException e) {
      throw e.atFile(source);
    }
  }

  private static Tensor readArray(InputStream in, long available) throws IOException {
    byte[] preamble = new byte[8];
    int got = readUpTo(in, preamble, 0, 8);
    if (got < MAGIC.length || !startsWithMagic(preamble)) {
      throw new MalformedInputException("not a .npy file: it does not start with \\x93NUMPY");
    }
    if (got < 8) {
      throw new MalformedInputException("truncated .npy file: it ends inside the format version");
    }
    int major = preamble[6] & 0xFF;
    int minor = preamble[7] & 0xFF;
    if ((major != 1 && major != 2 && major != 3) || minor != 0) {
      throw new MalformedInputException("unsupported .npy format version " + major + "." + minor
          + " (zerog reads 1.0, 2.0 and 3.0)");
    }
    int lengthBytes = major == 1 ? 2 : 4;
    byte[] len = new byte[lengthBytes];
    if (readUpTo(in, len, 0, lengthBytes) < lengthBytes) {
      throw new MalformedInputException("truncated .npy file: it ends inside the header length");
    }
    ByteBuffer lengthBuffer = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = lengthBytes == 2 ? lengthBuffer.getShort() & 0xFFFFL : lengthBuffer.getInt() & 0xFFFFFFFFL;
    if (headerLength > MAX_HEADER_BYTES) {
      throw new MalformedInputException("the .npy header claims " + headerLength + " bytes; zerog reads headers of"
          + " at most " + MAX_HEADER_BYTES + " bytes");
    }
    long consumed = 8L + lengthBytes;
    if (headerLength > available - consumed) {
      throw new MalformedInputException("truncated .npy file: the header claims " + headerLength
          + " bytes but only " + Math.max(0, available - consumed) + " follow");
    }
    byte[] headerBytes = new byte[(int) headerLength];
    if (readUpTo(in, headerBytes, 0, headerBytes.length) < headerBytes.length) {
      throw new MalformedInputException("truncated .npy file: it ends inside the header");
    }
    consumed += headerLength;
    String headerText;
    if (major == 3) {
      try {
        headerText = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(headerBytes)).toString();
      } catch (CharacterCodingException e) {
        throw new MalformedInputException("bad .npy header: a version 3.0 header must be UTF-8");
      }
    } else {
      headerText = new String(headerBytes, StandardCharsets.ISO_8859_1);
    }
    NpyHeader header = NpyHeader.parse(headerText);
    if (header.fortranOrder()) {
      throw new MalformedInputException("the array is stored in Fortran (column-major) order; zerog reads only"
          + " C order (save it with numpy.ascontiguousarray)");
    }
    long[] dims = header.shape();
    int n = Shapes.checkedElementCount(dims);
    long dataBytes = (long) n * header.dtype().itemSize();
    if (dataBytes > available - consumed) {
      throw new MalformedInputException("truncated .npy file: a " + header.descr() + " array of shape "
          + Shapes.format(dims) + " needs " + dataBytes + " bytes of data but only "
          + Math.max(0, available - consumed) + " follow the header");
    }
    return readData(in, header, dims, n);
  }

  private static Tensor readData(InputStream in, NpyHeader header, long[] dims, int n) throws IOException {
    DataType dtype = header.dtype();
    int itemSize = dtype.itemSize();
    byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(itemSize, (long) n * itemSize))];
    ByteBuffer bb = ByteBuffer.wrap(buf).order(header.order());
    int perChunk = buf.length / itemSize;
    Tensor result = Tensor.allocate(dtype, dims);
    Object array = result.data();
    for (int done = 0; done < n; ) {
      int count = Math.min(perChunk, n - done);
      int bytes = count * itemSize;
      if (readUpTo(in, buf, 0, bytes) < bytes) {
        throw new MalformedInputException("truncated .npy file: it ends after " + done + " of " + n + " elements");
      }
      bb.clear();
      switch (dtype) {
        case FLOAT:
          bb.asFloatBuffer().get((float[]) array, done, count);
          break;
        case DOUBLE:
          bb.asDoubleBuffer().get((double[]) array, done, count);
          break;
        case INT32:
          bb.asIntBuffer().get((int[]) array, done, count);
          break;
        case INT64:
          bb.asLongBuffer().get((long[]) array, done, count);
          break;
        case UINT16:
        case INT16:
        case FLOAT16:
          bb.asShortBuffer().get((short[]) array, done, count);
          break;
        case UINT8:
        case INT8:
          System.arraycopy(buf, 0, array, done, count);
          break;
        case BOOL: {
          boolean[] a = (boolean[]) array;
          for (int i = 0; i < count; i++) {
            a[done + i] = buf[i] != 0;
          }
          break;
        }
        default:
          throw new AssertionError(dtype);
      }
      done += count;
    }
    return result;
  }

  private static boolean startsWithMagic(byte[] b) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (b[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  /** Reads up to {@code len} bytes, stopping early only at the end of the stream; returns how many. */
  private static int readUpTo(InputStream in, byte[] b, int off, int len) throws IOException {
    int total = 0;
    while (total < len) {
      int r = in.read(b, off + total, len - total);
      if (r < 0) {
        break;
      }
      total += r;
    }
    return total;
  }

  // ---------------------------------------------------------------------------------------------- writing

  /** The descr of a tensor .npy can hold; an error for one it cannot. */
  private static String checkWritable(Tensor t, String name) {
    Objects.requireNonNull(t, "tensor");
    String descr = NpyHeader.descrOf(t.dtype());
    if (descr == null) {
      throw (ShapeException) new ShapeException("a " + t.dtype() + " tensor cannot be stored in .npy by zerog"
          + " (numeric and BOOL tensors only)").atBlob(name);
    }
    return descr;
  }

  private static void writeTo(Tensor t, String descr, OutputStream out) throws IOException {
    byte[] header = headerBytes(descr, t.dims());
    out.write(header);
    int n = t.size();
    int itemSize = t.dtype().itemSize();
    byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(itemSize, (long) n * itemSize))];
    ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
    int perChunk = buf.length / itemSize;
    boolean zero = t.isKnownZero();
    for (int done = 0; done < n; ) {
      int count = Math.min(perChunk, n - done);
      bb.clear();
      if (zero) {
        java.util.Arrays.fill(buf, 0, count * itemSize, (byte) 0);
      } else {
        switch (t.dtype()) {
          case FLOAT:
            bb.asFloatBuffer().put(t.floats(), done, count);
            break;
          case DOUBLE:
            bb.asDoubleBuffer().put(t.doubles(), done, count);
            break;
          case INT32:
            bb.asIntBuffer().put(t.ints(), done, count);
            break;
          case INT64:
            bb.asLongBuffer().put(t.longs(), done, count);
            break;
          case UINT16:
          case INT16:
          case FLOAT16:
            bb.asShortBuffer().put(t.shorts(), done, count);
            break;
          case UINT8:
          case INT8:
            System.arraycopy(t.bytes(), done, buf, 0, count);
            break;
          case BOOL: {
            boolean[] a = t.bools();
            for (int i = 0; i < count; i++) {
              buf[i] = (byte) (a[done + i] ? 1 : 0);
            }
            break;
          }
          default:
            throw new AssertionError(t.dtype());
        }
      }
      out.write(buf, 0, count * itemSize);
      done += count;
    }
  }

  /**
   * Magic, version, header length and the header dict padded with spaces and a final newline so that the
   * data starts at a multiple of 64 bytes, exactly as NumPy pads it (a whole 64 bytes when already aligned).
   */
  static byte[] headerBytes(String descr, long[] shape) {
    byte[] dict = NpyHeader.format(descr, shape).getBytes(StandardCharsets.ISO_8859_1);
    int major = 1;
    int prefix = MAGIC.length + 2 + 2;
    int padded = alignedLength(prefix + dict.length + 1);
    if (padded - prefix > 0xFFFF) {
      major = 2;
      prefix = MAGIC.length + 2 + 4;
      padded = alignedLength(prefix + dict.length + 1);
    }
    int headerLength = padded - prefix;
    ByteBuffer b = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      b.putShort((short) headerLength);
    } else {
      b.putInt(headerLength);
    }
    b.put(dict);
    while (b.position() < padded - 1) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    return b.array();
  }

  private static int alignedLength(int unpadded) {
    return unpadded + (ALIGN - unpadded % ALIGN);
  }

  /** An output stream that only counts bytes and their CRC-32, to size a stored zip entry before writing it. */
  private static final class CrcCounter extends OutputStream {
    final CRC32 crc = new CRC32();
    long count;

    @Override
    public void write(int b) {
      crc.update(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      crc.update(b, off, len);
      count += len;
    }
  }

  /** Passes writes through but not {@code close}, so that a zip stream can be finished and released. */
  private static final class KeepOpen extends OutputStream {
    private final OutputStream out;

    KeepOpen(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
