package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a load of definition files leaves out. Lenient (Ceilometer's way, the default of the
 * service): an invalid definition, or a file that cannot be read as definitions, is skipped with
 * one error line naming file, line and field, and the rest loads. Strict: the first one fails the
 * load. Used by one load on one thread.
 */
final class SkippedDefinitions {
  private static final Logger LOG = LoggerFactory.getLogger(SkippedDefinitions.class);

  private final boolean strict;
  private final String kind;
  private final List<ConfigException> errors = new ArrayList<>();

  /** @param kind what is loaded, for the log line: {@code meter definition} or {@code event definition} */
  SkippedDefinitions(boolean strict, String kind) {
    this.strict = strict;
    this.kind = kind;
  }

  /**
   * Skips what {@code e} describes.
   *
   * @throws ConfigException {@code e} itself when strict
   */
  void skip(ConfigException e) {
    if (strict) throw e;
    LOG.error("Skipped invalid {}: {}", kind, e.getMessage());
    errors.add(e);
  }

  List<ConfigException> errors() {
    return List.copyOf(errors);
  }
}
