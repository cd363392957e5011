package dev.altimeter.collector.config;

/**
 * A configuration file that cannot be used (pipeline.yaml, event_pipeline.yaml, polling.yaml,
 * pollster definitions, meters.yaml, event_definitions.yaml). The message reads {@code
 * <file>:<line>: <field>: <reason>}, e.g. {@code meters.yaml:42: metric[3] 'memory' field 'volume':
 * unexpected ')' at column 9} or {@code pipeline.yaml:7: source 'cpu_source': dangling sink
 * 'cpu_sink' (no sink has that name)}, so an operator can fix it without reading code; the line is
 * left out when it is not known, the field when the reason concerns the whole file.
 */
public final class ConfigException extends RuntimeException {
  private final String file;
  private final int line;
  private final String field;
  private final String reason;

  /**
   * @param line 1-based, or 0 when unknown
   * @param field where in the file, e.g. {@code source 'cpu'}; empty for the whole file
   */
  public ConfigException(String file, int line, String field, String reason) {
    super(file + (line > 0 ? ":" + line : "") + ": " + (field.isEmpty() ? "" : field + ": ") + reason);
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
  }

  /** The file as it was given (a path or file name, or {@code classpath:...} for the built-in files). */
  public String file() {
    return file;
  }

  /** 1-based line of the offending node, or 0 when unknown. */
  public int line() {
    return line;
  }

  /** Where in the file, e.g. {@code metric[3] 'memory' field 'volume'}; empty for the whole file. */
  public String field() {
    return field;
  }

  /** The rule broken, without file, line and field. */
  public String reason() {
    return reason;
  }
}
