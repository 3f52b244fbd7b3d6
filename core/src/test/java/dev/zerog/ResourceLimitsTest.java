package dev.zerog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResourceLimitsTest {
  @AfterEach
  void clearProperties() {
    System.clearProperty(ResourceLimits.TENSOR_BYTES_PROPERTY);
    System.clearProperty(ResourceLimits.WORKSPACE_BYTES_PROPERTY);
  }

  @Test
  void parsesSizesWithSuffixes() {
    assertThat(ResourceLimits.parseSize("0")).isZero();
    assertThat(ResourceLimits.parseSize("1536")).isEqualTo(1536);
    assertThat(ResourceLimits.parseSize("4k")).isEqualTo(4096);
    assertThat(ResourceLimits.parseSize("512M")).isEqualTo(512L << 20);
    assertThat(ResourceLimits.parseSize(" 2g ")).isEqualTo(2L << 30);
    assertThat(ResourceLimits.parseSize("3GB")).isEqualTo(3L << 30);
    assertThat(ResourceLimits.parseSize("1t")).isEqualTo(1L << 40);
    assertThat(ResourceLimits.parseSize("unlimited")).isEqualTo(ResourceLimits.UNLIMITED);
  }

  @Test
  void refusesWhatIsNotASize() {
    for (String bad : new String[] {"", "k", "-1", "1.5g", "12x", "99999999999999999999", "9000000000t"}) {
      assertThatThrownBy(() -> ResourceLimits.parseSize(bad)).as(bad).isInstanceOf(ZerogException.class);
    }
  }

  @Test
  void defaultsFitTheHeap() {
    long heap = Runtime.getRuntime().maxMemory();
    ResourceLimits d = ResourceLimits.defaults();
    assertThat(d.maxTensorBytes()).isEqualTo(heap / 2);
    assertThat(d.maxWorkspaceBytes()).isEqualTo(heap - heap / 5);
  }

  @Test
  void systemPropertiesOverrideTheDefaults() {
    System.setProperty(ResourceLimits.TENSOR_BYTES_PROPERTY, "1m");
    System.setProperty(ResourceLimits.WORKSPACE_BYTES_PROPERTY, "unlimited");
    ResourceLimits d = ResourceLimits.defaults();
    assertThat(d.maxTensorBytes()).isEqualTo(1 << 20);
    assertThat(d.maxWorkspaceBytes()).isEqualTo(ResourceLimits.UNLIMITED);
  }

  @Test
  void aBadPropertyIsAnErrorNamingIt() {
    System.setProperty(ResourceLimits.TENSOR_BYTES_PROPERTY, "lots");
    assertThatThrownBy(ResourceLimits::defaults)
        .isInstanceOf(ZerogException.class)
        .hasMessageContaining("zerog.maxTensorBytes")
        .hasMessageContaining("'lots' is not a size");
  }

  @Test
  void capsCannotBeNegative() {
    assertThatThrownBy(() -> ResourceLimits.of(-1, 10)).isInstanceOf(ZerogException.class);
    assertThat(ResourceLimits.of(10, 20).withMaxTensorBytes(5)).isEqualTo(ResourceLimits.of(5, 20));
    assertThat(ResourceLimits.of(10, 20).withMaxWorkspaceBytes(7).maxWorkspaceBytes()).isEqualTo(7);
  }

  @Test
  void describesBytes() {
    assertThat(ResourceLimits.describeBytes(12)).isEqualTo("12 bytes");
    assertThat(ResourceLimits.describeBytes(1536)).isEqualTo("1536 bytes (1.5 KiB)");
    assertThat(ResourceLimits.describeBytes(ResourceLimits.UNLIMITED)).isEqualTo("unlimited");
  }
}
