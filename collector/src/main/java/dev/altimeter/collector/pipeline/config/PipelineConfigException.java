package dev.altimeter.collector.pipeline.config;

/**
 * A pipeline file that cannot be used. The message reads {@code <file>:<line>: <where>: <rule>},
 * e.g. {@code pipeline.yaml:7: source 'cpu_source': dangling sink 'cpu_sink' (no sink has that name)}.
 */
public final class PipelineConfigException extends RuntimeException {
  private final String file;
  private final int line;

  public PipelineConfigException(String file, int line, String message) {
    super(file + ":" + line + ": " + message);
    this.file = file;
    this.line = line;
  }

  public String file() {
    return file;
  }

  /** 1-based line number. */
  public int line() {
    return line;
  }
}
