package dev.zerog.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerog.ZerogIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRootTest {
  @TempDir Path tmp;
  Path root;
  Path outside;

  @BeforeEach
  void dirs() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside"));
  }

  @Test
  void relativePathsResolveUnderTheRoot() throws IOException {
    FileRoot r = FileRoot.of(root);
    assertThat(r.resolve("ckpt.zgc")).isEqualTo(root.toRealPath().resolve("ckpt.zgc"));
    assertThat(r.resolve("a/b/./c.zgc")).isEqualTo(root.toRealPath().resolve("a/b/c.zgc"));
    assertThat(r.outsideAllowed()).isFalse();
  }

  @Test
  void theWorkingDirectoryIsTheDefault() {
    assertThat(FileRoot.workingDirectory().directory()).isEqualTo(Path.of("").toAbsolutePath());
  }

  @Test
  void absolutePathsAreRefused() {
    assertThatThrownBy(() -> FileRoot.of(root).resolve("/tmp/x"))
        .isInstanceOf(ZerogIOException.class)
        .hasMessage("/tmp/x: refused: the path is an absolute path; paths are resolved under the root " + root
            + ", and absolute ones are refused unless the caller allows files outside it");
  }

  @Test
  void dotDotIsRefusedEvenWhenItStaysInside() {
    for (String p : new String[] {"../outside", "a/../../x", "a/../b"}) {
      assertThatThrownBy(() -> FileRoot.of(root).resolve(p)).as(p)
          .isInstanceOf(ZerogIOException.class)
          .hasMessageContaining("'..'");
    }
  }

  @Test
  void aDirectoryLinkLeadingOutIsRefused() throws IOException {
    Files.createSymbolicLink(root.resolve("escape"), outside);
    assertThatThrownBy(() -> FileRoot.of(root).resolve("escape/ckpt.zgc"))
        .isInstanceOf(ZerogIOException.class)
        .hasMessageContaining("leads out of the root")
        .hasMessageContaining("through a symbolic link");
  }

  @Test
  void aFileLinkLeadingOutIsRefused() throws IOException {
    Files.writeString(outside.resolve("secret"), "x");
    Files.createSymbolicLink(root.resolve("ckpt.zgc"), outside.resolve("secret"));
    assertThatThrownBy(() -> FileRoot.of(root).resolve("ckpt.zgc"))
        .isInstanceOf(ZerogIOException.class)
        .hasMessageContaining("leads out of the root");
  }

  @Test
  void aDanglingLinkIsRefused() throws IOException {
    Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("missing/deeper"));
    assertThatThrownBy(() -> FileRoot.of(root).resolve("dangling"))
        .isInstanceOf(ZerogIOException.class)
        .hasMessageContaining("whose target does not exist");
  }

  @Test
  void linksThatStayInsideAreFollowed() throws IOException {
    Files.createDirectories(root.resolve("real"));
    Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
    assertThat(FileRoot.of(root).resolve("alias/x.zgc")).isEqualTo(root.toRealPath().resolve("real/x.zgc"));
  }

  @Test
  void aRootThatIsItselfALinkWorks() throws IOException {
    Path link = Files.createSymbolicLink(tmp.resolve("rootlink"), root);
    assertThat(FileRoot.of(link).resolve("x.zgc")).isEqualTo(root.toRealPath().resolve("x.zgc"));
  }

  @Test
  void outsideAllowedTakesAbsoluteAndDotDotPaths() {
    FileRoot r = FileRoot.of(root).allowingOutside();
    assertThat(r.outsideAllowed()).isTrue();
    assertThat(r.resolve("/tmp/x")).isEqualTo(Path.of("/tmp/x"));
    assertThat(r.resolve("../outside/y")).isEqualTo(outside.resolve("y"));
  }

  @Test
  void emptyAndInvalidPathsAreRefused() {
    assertThatThrownBy(() -> FileRoot.of(root).resolve("")).isInstanceOf(ZerogIOException.class)
        .hasMessageContaining("is empty");
    assertThatThrownBy(() -> FileRoot.of(root).resolve("a\0b")).isInstanceOf(ZerogIOException.class)
        .hasMessageContaining("not a valid path");
  }
}
