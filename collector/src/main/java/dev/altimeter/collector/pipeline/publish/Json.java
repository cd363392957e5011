package dev.altimeter.collector.pipeline.publish;

import tools.jackson.databind.json.JsonMapper;

/** The shared Jackson mapper of the publishers (thread-safe). */
final class Json {
  static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  static byte[] bytes(Object value) {
    return MAPPER.writeValueAsBytes(value);
  }

  static String string(Object value) {
    return MAPPER.writeValueAsString(value);
  }
}
