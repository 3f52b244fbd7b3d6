package dev.zerog.cli;

import dev.zerog.ResourceLimits;
import dev.zerog.ZerogException;
import picocli.CommandLine;

/** Reads a size option ({@code 4096}, {@code 512m}, {@code 2g}, {@code unlimited}) as bytes. */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return ResourceLimits.parseSize(value);
    } catch (ZerogException e) {
      throw new CommandLine.TypeConversionException(e.detail());
    }
  }
}
