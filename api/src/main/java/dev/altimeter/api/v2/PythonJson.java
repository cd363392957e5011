package dev.altimeter.api.v2;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.stereotype.Component;
import tools.jackson.core.PrettyPrinter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON as Ceilometer's API rendered it: Python's {@code json.dumps} with its default separators,
 * {@code ", "} between items and {@code ": "} after a key, on one line ({@code {}} and {@code []} when
 * empty). Scripts and tests match strings such as {@code "base": "application/json"}. Applied to the
 * service's JSON mapper, so every answer (and {@link #MAPPER}'s, for what is written by hand) looks
 * the same.
 */
@Component
class PythonJson implements JsonMapperBuilderCustomizer {
  private static final Separators SEPARATORS = Separators.createDefaultInstance()
      .withObjectNameValueSpacing(Separators.Spacing.AFTER)
      .withObjectEntrySpacing(Separators.Spacing.AFTER)
      .withArrayElementSpacing(Separators.Spacing.AFTER)
      .withObjectEmptySeparator("")
      .withArrayEmptySeparator("");
  static final PrettyPrinter PRINTER = printer(SEPARATORS);
  /**
   * {@link #PRINTER} without the blank Jackson puts between top-level values: for an array written
   * element by element, the elements joined by a bare {@code ,} as Spring's encoder joins those of a
   * {@code Flux} ({@link MetersController}'s echo).
   */
  static final PrettyPrinter ELEMENT_PRINTER = printer(SEPARATORS.withRootSeparator(""));

  /** For JSON the API writes itself (fault documents). */
  static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT).defaultPrettyPrinter(PRINTER).build();

  private static PrettyPrinter printer(Separators separators) {
    return new DefaultPrettyPrinter(separators)
        .withObjectIndenter(DefaultPrettyPrinter.NopIndenter.instance())
        .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance());
  }

  @Override
  public void customize(JsonMapper.Builder builder) {
    builder.enable(SerializationFeature.INDENT_OUTPUT).defaultPrettyPrinter(PRINTER);
  }
}
