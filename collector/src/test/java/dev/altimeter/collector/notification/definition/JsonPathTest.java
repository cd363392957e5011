package dev.altimeter.collector.notification.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonPathTest {
  static final Map<String, Object> DOC = Map.of(
      "publisher_id", "compute.host-1.example",
      "ctxt", Map.of("user_id", "u1", "user", "u2"),
      "payload", Map.of(
          "size", 19,
          "name_to_id", "host@backend#pool",
          "metrics", List.of(
              Map.of("name", "cpu.frequency", "value", 1600, "unit", "MHz"),
              Map.of("name", "cpu.percent", "value", 0.5, "unit", "%")),
          "glance_metadata", List.of(Map.of("key", "image_id", "value", "img-1"), Map.of("key", "x", "value", "y")),
          "image_meta", Map.of("org.openstack__1__architecture", "x86_64"),
          "target", Map.of("id", "account"),
          "outcome", "success",
          "n", 7));

  static List<Object> values(String path) throws Exception {
    return JsonPath.parse(path).find(DOC).stream().map(JsonPath.Match::value).toList();
  }

  @Test
  void fieldsRootAndQuotedNames() throws Exception {
    assertThat(values("$.payload.size")).containsExactly(19);
    assertThat(values("payload.size")).containsExactly(19);
    assertThat(values("payload.image_meta.'org.openstack__1__architecture'")).containsExactly("x86_64");
    assertThat(values("payload.missing")).isEmpty();
    assertThat(values("payload.size.deeper")).isEmpty(); // a field of a number matches nothing
    assertThat(values("gauge")).isEmpty(); // how constants such as "type: gauge" fall back to the literal
  }

  @Test
  void unionIsAllLeftMatchesThenRight() throws Exception {
    assertThat(values("(ctxt.user_id)|(ctxt.user)")).containsExactly("u1", "u2");
    assertThat(values("(ctxt.nobody)|(ctxt.user)")).containsExactly("u2");
    // jsonpath-rw: '|' binds tighter than '.', so this is ctxt.(user_id|ctxt).user
    assertThat(values("ctxt.user_id|ctxt.user")).isEmpty();
  }

  @Test
  void indexesSlicesAndWildcards() throws Exception {
    assertThat(values("$.payload.metrics.[*].name")).containsExactly("cpu.frequency", "cpu.percent");
    assertThat(values("$.payload.metrics[1].unit")).containsExactly("%");
    assertThat(values("$.payload.metrics[5].unit")).isEmpty();
    assertThat(values("$.payload.target.[*].id")).containsExactly("account"); // an object is a list of one
    assertThat(values("$.payload.metrics[0:1].name")).containsExactly("cpu.frequency");
  }

  @Test
  void filters() throws Exception {
    assertThat(values("$.payload.metrics[?(@.name='cpu.frequency')].value")).containsExactly(1600);
    assertThat(values("$.payload.glance_metadata[?key=image_id].value")).containsExactly("img-1");
    assertThat(values("$.payload.metrics[?(@.value > 1000)].name")).containsExactly("cpu.frequency");
    assertThat(values("$.payload.metrics[?(@.value = 1600 & @.unit = MHz)].name")).containsExactly("cpu.frequency");
  }

  @Test
  void arithmeticAndStrings() throws Exception {
    assertThat(values("$.payload.metrics[?(@.name='cpu.percent')].value * 100")).containsExactly(50.0);
    assertThat(values("$.payload.n * 3")).containsExactly(21L);
    assertThat(values("$.payload.target.id + \"_\" + $.payload.outcome")).containsExactly("account_success");
    assertThat(values("$.payload.outcome.`sub(/.*/, )` + 'identity.authenticate.' + $.payload.outcome"))
        .containsExactly("identity.authenticate.success");
    assertThat(values("$.payload.size + \"x\"")).isEmpty(); // int + str raises in Python: no value
  }

  @Test
  void split() throws Exception {
    assertThat(values("$.payload.name_to_id.`split(#, 0, 1)`")).containsExactly("host@backend");
    assertThat(values("publisher_id.`split(., 1, 1)`")).containsExactly("host-1.example");
    assertThat(values("publisher_id.`split(., 0, -1)`")).containsExactly("compute");
    assertThat(values("publisher_id.`split(., 5, -1)`")).isEmpty();
    assertThat(values("payload.metrics.`len`")).containsExactly(2L);
  }

  @Test
  void matchesCarryTheirPath() throws Exception {
    assertThat(JsonPath.parse("payload.metrics[1].name").find(DOC)).extracting(JsonPath.Match::path)
        .containsExactly("payload.metrics.[1].name");
  }

  @Test
  void parseErrorsSayWhere() {
    assertThatThrownBy(() -> JsonPath.parse("$.payload.(size")).hasMessage("unexpected end of path at column 16");
    assertThatThrownBy(() -> JsonPath.parse("$.payload.`upper`")).hasMessage("unknown named operator `upper` at column 11");
    assertThatThrownBy(() -> JsonPath.parse("$.a & $.b")).hasMessage("'&' (intersection) is not supported, at column 5");
    assertThatThrownBy(() -> JsonPath.parse("5")).hasMessage("a path is expected, not the number '5'");
    assertThatThrownBy(() -> JsonPath.parse("hardware.cpu.load.1min"))
        .hasMessage("a number cannot be a step of a path, near '.' at column 18");
    assertThatThrownBy(() -> JsonPath.parse("$.a ^ b")).hasMessage("unexpected character '^' at column 5");
  }
}
