package dev.altimeter.collector.polling;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code meters} rule list of a polling.yaml source: entries {@code *}, names, {@code !name}
 * and fnmatch globs ({@code *}, {@code ?}, {@code [seq]}, {@code [!seq]}).
 *
 * <p>Any matching exclusion rejects; else any matching inclusion accepts; else a name is accepted
 * only when the list holds exclusions only. Immutable and thread-safe.
 *
 * <p>Package-private on purpose: it will be unified with the pipeline.yaml filter.
 */
final class MeterSelection {
  private final List<Pattern> included;
  private final List<Pattern> excluded;
  private final List<String> rules;

  private MeterSelection(List<String> rules, List<Pattern> included, List<Pattern> excluded) {
    this.rules = List.copyOf(rules);
    this.included = included;
    this.excluded = excluded;
  }

  /**
   * Parses rules.
   *
   * @throws IllegalArgumentException naming the broken rule: empty list, blank entry, mixed
   *     inclusions and exclusions, or {@code *} together with other inclusions
   */
  static MeterSelection of(List<String> rules) {
    if (rules == null || rules.isEmpty()) throw new IllegalArgumentException("meters must not be empty");
    List<Pattern> in = new ArrayList<>();
    List<Pattern> out = new ArrayList<>();
    boolean wildcard = false;
    for (String rule : rules) {
      if (rule == null || rule.isBlank()) throw new IllegalArgumentException("a meters entry is empty");
      String r = rule.strip();
      if (r.startsWith("!")) {
        if (r.length() == 1) throw new IllegalArgumentException("a meters entry is a bare '!'");
        out.add(glob(r.substring(1)));
      } else {
        if (r.equals("*")) wildcard = true;
        in.add(glob(r));
      }
    }
    if (!in.isEmpty() && !out.isEmpty()) {
      throw new IllegalArgumentException("meters mixes included and excluded names: " + rules);
    }
    if (wildcard && in.size() > 1) {
      throw new IllegalArgumentException("meters has '*' together with included names: " + rules);
    }
    return new MeterSelection(rules, List.copyOf(in), List.copyOf(out));
  }

  boolean matches(String name) {
    for (Pattern p : excluded) if (p.matcher(name).matches()) return false;
    for (Pattern p : included) if (p.matcher(name).matches()) return true;
    return included.isEmpty();
  }

  List<String> rules() {
    return rules;
  }

  /** Translates an fnmatch pattern to a regex, as Python's fnmatch.translate does. */
  static Pattern glob(String pattern) {
    StringBuilder re = new StringBuilder();
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        re.append(".*");
      } else if (c == '?') {
        re.append('.');
      } else if (c == '[') {
        int j = i + 1;
        if (j < n && pattern.charAt(j) == '!') j++;
        if (j < n && pattern.charAt(j) == ']') j++;
        while (j < n && pattern.charAt(j) != ']') j++;
        if (j >= n) {
          re.append("\\[");
        } else {
          String set = pattern.substring(i + 1, j).replace("\\", "\\\\");
          if (set.startsWith("!")) set = "^" + set.substring(1);
          else if (set.startsWith("^")) set = "\\" + set;
          re.append('[').append(set).append(']');
          i = j;
        }
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  @Override
  public String toString() {
    return rules.toString();
  }
}
