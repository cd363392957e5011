package dev.altimeter.collector.notification.definition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.notification.Notification;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ceilometer's rules for definitions, one at a time, on small inline files. */
class DefinitionSemanticsTest {
  @TempDir
  Path dir;

  static final Instant TS = Instant.parse("2024-05-01T10:00:00.123456Z");

  static Notification notification(String priority, String eventType, Map<String, Object> payload,
      Map<String, Object> context) {
    return new Notification(priority, "compute.host1", eventType, TS, "msg-1", payload, context);
  }

  Path write(String name, String yaml) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, yaml);
    return p;
  }

  static String meter(String name, String eventType, String extra) {
    return "  - name: '" + name + "'\n    event_type: '" + eventType + "'\n    type: gauge\n    unit: u\n"
        + "    volume: $.payload.v\n    resource_id: $.payload.r\n" + extra;
  }

  @Test
  void eventTypesAreRegexesMatchedAtTheStart() throws IOException {
    write("m.yaml", "metric:\n" + meter("a", "compute.instance.(?!create.start|update).*", ""));
    MeterDefinitions m = MeterDefinitions.load(List.of(dir));
    Map<String, Object> p = Map.of("v", 1, "r", "r1");
    assertThat(m.toSamples(notification("info", "compute.instance.exists", p, Map.of()))).hasSize(1);
    assertThat(m.toSamples(notification("info", "compute.instance.update", p, Map.of()))).isEmpty();
    assertThat(m.toSamples(notification("info", "compute.instance.create.start", p, Map.of()))).isEmpty();
    assertThat(m.toSamples(notification("info", "compute_instance_x", p, Map.of()))).hasSize(1); // '.' is any char
    assertThat(m.toSamples(notification("info", "xcompute.instance.exists", p, Map.of()))).isEmpty();
  }

  @Test
  void definitionsShareTheirNotificationsMetadataOnlyWhenTheySpecifyTheSame() throws IOException {
    // a, c and e say the same (c through a YAML merge); b names the same paths in another order and
    // d under another name; f has none (the payload then); a sample that is not made shares nothing
    write("m.yaml", "metric:\n"
        + meter("a", "x", "    metadata: &m\n      h: $.payload.h\n      f: $.payload.f\n")
        + meter("b", "x", "    metadata:\n      f: $.payload.f\n      h: $.payload.h\n")
        + meter("c", "x", "    metadata:\n      <<: *m\n")
        + meter("d", "x", "    metadata:\n      h: $.payload.f\n      f: $.payload.h\n")
        + meter("e", "x", "    metadata: *m\n    volume: $.payload.missing\n").replace("    volume: $.payload.v\n", "")
        + meter("f", "x", ""));
    MeterDefinitions m = MeterDefinitions.load(List.of(dir));
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("v", 1);
    p.put("r", "r1");
    p.put("h", "host1");
    p.put("f", "flavor1");
    Map<String, Sample> byMeter = new LinkedHashMap<>();
    for (Sample s : m.toSamples(notification("info", "x", p, Map.of()))) byMeter.put(s.meter(), s);
    assertThat(byMeter).containsOnlyKeys("a", "b", "c", "d", "f");
    assertThat(byMeter.get("a").resourceMetadata()).isEqualTo(Map.of("h", "host1", "f", "flavor1"));
    assertThat(List.copyOf(byMeter.get("b").resourceMetadata().keySet())).containsExactly("f", "h");
    assertThat(byMeter.get("c").resourceMetadata()).isSameAs(byMeter.get("a").resourceMetadata());
    assertThat(byMeter.get("d").resourceMetadata()).isEqualTo(Map.of("h", "flavor1", "f", "host1"));
    assertThat(byMeter.get("f").resourceMetadata()).containsEntry("event_type", "x").containsEntry("r", "r1");
    // and per notification: the next one gets its own
    p.put("h", "host2");
    Sample c2 = m.toSamples(notification("info", "x", p, Map.of())).stream().filter(s -> s.meter().equals("c"))
        .findFirst().orElseThrow();
    assertThat(c2.resourceMetadata()).isEqualTo(Map.of("h", "host2", "f", "flavor1"));
  }

  @Test
  void sampleIdsAreTheVersion3UuidsOfMessageIdMeterAndIndex() {
    // stored ids must never change between versions: a redelivery after an upgrade is a duplicate
    for (String[] c : new String[][] {{"msg-1", "a"}, {"dae6f69c-00e0-41c0-b371-41ec3b7f4451", "memory"},
        {"m\u00e9\u4e2d\ud83d\ude00", "disk.root.size"}, {"", "x"}}) {
      for (int index : new int[] {0, 7, 12345}) {
        assertThat(MeterDefinition.sampleId(c[0], c[1], index)).isEqualTo(java.util.UUID.nameUUIDFromBytes(
            (c[0] + "\n" + c[1] + "\n" + index).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      }
    }
  }

  @Test
  void onlyInfoAndSamplePrioritiesMakeSamples() throws IOException {
    write("m.yaml", "metric:\n" + meter("a", "x", ""));
    MeterDefinitions m = MeterDefinitions.load(List.of(dir));
    Map<String, Object> p = Map.of("v", 1, "r", "r1");
    assertThat(m.toSamples(notification("INFO", "x", p, Map.of()))).hasSize(1);
    assertThat(m.toSamples(notification("sample", "x", p, Map.of()))).hasSize(1);
    assertThat(m.toSamples(notification("error", "x", p, Map.of()))).isEmpty();
    assertThat(m.toSamples(notification("warn", "x", p, Map.of()))).isEmpty();
  }

  @Test
  void defaultsComeFromTheContextAndTheNotification() throws IOException {
    write("m.yaml", "metric:\n" + meter("a", "x", ""));
    Sample s = MeterDefinitions.load(List.of(dir)).toSamples(notification("info", "x",
        Map.of("v", "2.5", "r", 42, "other", "o"), Map.of("user", "u-ctx", "tenant_id", "p-ctx"))).get(0);
    assertThat(s.userId()).isEqualTo("u-ctx");
    assertThat(s.projectId()).isEqualTo("p-ctx");
    assertThat(s.volume()).isEqualTo(2.5);
    assertThat(s.resourceId()).isEqualTo("42");
    assertThat(s.timestamp()).isEqualTo(TS);
    assertThat(s.source()).isEqualTo("openstack");
    // no metadata paths: the payload, the event type and the publisher as host
    assertThat(s.resourceMetadata()).isEqualTo(Map.of("v", "2.5", "r", 42, "other", "o", "event_type", "x",
        "host", "compute.host1"));
    assertThat(s.messageId()).isEqualTo(MeterDefinition.sampleId("msg-1", "a", 0));
  }

  @Test
  void samplesWithoutVolumeOrResourceAreDropped() throws IOException {
    write("m.yaml", "metric:\n" + meter("a", "x", ""));
    MeterDefinitions m = MeterDefinitions.load(List.of(dir));
    assertThat(m.toSamples(notification("info", "x", Map.of("r", "r1"), Map.of()))).isEmpty();
    assertThat(m.toSamples(notification("info", "x", Map.of("v", "many", "r", "r1"), Map.of()))).isEmpty();
    assertThat(m.toSamples(notification("info", "x", Map.of("v", 1), Map.of()))).isEmpty();
  }

  @Test
  void lastDefinitionOfANameInAFileWinsAndTheEarlierFileWinsAcrossFiles() throws IOException {
    write("10-first.yaml", "metric:\n" + meter("a", "x", "") .replace("unit: u", "unit: first-old")
        + meter("a", "x", "").replace("unit: u", "unit: first-new"));
    write("20-second.yaml", "metric:\n" + meter("a", "x", "").replace("unit: u", "unit: second")
        + meter("b", "x", ""));
    write("ignored.yml", "not: [yaml");
    MeterDefinitions m = MeterDefinitions.load(List.of(dir));
    assertThat(m.names()).containsExactly("a", "b");
    List<Sample> samples = m.toSamples(notification("info", "x", Map.of("v", 1, "r", "r1"), Map.of()));
    assertThat(samples).extracting(Sample::meter, Sample::unit).containsExactly(
        org.assertj.core.groups.Tuple.tuple("a", "first-new"), org.assertj.core.groups.Tuple.tuple("b", "u"));
  }

  @Test
  void lookupMakesOneSamplePerValueAndSkipsMismatchedLengths() throws IOException {
    write("m.yaml", """
        metric:
          - name: $.payload.metrics.[*].name
            event_type: 'magnum.bay.metrics.*'
            type: 'gauge'
            unit: $.payload.metrics.[*].unit
            volume: $.payload.metrics.[*].value
            resource_id: $.payload.resource_id
            lookup: ['name', 'unit', 'volume']
        """);
    MeterDefinitions m = MeterDefinitions.load(List.of(dir));
    List<Map<String, Object>> metrics = List.of(Map.of("name", "m1", "unit", "B", "value", 3),
        Map.of("name", "m2", "unit", "s", "value", 4.5));
    List<Sample> samples = m.toSamples(notification("info", "magnum.bay.metrics.update",
        Map.of("metrics", metrics, "resource_id", "bay-1"), Map.of()));
    assertThat(samples).extracting(Sample::meter, Sample::unit, Sample::volume, Sample::resourceId).containsExactly(
        org.assertj.core.groups.Tuple.tuple("m1", "B", 3.0, "bay-1"),
        org.assertj.core.groups.Tuple.tuple("m2", "s", 4.5, "bay-1"));
    assertThat(samples.get(1).messageId()).isEqualTo(MeterDefinition.sampleId("msg-1", "m2", 1));

    List<Map<String, Object>> oneWithoutUnit = List.of(Map.of("name", "m1", "unit", "B", "value", 3),
        Map.of("name", "m2", "value", 4.5));
    assertThat(m.toSamples(notification("info", "magnum.bay.metrics.update",
        Map.of("metrics", oneWithoutUnit, "resource_id", "bay-1"), Map.of()))).isEmpty();
    assertThat(m.toSamples(notification("info", "magnum.bay.metrics.update",
        Map.of("resource_id", "bay-1"), Map.of()))).isEmpty();
  }

  @Test
  void pluginsSplitMapAndBitfield() throws IOException {
    write("m.yaml", "metric:\n" + meter("a", "x", """
            metadata:
              region:
                fields: $.payload.host
                plugin:
                  name: split
                  parameters: {separator: '-', segment: -1}
              state:
                fields: $.payload.state
                plugin:
                  name: map
                  parameters: {values: {ACTIVE: up, SHUTOFF: down}, default: unknown, case_sensitive: false}
              flags:
                fields: [$.payload.a, $.payload.b]
                plugin:
                  name: bitfield
                  parameters:
                    initial_bitfield: 0
                    flags: [{path: payload.a, bit: 0}, {path: payload.b, bit: 3, value: 'on'}]
        """));
    Sample s = MeterDefinitions.load(List.of(dir)).toSamples(notification("info", "x",
        Map.of("v", 1, "r", "r1", "host", "node-7-eu", "state", "active", "a", 1, "b", "on"), Map.of())).get(0);
    assertThat(s.resourceMetadata()).isEqualTo(Map.of("region", "eu", "state", "up", "flags", 9L));
  }

  @Test
  void userMetadataKeepsMeteringKeys() throws IOException {
    write("m.yaml", "metric:\n" + meter("a", "x", "    user_metadata: $.payload.metadata\n"
        + "    metadata:\n      state: $.payload.state\n"));
    Map<String, Object> md = new LinkedHashMap<>();
    md.put("metering.a.b", "x".repeat(300));
    md.put("metering.state", "ignored: already a metadata key");
    md.put("other", "no");
    Sample s = MeterDefinitions.load(List.of(dir)).toSamples(notification("info", "x",
        Map.of("v", 1, "r", "r1", "metadata", md, "state", "on"), Map.of())).get(0);
    assertThat(s.resourceMetadata()).isEqualTo(Map.of("state", "on", "user_metadata", Map.of("a_b", "x".repeat(256))));
  }

  // ------------------------------------------------------------------ events

  EventDefinitions events(String yaml, EventDefinitions.Options options) throws IOException {
    return EventDefinitions.load(write("events.yaml", yaml), options);
  }

  static final String EVENTS = """
      - event_type: ['compute.*', '!compute.secret.*']
        traits: &base
          memory:
            type: int
            fields: payload.memory
          ratio:
            type: float
            fields: payload.ratio
          at:
            type: datetime
            fields: payload.at
          name:
            fields: payload.name
      - event_type: 'compute.instance.*'
        traits:
          <<: *base
          extra:
            fields: ['payload.missing', 'payload.extra']
      - event_type: ['!*.end']
        traits:
          negated:
            fields: payload.name
      """;

  @Test
  void lastMatchingDefinitionWinsAndExclusionsApply() throws IOException {
    EventDefinitions e = events(EVENTS, EventDefinitions.Options.DEFAULTS);
    Map<String, Object> payload = Map.of("memory", "512", "ratio", 1, "at", "2024-05-01 10:00:00",
        "name", "n".repeat(300), "extra", "e", "tenant_id", "t1", "user_id", "u1");
    Event ev = e.toEvent(notification("info", "compute.instance.x.end", payload, Map.of("request_id", "req-1")))
        .orElseThrow();
    assertThat(ev.traits()).containsExactly(
        new Trait("service", TraitType.STRING, "compute.host1"),
        new Trait("request_id", TraitType.STRING, "req-1"),
        new Trait("project_id", TraitType.STRING, "t1"),
        new Trait("user_id", TraitType.STRING, "u1"),
        new Trait("tenant_id", TraitType.STRING, "t1"),
        new Trait("memory", TraitType.INTEGER, 512L),
        new Trait("ratio", TraitType.FLOAT, 1.0),
        new Trait("at", TraitType.DATETIME, Instant.parse("2024-05-01T10:00:00Z")),
        new Trait("name", TraitType.STRING, "n".repeat(255)),
        new Trait("extra", TraitType.STRING, "e"));
    assertThat(ev.raw()).isEmpty();

    // excluded from the first definition; only exclusions mean "everything else"
    Event secret = e.toEvent(notification("info", "compute.secret.x", Map.of("name", "s"), Map.of())).orElseThrow();
    assertThat(secret.traits()).extracting(Trait::name).containsExactly("service", "negated");
    // '!*.end' excludes it and nothing else matches: the catch-all
    Event other = e.toEvent(notification("error", "other.end", Map.of("name", "s"), Map.of())).orElseThrow();
    assertThat(other.traits()).extracting(Trait::name).containsExactly("service");
  }

  @Test
  void emptyNonTextTraitsAreDroppedAndOnlyInfoAndErrorMakeEvents() throws IOException {
    EventDefinitions e = events(EVENTS, EventDefinitions.Options.DEFAULTS);
    Event ev = e.toEvent(notification("info", "compute.a.end", Map.of("memory", "", "at", "", "name", ""), Map.of()))
        .orElseThrow();
    assertThat(ev.traits()).extracting(Trait::name).containsExactly("service", "name");
    assertThat(e.toEvent(notification("sample", "compute.a", Map.of(), Map.of()))).isEmpty();
    assertThat(e.toEvent(notification("warn", "compute.a", Map.of(), Map.of()))).isEmpty();
  }

  @Test
  void dropUnmatchedAndRawStorage() throws IOException {
    EventDefinitions e = events(EVENTS, new EventDefinitions.Options(true, Set.of("ERROR")));
    assertThat(e.toEvent(notification("info", "other.end", Map.of(), Map.of()))).isEmpty();
    Notification n = notification("error", "compute.a", Map.of("name", "x"), Map.of("user", "u"));
    Event ev = e.toEvent(n).orElseThrow();
    assertThat(ev.raw()).isEqualTo(n.body());
    assertThat(ev.raw()).containsEntry("publisher_id", "compute.host1").containsEntry("ctxt", Map.of("user", "u"))
        .containsEntry("metadata", Map.of("message_id", "msg-1", "timestamp", "2024-05-01 10:00:00.123456"));
    assertThat(e.toEvent(notification("info", "compute.a", Map.of(), Map.of())).orElseThrow().raw()).isEmpty();
  }
}
