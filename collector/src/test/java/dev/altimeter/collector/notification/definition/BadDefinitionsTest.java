package dev.altimeter.collector.notification.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.config.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Invalid files fail to load with a message naming the file, the line and the field. */
class BadDefinitionsTest {
  static final String METERS = "src/test/resources/bad/meters/";
  static final String EVENTS = "src/test/resources/bad/events/";

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      bad-type.yaml       | 5  | metric[0] 'cpu'.type | invalid type gage specified (gauge, delta or cumulative)
      bad-jsonpath.yaml   | 7  | metric[0] 'image.size'.volume | parse error in JSONPath '$.payload.size)': unexpected ')' at column 15
      missing-field.yaml  | 10 | metric[1] 'image.download' | required fields [resource_id] not specified
      bad-regex.yaml      | 6  | metric[0] 'memory'.event_type[1] | invalid regular expression 'compute.(instance.*': Unclosed group
      unknown-plugin.yaml | 9  | metric[0] 'compute.instance.booting.time'.volume.plugin | no plugin named 'timediff' (known: split, bitfield, timedelta, map)
      not-yaml.yaml       | 5  | | not valid YAML: expected <block end>, but found '<block mapping start>'
      bad-split.yaml      | 10 | metric[0] 'volume.provider.pool.capacity.total'.metadata.provider | parse error in JSONPath '$.payload.name_to_id.`split(#, first)`': `split(#, first)` is not valid, expected `split(c, segment, max_split)`
      """)
  void badMeterDefinitions(String file, int line, String field, String reason) {
    String path = METERS + file;
    assertThatThrownBy(() -> MeterDefinitions.loadFile(Path.of(path)))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.file()).isEqualTo(path);
          assertThat(e.line()).isEqualTo(line);
          assertThat(e.field()).isEqualTo(field == null ? "" : field);
          assertThat(e.getMessage()).isEqualTo(path + ":" + line + ": " + (field == null ? "" : field + ": ") + reason);
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', textBlock = """
      bad-trait-type.yaml      ; 7 ; [0].traits.memory_mb.type ; invalid trait type 'integer' for trait memory_mb (text, int, float or datetime)
      missing-traits.yaml      ; 6 ; [1] ; required field traits not specified
      bad-fields.yaml          ; 7 ; [0].traits.resource_id.fields ; parse error in JSONPath '(payload.network.id)|(payload..[)': unexpected ')' at column 33
      plugin-without-name.yaml ; 7 ; [0].traits.host.plugin ; plugin specified, but no plugin name supplied
      no-fields.yaml           ; 5 ; [0].traits.host ; the field 'fields' is required
      """)
  void badEventDefinitions(String file, int line, String field, String reason) {
    String path = EVENTS + file;
    assertThatThrownBy(() -> EventDefinitions.load(Path.of(path), EventDefinitions.Options.DEFAULTS))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.getMessage()).isEqualTo(path + ":" + line + ": " + field + ": " + reason);
          assertThat(e.line()).isEqualTo(line);
        });
  }

  @Test
  void theReferenceFilesLoad(@org.junit.jupiter.api.io.TempDir Path dir) throws java.io.IOException {
    assertThat(MeterDefinitions.builtIn().names()).hasSize(38).contains("memory", "image.size",
        "$.payload.measurements.[*].metric.[*].name", "manila.share.size");
    assertThat(EventDefinitions.builtIn(EventDefinitions.Options.DEFAULTS)).isNotNull();
    java.nio.file.Files.copy(Path.of("src/main/resources/ceilometer/meters.yaml"), dir.resolve("meters.yaml"));
    assertThat(MeterDefinitions.load(java.util.List.of(dir)).names())
        .isEqualTo(MeterDefinitions.builtIn().names());
  }
}
