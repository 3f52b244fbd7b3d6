package dev.zerog.grad;

import dev.zerog.GradientException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A glob over blob names, as {@code --freeze} and {@code --param} take them: {@code *} matches any run of
 * characters (none included), {@code ?} any one character, and every other character itself ({@code conv1_*},
 * {@code fc?_w}, {@code W1}). The whole name must match.
 */
public final class BlobPattern {
  private final String glob;

  private BlobPattern(String glob) {
    this.glob = glob;
  }

  /** The pattern {@code glob}; an empty pattern is a {@link GradientException}. */
  public static BlobPattern of(String glob) {
    Objects.requireNonNull(glob, "glob");
    if (glob.isEmpty()) {
      throw new GradientException("a blob name pattern is empty");
    }
    return new BlobPattern(glob);
  }

  /** True if the whole of {@code name} matches. */
  public boolean matches(String name) {
    // Iterative glob matching with one backtrack point: linear in practice, no regular expressions.
    int p = 0;
    int n = 0;
    int star = -1;
    int mark = 0;
    while (n < name.length()) {
      if (p < glob.length() && (glob.charAt(p) == '?' || glob.charAt(p) == name.charAt(n))) {
        p++;
        n++;
      } else if (p < glob.length() && glob.charAt(p) == '*') {
        star = p++;
        mark = n;
      } else if (star >= 0) {
        p = star + 1;
        n = ++mark;
      } else {
        return false;
      }
    }
    while (p < glob.length() && glob.charAt(p) == '*') {
      p++;
    }
    return p == glob.length();
  }

  /**
   * The names that match at least one of the patterns, in the order of {@code names}. A pattern that matches no
   * name is a {@link GradientException} naming it (a typo would otherwise select nothing in silence); {@code what}
   * names the candidates in that message ("parameter").
   */
  public static List<String> select(Collection<String> names, Collection<String> patterns, String what) {
    List<BlobPattern> compiled = new ArrayList<>();
    for (String p : patterns) {
      compiled.add(of(p));
    }
    Set<String> out = new LinkedHashSet<>();
    boolean[] used = new boolean[compiled.size()];
    for (String name : names) {
      for (int i = 0; i < compiled.size(); i++) {
        if (compiled.get(i).matches(name)) {
          used[i] = true;
          out.add(name);
        }
      }
    }
    for (int i = 0; i < used.length; i++) {
      if (!used[i]) {
        List<String> some = new ArrayList<>(names).subList(0, Math.min(names.size(), 10));
        throw new GradientException("the pattern '" + compiled.get(i) + "' matches no " + what + " (the "
            + what + "s are " + String.join(", ", some) + (names.size() > 10 ? ", ..." : "") + ")");
      }
    }
    return new ArrayList<>(out);
  }

  @Override
  public String toString() {
    return glob;
  }
}
