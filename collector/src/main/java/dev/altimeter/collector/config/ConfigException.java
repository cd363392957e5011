package dev.altimeter.collector.notification.definition;

/**
 * A meters.yaml or event_definitions.yaml that cannot be used. The message names the file, the
 * line and the field, e.g. {@code meters.yaml:42: metric[3] 'memory' field 'volume': unexpected ')'
 * at column 9}, so an operator can fix it without reading code.
 */
public final class DefinitionException extends RuntimeException {
  private final String file;
  private final int line;
  private final String field;

  DefinitionException(String file, int line, String field, String reason) {
    super(file + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + reason);
    this.file = file;
    this.line = line;
    this.field = field;
  }

  /** The file as it was given (a path, or {@code classpath:...} for the built-in files). */
  public String file() {
    return file;
  }

  /** 1-based line of the offending node. */
  public int line() {
    return line;
  }

  /** Where in the file, e.g. {@code metric[3] 'memory' field 'volume'}; empty for the whole file. */
  public String field() {
    return field;
  }
}
