package dev.altimeter.collector.polling;

/**
 * A polling.yaml (or pollster definition) that cannot be used. The message names the file, the
 * line (1-based, {@code 0} when unknown), the source and the broken rule, e.g.
 * {@code polling.yaml:4: source 'cpu': interval must be a positive integer, got -1}.
 */
public final class PollingConfigException extends RuntimeException {
  private final String file;
  private final int line;
  private final String source;
  private final String rule;

  public PollingConfigException(String file, int line, String source, String rule) {
    super(file + (line > 0 ? ":" + line : "") + ": " + (source == null ? "" : "source '" + source + "': ") + rule);
    this.file = file;
    this.line = line;
    this.source = source;
    this.rule = rule;
  }

  public String file() { return file; }

  /** 1-based line, or 0 when unknown. */
  public int line() { return line; }

  /** The source's name, or {@code null} when the error is not inside a source. */
  public String source() { return source; }

  public String rule() { return rule; }
}
