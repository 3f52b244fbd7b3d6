package dev.zerog.net;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.TextFormatParseLocation;
import dev.zerog.MalformedInputException;
import dev.zerog.ResourceLimitException;
import dev.zerog.ZerogException;
import dev.zerog.io.FileIO;
import dev.zerog.proto.Caffe2.NetDef;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading and writing Caffe2 protobuf messages (NetDef, and any other message of caffe2.proto such as
 * TensorProto, TensorProtos, PlanDef or BlobProto) in binary and text format.
 *
 * <p><b>Which format.</b> The file's extension decides ({@link Format#forPath}): {@code .pb} is binary;
 * {@code .pbtxt}, {@code .prototxt}, {@code .txt}, {@code .textproto} and {@code .pbtext} are text. Any other
 * extension ({@code .bin}, none at all) says nothing, and the content decides: bytes that are valid UTF-8
 * without control characters (other than tab, line feed, vertical tab, form feed and carriage return) are
 * parsed as text; if that fails, they are tried as binary, which is accepted only when every field is one
 * caffe2.proto knows, else the text error is reported. Bytes that do not look like text are parsed as binary.
 * Empty input is the empty message in both formats.
 *
 * <p><b>Text format</b> is protobuf's, parsed by protobuf's own parser with the rules of Caffe2's C++ reader:
 * an unknown field is an error, and so is a non-repeated field given twice. Errors carry the file and the
 * 1-based line and column ({@link ZerogException#line()}, {@link ZerogException#column()}). A leading UTF-8
 * byte order mark is skipped. Written text is ASCII (other characters are escaped), fields in field-number
 * order, so the same message always gives the same bytes.
 *
 * <p><b>Binary format</b> errors name the file. Fields that caffe2.proto does not know (written by a newer
 * Caffe2, say) are kept, as protobuf does, and logged.
 *
 * <p><b>Writing</b> is atomic ({@link FileIO#writeAtomically}). The format follows the extension; a file
 * whose extension says nothing is written as text, which {@link #read} reads back by its content.
 */
public final class NetDefs {
  private static final Logger LOG = LoggerFactory.getLogger(NetDefs.class);

  private static final TextFormat.Parser TEXT_PARSER = TextFormat.Parser.newBuilder()
      .setAllowUnknownFields(false)
      .setSingularOverwritePolicy(TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
      .build();

  private static final Pattern POSITIONED = Pattern.compile("^(-?\\d+:-?\\d+):\\s*(.*)$");

  private static final TextFormat.Printer TEXT_PRINTER = TextFormat.printer().escapingNonAscii(true);

  private NetDefs() {}

  /** The two encodings of a protobuf message. */
  public enum Format {
    /** Protobuf's binary wire format ({@code .pb}). */
    BINARY,
    /** Protobuf's text format ({@code .pbtxt}, {@code .prototxt}, {@code .txt}, ...). */
    TEXT;

    /**
     * The format a file's extension names (case-insensitive), or null when the extension says nothing and
     * the content must decide.
     */
    public static Format forPath(Path file) {
      Path name = file.getFileName();
      if (name == null) {
        return null;
      }
      String s = name.toString();
      int dot = s.lastIndexOf('.');
      if (dot < 0) {
        return null;
      }
      switch (s.substring(dot + 1).toLowerCase(Locale.ROOT)) {
        case "pb":
          return BINARY;
        case "pbtxt":
        case "prototxt":
        case "txt":
        case "textproto":
        case "pbtext":
          return TEXT;
        default:
          return null;
      }
    }
  }

  /** Reads a NetDef from a file, in the format its extension or content says. */
  public static NetDef read(Path file) {
    return read(file, NetDef.getDefaultInstance());
  }

  /**
   * Reads a message of {@code defaultInstance}'s type (for example {@code TensorProtos.getDefaultInstance()})
   * from a file, in the format its extension or content says.
   *
   * @throws dev.zerog.ZerogIOException if the file cannot be read
   * @throws MalformedInputException if the content does not parse
   */
  public static <T extends Message> T read(Path file, T defaultInstance) {
    byte[] data = FileIO.readAll(file);
    return parse(data, file.toString(), Format.forPath(file), defaultInstance);
  }

  /**
   * Parses a NetDef from bytes.
   *
   * @param sourceName the name errors give as the file (a path, or something like "&lt;stdin&gt;")
   * @param formatOrNull the format, or null to decide by the content
   */
  public static NetDef parse(byte[] data, String sourceName, Format formatOrNull) {
    return parse(data, sourceName, formatOrNull, NetDef.getDefaultInstance());
  }

  /** Parses a message of {@code defaultInstance}'s type from bytes; see {@link #parse(byte[], String, Format)}. */
  public static <T extends Message> T parse(byte[] data, String sourceName, Format formatOrNull, T defaultInstance) {
    try {
      return parseBytes(data, sourceName, formatOrNull, defaultInstance);
    } catch (OutOfMemoryError e) {
      throw (ResourceLimitException) new ResourceLimitException("the Java heap is too small to parse "
          + data.length + " bytes (raise -Xmx)", e).atFile(sourceName);
    }
  }

  private static <T extends Message> T parseBytes(byte[] data, String sourceName, Format formatOrNull,
      T defaultInstance) {
    if (formatOrNull == Format.BINARY) {
      return parseBinary(data, sourceName, defaultInstance, true);
    }
    if (formatOrNull == Format.TEXT) {
      return parseTextBytes(data, sourceName, defaultInstance);
    }
    if (data.length == 0) {
      LOG.debug("{}: empty, read as an empty {}", sourceName, typeName(defaultInstance));
      return defaultInstance;
    }
    if (looksLikeText(data)) {
      try {
        T message = parseTextBytes(data, sourceName, defaultInstance);
        LOG.debug("{}: read as text format", sourceName);
        return message;
      } catch (MalformedInputException textError) {
        T binary = tryBinaryWithoutUnknownFields(data, defaultInstance);
        if (binary != null) {
          LOG.debug("{}: looked like text but is binary", sourceName);
          return binary;
        }
        throw textError;
      }
    }
    T message = parseBinary(data, sourceName, defaultInstance, false);
    LOG.debug("{}: read as binary", sourceName);
    return message;
  }

  /** Parses a NetDef from text format, as in a test fixture or a string built in code. */
  public static NetDef parseText(CharSequence text, String sourceName) {
    return parseText(text, sourceName, NetDef.getDefaultInstance());
  }

  /** Parses a message of {@code defaultInstance}'s type from text format. */
  public static <T extends Message> T parseText(CharSequence text, String sourceName, T defaultInstance) {
    Message.Builder builder = defaultInstance.newBuilderForType();
    CharSequence body = text.length() > 0 && text.charAt(0) == '\uFEFF' ? text.subSequence(1, text.length()) : text;
    try {
      TEXT_PARSER.merge(body, builder);
    } catch (TextFormat.ParseException e) {
      throw (MalformedInputException) new MalformedInputException(describe(e, defaultInstance), e)
          .atFile(sourceName)
          .atPosition(e.getLine(), e.getColumn());
    }
    if (!builder.isInitialized()) {
      throw (MalformedInputException) new MalformedInputException("a " + typeName(defaultInstance)
          + " misses required fields: " + String.join(", ", builder.findInitializationErrors()))
          .atFile(sourceName);
    }
    @SuppressWarnings("unchecked")
    T message = (T) builder.build();
    return message;
  }

  /**
   * Adds to an error about an operator of the NetDef in {@code file} the 1-based line and column where that
   * operator begins, when the file is in text format and the error names an op index but no position yet. The file
   * is read again (errors are rare, and the net itself keeps no positions); if it cannot be read or parsed, or is
   * binary, the error is returned unchanged. Returns {@code e}.
   */
  public static ZerogException withOpPosition(ZerogException e, Path file) {
    if (e.opIndex() < 0 || e.line() >= 0) {
      return e;
    }
    try {
      byte[] data = FileIO.readAll(file);
      Format format = Format.forPath(file);
      if (format == Format.BINARY || (format == null && !looksLikeText(data))) {
        return e;
      }
      int[] at = opPosition(new String(data, StandardCharsets.UTF_8), e.opIndex());
      if (at != null) {
        e.atPosition(at[0], at[1]);
      }
    } catch (ZerogException | IllegalArgumentException ignored) {
      // The error about the op stands on its own.
    }
    return e;
  }

  /**
   * The 1-based line and column where op #{@code index} of a text NetDef begins (its {@code op} field name), or
   * null when the text does not parse or has no such op.
   */
  public static int[] opPosition(CharSequence text, int index) {
    CharSequence body = text.length() > 0 && text.charAt(0) == '\uFEFF' ? text.subSequence(1, text.length()) : text;
    TextFormatParseInfoTree.Builder tree = TextFormatParseInfoTree.builder();
    try {
      TextFormat.Parser.newBuilder().setParseInfoTreeBuilder(tree).build().merge(body, NetDef.newBuilder());
    } catch (TextFormat.ParseException e) {
      return null;
    }
    FieldDescriptor opField = NetDef.getDescriptor().findFieldByNumber(NetDef.OP_FIELD_NUMBER);
    TextFormatParseInfoTree info = tree.build();
    if (index < 0 || index >= info.getLocations(opField).size()) {
      return null;
    }
    TextFormatParseLocation at = info.getLocation(opField, index);
    return new int[] {at.getLine() + 1, at.getColumn() + 1};
  }

  /**
   * Writes a message to a file atomically, in the format the extension names; text when the extension says
   * nothing.
   */
  public static void write(Message message, Path file) {
    Format f = Format.forPath(file);
    write(message, file, f == null ? Format.TEXT : f);
  }

  /** Writes a message to a file atomically, in the given format whatever the extension. */
  public static void write(Message message, Path file, Format format) {
    byte[] bytes = format == Format.BINARY ? toBinary(message) : toText(message).getBytes(StandardCharsets.UTF_8);
    FileIO.writeAtomically(file, bytes);
  }

  /** The message in text format: ASCII, stable (the same message always gives the same string). */
  public static String toText(MessageOrBuilder message) {
    return TEXT_PRINTER.printToString(message);
  }

  /** The message in binary format. */
  public static byte[] toBinary(Message message) {
    return message.toByteArray();
  }

  private static <T extends Message> T parseTextBytes(byte[] data, String sourceName, T defaultInstance) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(data);
    CharBuffer out = CharBuffer.allocate(data.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int offset = in.position();
      int[] lineColumn = lineAndColumn(data, offset);
      throw (MalformedInputException) new MalformedInputException("not valid UTF-8 text (byte offset " + offset
          + "); a binary protobuf file should be named .pb")
          .atFile(sourceName)
          .atPosition(lineColumn[0], lineColumn[1]);
    }
    decoder.flush(out);
    out.flip();
    return parseText(out, sourceName, defaultInstance);
  }

  private static <T extends Message> T parseBinary(byte[] data, String sourceName, T defaultInstance,
      boolean formatNamed) {
    T message;
    try {
      @SuppressWarnings("unchecked")
      T parsed = (T) defaultInstance.getParserForType().parseFrom(data);
      message = parsed;
    } catch (InvalidProtocolBufferException e) {
      String detail = "not a valid binary " + typeName(defaultInstance) + ": " + e.getMessage();
      if (formatNamed && looksLikeText(data)) {
        detail += " (the content looks like text format; is the file meant to be .pbtxt?)";
      } else if (!formatNamed) {
        detail += " (and not text format either)";
      }
      throw (MalformedInputException) new MalformedInputException(detail, e).atFile(sourceName);
    }
    if (LOG.isWarnEnabled() && hasUnknownFields(message)) {
      LOG.warn("{}: the {} has fields that zerog's caffe2.proto does not know; they are kept but not used",
          sourceName, typeName(defaultInstance));
    }
    return message;
  }

  private static <T extends Message> T tryBinaryWithoutUnknownFields(byte[] data, T defaultInstance) {
    try {
      @SuppressWarnings("unchecked")
      T parsed = (T) defaultInstance.getParserForType().parseFrom(data);
      return hasUnknownFields(parsed) ? null : parsed;
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /** True if the message or any message inside it has fields its type does not declare. */
  static boolean hasUnknownFields(Message message) {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      return true;
    }
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      if (e.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (e.getKey().isRepeated()) {
        for (Object o : (List<?>) e.getValue()) {
          if (hasUnknownFields((Message) o)) {
            return true;
          }
        }
      } else if (hasUnknownFields((Message) e.getValue())) {
        return true;
      }
    }
    return false;
  }

  /**
   * True if the bytes are valid UTF-8 with no control characters other than tab, line feed, vertical tab, form
   * feed and carriage return: the test used to tell text format from binary when the extension says nothing.
   */
  static boolean looksLikeText(byte[] data) {
    for (byte b : data) {
      int c = b & 0xFF;
      if (c < 0x20 && (c < 0x09 || c > 0x0D) || c == 0x7F) {
        return false;
      }
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CoderResult r = decoder.decode(ByteBuffer.wrap(data), CharBuffer.allocate(data.length), true);
    return !r.isError();
  }

  /** The 1-based line and column of a byte offset (columns count bytes). */
  private static int[] lineAndColumn(byte[] data, int offset) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < offset && i < data.length; i++) {
      if (data[i] == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new int[] {line, column};
  }

  /**
   * The parser's message without its "line:column: " prefix (the exception carries the position), and an
   * unknown-field report on one line.
   */
  private static String describe(TextFormat.ParseException e, Message type) {
    String raw = e.getMessage() == null ? "" : e.getMessage();
    String[] rawLines = raw.split("\n");
    String first = rawLines[0].replaceFirst("^-?\\d+:-?\\d+:\\s*", "").trim();
    if (first.startsWith("Input contains unknown fields") && rawLines.length > 1) {
      // One line per unknown field follows: "line:column:<tab>full.field.name".
      List<String> names = new ArrayList<>();
      List<String> more = new ArrayList<>();
      for (int i = 1; i < rawLines.length; i++) {
        String l = rawLines[i].trim();
        Matcher m = POSITIONED.matcher(l);
        String name = m.matches() ? m.group(2) : l;
        if (!name.isEmpty()) {
          names.add(name);
          if (names.size() > 1) {
            more.add(m.matches() ? name + " at " + m.group(1) : name);
          }
        }
      }
      if (names.isEmpty()) {
        return first;
      }
      StringBuilder sb = new StringBuilder();
      String name = names.get(0);
      int dot = name.lastIndexOf('.');
      if (dot > 0 && !name.startsWith("[")) {
        sb.append("unknown field '").append(name.substring(dot + 1)).append("' in ").append(name, 0, dot);
      } else {
        sb.append("unknown field ").append(name);
      }
      if (!more.isEmpty()) {
        sb.append(" (and ").append(more.size()).append(" more: ").append(String.join(", ", more)).append(')');
      }
      return sb.toString();
    }
    List<String> lines = new ArrayList<>();
    for (String l : rawLines) {
      lines.add(l.replaceFirst("^-?\\d+:-?\\d+:\\s*", "").trim());
    }
    String detail = String.join(" ", lines).trim();
    return detail.isEmpty() ? "cannot parse the text format of a " + typeName(type) : detail;
  }

  private static String typeName(Message m) {
    return m.getDescriptorForType().getFullName();
  }
}
