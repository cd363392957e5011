package dev.altimeter.collector.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Ceilometer's meter (or event type) selection of pipeline.yaml, event_pipeline.yaml and
 * polling.yaml: entries {@code *}, a name, {@code !name}, and shell globs ({@code fnmatch}, e.g.
 * {@code disk.*}, {@code !disk.*}, {@code ?}, {@code [seq]}, {@code [!seq]}), case-sensitive.
 *
 * <p>Validation ({@link #of}): the list must not be empty; included names (entries starting with
 * neither {@code !} nor {@code *}) cannot be mixed with exclusions; {@code *} cannot be given with
 * included names. Matching ({@link #matches}): any matching {@code !pattern} rejects; else any
 * matching positive pattern accepts; else the name is accepted iff the list has only exclusions.
 *
 * <p>Immutable and thread-safe.
 */
public final class MeterFilter {
  private final List<String> patterns;
  private final boolean all;
  private final Set<String> exactIncludes = new HashSet<>();
  private final List<Pattern> globIncludes = new ArrayList<>();
  private final Set<String> exactExcludes = new HashSet<>();
  private final List<Pattern> globExcludes = new ArrayList<>();
  private final boolean onlyExclusions;

  private MeterFilter(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    boolean star = false;
    boolean onlyEx = true;
    for (String p : patterns) {
      if (p.startsWith("!")) {
        String body = p.substring(1);
        if (isGlob(body)) globExcludes.add(translate(body)); else exactExcludes.add(body);
      } else {
        onlyEx = false;
        if (p.equals("*")) star = true;
        else if (isGlob(p)) globIncludes.add(translate(p));
        else exactIncludes.add(p);
      }
    }
    this.all = star;
    this.onlyExclusions = onlyEx;
  }

  /**
   * Validates and compiles {@code patterns}.
   *
   * @param what the plural noun for messages, {@code meters} or {@code events}
   * @throws IllegalArgumentException naming the rule broken: {@code No meters specified},
   *     {@code Both included and excluded meters specified}, {@code Included meters specified with
   *     wildcard}, or an empty or non-string entry
   */
  public static MeterFilter of(Collection<String> patterns, String what) {
    if (patterns == null || patterns.isEmpty()) throw new IllegalArgumentException("No " + what + " specified");
    boolean included = false;
    boolean excluded = false;
    boolean wildcard = false;
    for (String p : patterns) {
      if (p == null || p.isEmpty()) throw new IllegalArgumentException("Empty entry in " + what);
      char c = p.charAt(0);
      if (c == '!') excluded = true;
      else if (c != '*') included = true;
      if (p.equals("*")) wildcard = true;
    }
    if (included && excluded) throw new IllegalArgumentException("Both included and excluded " + what + " specified");
    if (wildcard && included) throw new IllegalArgumentException("Included " + what + " specified with wildcard");
    return new MeterFilter(new ArrayList<>(patterns));
  }

  /** Accepts every name ({@code ["*"]}). */
  public static MeterFilter all() {
    return of(List.of("*"), "meters");
  }

  public boolean matches(String name) {
    if (excludes(name)) return false;
    if (all || exactIncludes.contains(name)) return true;
    for (Pattern p : globIncludes) {
      if (p.matcher(name).matches()) return true;
    }
    return onlyExclusions;
  }

  /**
   * Whether a {@code !pattern} entry matches the name: the name is rejected whatever else the list
   * says. A polling source uses it for the meters of a pollster it selects by the pollster's name.
   */
  public boolean excludes(String name) {
    if (exactExcludes.contains(name)) return true;
    for (Pattern p : globExcludes) {
      if (p.matcher(name).matches()) return true;
    }
    return false;
  }

  /** The entries as configured. */
  public List<String> patterns() {
    return patterns;
  }

  private static boolean isGlob(String p) {
    return p.indexOf('*') >= 0 || p.indexOf('?') >= 0 || p.indexOf('[') >= 0;
  }

  /** Python's {@code fnmatch.translate}: whole-string match, {@code *}, {@code ?}, {@code [...]}. */
  public static Pattern translate(String glob) {
    StringBuilder re = new StringBuilder();
    int i = 0;
    int n = glob.length();
    while (i < n) {
      char c = glob.charAt(i++);
      if (c == '*') {
        re.append(".*");
      } else if (c == '?') {
        re.append('.');
      } else if (c == '[') {
        int j = i;
        if (j < n && glob.charAt(j) == '!') j++;
        if (j < n && glob.charAt(j) == ']') j++;
        while (j < n && glob.charAt(j) != ']') j++;
        if (j >= n) {
          re.append("\\[");
        } else {
          String stuff = glob.substring(i, j);
          i = j + 1;
          StringBuilder cls = new StringBuilder("[");
          int k = 0;
          if (stuff.startsWith("!")) {
            cls.append('^');
            k = 1;
          } else if (stuff.startsWith("^")) {
            cls.append("\\^");
            k = 1;
          }
          for (; k < stuff.length(); k++) {
            char d = stuff.charAt(k);
            if (d == '\\' || d == '[' || d == ']' || d == '&' || d == '~' || d == '|') cls.append('\\');
            cls.append(d);
          }
          re.append(cls).append(']');
        }
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  @Override
  public String toString() {
    return patterns.toString();
  }
}
