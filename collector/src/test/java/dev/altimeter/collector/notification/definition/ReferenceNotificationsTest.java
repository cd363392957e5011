package dev.altimeter.collector.notification.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.notification.Fixtures;
import dev.altimeter.collector.notification.MalformedNotificationException;
import dev.altimeter.collector.notification.Notification;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Trait;
import dev.altimeter.storage.TraitType;
import java.io.File;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every reference notification, put on the wire as a sender would, through the parser and
 * Ceilometer's own meters.yaml and event_definitions.yaml, with the expected samples and events
 * written out.
 */
class ReferenceNotificationsTest {
  static final MeterDefinitions METERS = MeterDefinitions.builtIn();
  static final EventDefinitions EVENTS = EventDefinitions.builtIn(EventDefinitions.Options.DEFAULTS);

  static Notification legacy(String name) {
    return Fixtures.legacy(name);
  }

  static Notification nova(String name) {
    return Fixtures.nova(name);
  }

  static Instant t(String iso) {
    return Instant.parse(iso);
  }

  static Map<String, Sample> byMeter(List<Sample> samples) {
    Map<String, Sample> out = new LinkedHashMap<>();
    for (Sample s : samples) assertThat(out.put(s.meter(), s)).as("duplicate meter %s", s.meter()).isNull();
    return out;
  }

  static void assertSample(Sample s, SampleType type, String unit, double volume, String resource, String user,
      String project, Instant timestamp) {
    assertThat(s.type()).as("type of %s", s.meter()).isEqualTo(type);
    assertThat(s.unit()).as("unit of %s", s.meter()).isEqualTo(unit);
    assertThat(s.volume()).as("volume of %s", s.meter()).isEqualTo(volume);
    assertThat(s.resourceId()).as("resource of %s", s.meter()).isEqualTo(resource);
    assertThat(s.userId()).as("user of %s", s.meter()).isEqualTo(user);
    assertThat(s.projectId()).as("project of %s", s.meter()).isEqualTo(project);
    assertThat(s.timestamp()).as("timestamp of %s", s.meter()).isEqualTo(timestamp);
    assertThat(s.source()).isEqualTo("openstack");
    assertThat(s.recordedAt()).isNull();
    assertThat(s.messageSignature()).isNull();
  }

  static Trait text(String name, String value) {
    return new Trait(name, TraitType.STRING, value);
  }

  static Trait integer(String name, long value) {
    return new Trait(name, TraitType.INTEGER, value);
  }

  static Trait datetime(String name, String iso) {
    return new Trait(name, TraitType.DATETIME, Instant.parse(iso));
  }

  static Event event(Notification n) {
    Event e = EVENTS.toEvent(n).orElseThrow();
    assertThat(e.messageId()).isEqualTo(n.messageId());
    assertThat(e.eventType()).isEqualTo(n.eventType());
    assertThat(e.generated()).isEqualTo(n.timestamp());
    assertThat(e.raw()).isEmpty(); // store_raw is off by default
    return e;
  }

  // ------------------------------------------------------------------ nova (legacy, unversioned)

  static final List<Trait> INSTANCE_CREATE_TRAITS = List.of(
      text("service", "compute"),
      text("request_id", "req-d68b36e0-9233-467f-9afb-d81435d64d66"),
      text("project_id", "7c150a59fe714e6f9263774af9688f0e"),
      text("user_id", "1e3ce043029547f1a61c1996d1a531a2"),
      text("tenant_id", "7c150a59fe714e6f9263774af9688f0e"),
      text("instance_id", "9f9d01b9-4a58-4271-9e27-398b21ab20d1"),
      text("display_name", "testme"),
      text("resource_id", "9f9d01b9-4a58-4271-9e27-398b21ab20d1"),
      text("host", "vagrant-precise"),
      integer("memory_mb", 512),
      integer("disk_gb", 0),
      integer("root_gb", 0),
      integer("ephemeral_gb", 0),
      integer("vcpus", 1),
      text("instance_type_id", "2"),
      text("instance_type", "m1.tiny"),
      text("state", "active"),
      datetime("launched_at", "2012-05-08T20:23:47.985999Z"),
      // deleted_at is "" and not text: left out; availability_zone comes from the create.end definition
      text("availability_zone", "1e3ce043029547f1a61c1996d1a531a4"));

  @Test
  void novaInstanceCreateEnd() {
    Notification n = legacy("nova-compute.instance.create.end");
    assertThat(n.priority()).isEqualTo("info");
    assertThat(n.publisherId()).isEqualTo("compute.vagrant-precise");
    assertThat(n.context()).containsEntry("user_id", "1e3ce043029547f1a61c1996d1a531a2")
        .containsEntry("is_admin", true).doesNotContainKey("_context_user_id");

    List<Sample> samples = METERS.toSamples(n);
    // definitions are evaluated in reverse file order, as Ceilometer builds its dictionary
    assertThat(samples).extracting(Sample::meter).containsExactly(
        "disk.ephemeral.size", "disk.root.size", "compute.instance.booting.time", "vcpus", "memory");
    Map<String, Sample> s = byMeter(samples);
    String user = "1e3ce043029547f1a61c1996d1a531a2";
    String project = "7c150a59fe714e6f9263774af9688f0e";
    String instance = "9f9d01b9-4a58-4271-9e27-398b21ab20d1";
    Instant ts = t("2012-05-08T20:23:48.028195Z");
    assertSample(s.get("memory"), SampleType.GAUGE, "MiB", 512, instance, user, project, ts);
    assertSample(s.get("vcpus"), SampleType.GAUGE, "vcpu", 1, instance, user, project, ts);
    assertSample(s.get("disk.root.size"), SampleType.GAUGE, "GiB", 0, instance, user, project, ts);
    assertSample(s.get("disk.ephemeral.size"), SampleType.GAUGE, "GiB", 0, instance, user, project, ts);
    // timedelta plugin: launched_at - created_at; no user_id path, so the context's user
    assertSample(s.get("compute.instance.booting.time"), SampleType.GAUGE, "sec", 6.985999, instance, user,
        project, ts);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("host", "compute-host-name");
    meta.put("flavor_name", "m1.tiny");
    meta.put("display_name", "testme");
    meta.put("launched_at", "2012-05-08 20:23:47.985999");
    meta.put("created_at", "2012-05-08 20:23:41");
    // deleted_at "" is falsy and left out; no image_meta in this payload
    for (Sample x : samples) assertThat(x.resourceMetadata()).isEqualTo(meta);
    assertThat(s.get("memory").messageId())
        .isEqualTo(MeterDefinition.sampleId("dae6f69c-00e0-41c0-b371-41ec3b7f4451", "memory", 0));

    assertThat(event(n).traits()).containsExactlyElementsOf(INSTANCE_CREATE_TRAITS);
  }

  @Test
  void novaInstanceDeleteStart() {
    Notification n = legacy("nova-compute.instance.delete.start");
    Map<String, Sample> s = byMeter(METERS.toSamples(n));
    assertThat(s).containsOnlyKeys("memory", "vcpus", "disk.root.size", "disk.ephemeral.size");
    String user = "1e3ce043029547f1a61c1996d1a531a2";
    String project = "7c150a59fe714e6f9263774af9688f0e";
    String instance = "9f9d01b9-4a58-4271-9e27-398b21ab20d1";
    Instant ts = t("2012-05-08T20:24:14.824743Z");
    assertSample(s.get("memory"), SampleType.GAUGE, "MiB", 512, instance, user, project, ts);
    assertSample(s.get("vcpus"), SampleType.GAUGE, "vcpu", 1, instance, user, project, ts);
    assertThat(s.get("memory").resourceMetadata()).containsEntry("launched_at", "2012-05-08 20:23:47")
        .containsEntry("created_at", "2012-05-08 20:23:41").containsEntry("flavor_name", "m1.tiny");

    List<Trait> traits = event(n).traits();
    assertThat(traits).contains(text("service", "compute"), text("host", "vagrant-precise"),
        text("request_id", "req-fb3c4546-a2e5-49b7-9fd2-a63bd658bc39"), text("state", "active"),
        datetime("launched_at", "2012-05-08T20:23:47Z"));
    assertThat(traits).extracting(Trait::name).doesNotContain("availability_zone", "deleted_at");
  }

  @Test
  void novaInstanceExists() {
    Notification n = legacy("nova-compute.instance.exists");
    Map<String, Sample> s = byMeter(METERS.toSamples(n));
    assertThat(s).containsOnlyKeys("memory", "vcpus", "disk.root.size", "disk.ephemeral.size");
    assertSample(s.get("memory"), SampleType.GAUGE, "MiB", 512, "3a513875-95c9-4012-a3e7-f90c678854e5",
        "1e3ce043029547f1a61c1996d1a531a2", "7c150a59fe714e6f9263774af9688f0e", t("2012-05-08T16:03:44.122481Z"));

    List<Trait> traits = event(n).traits();
    assertThat(traits.subList(traits.size() - 2, traits.size())).containsExactly(
        datetime("audit_period_beginning", "2012-05-08T15:00:00Z"),
        datetime("audit_period_ending", "2012-05-08T16:00:00Z"));
    assertThat(traits).contains(text("instance_id", "3a513875-95c9-4012-a3e7-f90c678854e5"),
        datetime("launched_at", "2012-05-07T23:01:27Z"));
  }

  @Test
  void novaInstanceFinishResizeCarriesUserMetadataAndImageMeta() {
    Notification n = legacy("nova-compute.instance.finish_resize.end");
    Map<String, Sample> s = byMeter(METERS.toSamples(n));
    assertThat(s).containsOnlyKeys("memory", "vcpus", "disk.root.size", "disk.ephemeral.size");
    String user = "01b83a5e23f24a6fb6cd073c0aee6eed";
    String project = "cea4b25edb484e5392727181b7721d29";
    String instance = "648e8963-6886-4c3c-98f9-4511c292f86b";
    Instant ts = t("2013-01-04T15:10:17.436974Z");
    assertSample(s.get("memory"), SampleType.GAUGE, "MiB", 2048, instance, user, project, ts);
    assertSample(s.get("disk.root.size"), SampleType.GAUGE, "GiB", 20, instance, user, project, ts);
    Map<String, Object> meta = s.get("vcpus").resourceMetadata();
    assertThat(meta).containsEntry("host", "ip-10-147-132-184.ec2.internal")
        .containsEntry("flavor_name", "m1.small")
        .containsEntry("image_ref", "a130b9d9-e00e-436e-9782-836ccef06e8a")
        .containsEntry("launched_at", "2013-01-04T15:10:14.923939")
        .containsEntry("created_at", "2013-01-04T11:21:48.000000");
    assertThat(meta.get("image_meta")).isEqualTo(Map.of("base_image_ref", "a130b9d9-e00e-436e-9782-836ccef06e8a",
        "kernel_id", "571478e0-d5e7-4c2e-95a5-2bc79443c28a", "ramdisk_id", "5f23128e-5525-46d8-bc66-9c30cd87141a"));
    // only "metering." keys, prefix removed and dots made underscores
    assertThat(meta.get("user_metadata")).isEqualTo(Map.of("foo_bar", "true", "server_group", "Group_A"));

    List<Trait> traits = event(n).traits();
    assertThat(traits).contains(text("host", "ip-10-147-132-184.ec2.internal"), text("state", "resized"),
        integer("memory_mb", 2048), text("instance_type_id", "5"),
        datetime("launched_at", "2013-01-04T15:10:14.923939Z"));
  }

  @Test
  void novaComputeMetricsUpdate() {
    Notification n = legacy("nova-compute.metrics.update");
    Map<String, Sample> s = byMeter(METERS.toSamples(n));
    assertThat(s).hasSize(10);
    String node = "tianst_tianst.sh.intel.com"; // $.payload.host + "_" + $.payload.nodename
    Instant ts = t("2013-07-29T06:51:34.472416Z"); // the metric's own timestamp
    assertSample(s.get("compute.node.cpu.frequency"), SampleType.GAUGE, "MHz", 1600, node, null, null, ts);
    assertSample(s.get("compute.node.cpu.user.time"), SampleType.CUMULATIVE, "ns", 17421440000000.0, node, null, null, ts);
    assertSample(s.get("compute.node.cpu.kernel.time"), SampleType.CUMULATIVE, "ns", 7852600000000.0, node, null, null, ts);
    assertSample(s.get("compute.node.cpu.idle.time"), SampleType.CUMULATIVE, "ns", 1307374400000000.0, node, null, null, ts);
    assertSample(s.get("compute.node.cpu.iowait.time"), SampleType.CUMULATIVE, "ns", 11697470000000.0, node, null, null, ts);
    // "* 100" on the fraction
    assertSample(s.get("compute.node.cpu.user.percent"), SampleType.GAUGE, "percent", 0.012959045637294348 * 100, node, null, null, ts);
    assertSample(s.get("compute.node.cpu.kernel.percent"), SampleType.GAUGE, "percent", 0.005841204961898534 * 100, node, null, null, ts);
    assertSample(s.get("compute.node.cpu.idle.percent"), SampleType.GAUGE, "percent", 0.9724985141658965 * 100, node, null, null, ts);
    assertSample(s.get("compute.node.cpu.iowait.percent"), SampleType.GAUGE, "percent", 0.008701235234910634 * 100, node, null, null, ts);
    assertSample(s.get("compute.node.cpu.percent"), SampleType.GAUGE, "percent", 2.7501485834103514, node, null, null, ts);
    for (Sample x : s.values()) {
      assertThat(x.resourceMetadata()).isEqualTo(Map.of("event_type", "compute.metrics.update",
          "host", "compute.tianst.sh.intel.com", "source", "libvirt.LibvirtDriver"));
    }
    // no definition for compute.metrics.update: the catch-all, default traits with a value
    assertThat(event(n).traits()).containsExactly(text("service", "compute.tianst.sh.intel.com"),
        text("request_id", "req-a8bfa89b-d28b-4b95-9e4b-7d7875275650"));
  }

  // ------------------------------------------------------------------ swift middleware

  @Test
  void swiftRequestIsAMultiMeterNotification() {
    Notification n = legacy("swift-objectstore.http.request");
    List<Sample> samples = METERS.toSamples(n);
    assertThat(samples).extracting(Sample::meter)
        .containsExactly("storage.objects.outgoing.bytes", "storage.objects.incoming.bytes");
    String user = "openstack: 288f6260-bf37-4737-a178-5038c84ba244";
    Instant ts = t("2013-07-29T06:51:34.474815Z");
    assertSample(samples.get(0), SampleType.DELTA, "B", 28, "account", user, null, ts);
    assertSample(samples.get(1), SampleType.DELTA, "B", 1, "account", user, null, ts);
    // no metadata paths: the payload plus event_type and host
    assertThat(samples.get(0).resourceMetadata()).containsEntry("event_type", "objectstore.http.request")
        .containsEntry("host", "ceilometermiddleware").containsEntry("action", "read")
        .containsEntry("outcome", "success").containsKey("measurements");
    // ids differ by position in the multi-meter definition
    String id = "6eccedba-120e-4db8-9735-2ad5f061e5ee";
    assertThat(samples).extracting(Sample::messageId).containsExactly(
        MeterDefinition.sampleId(id, "storage.objects.outgoing.bytes", 0),
        MeterDefinition.sampleId(id, "storage.objects.incoming.bytes", 1));

    // '*http.*' is later in the file than 'objectstore.http.request', so it wins; its eventTime is a
    // datetime trait and "2015-01-30T16: 38: 43.233621" is not one: Ceilometer fails the event too
    assertThatThrownBy(() -> EVENTS.toEvent(n)).isInstanceOf(MalformedNotificationException.class)
        .hasMessage("trait 'eventTime' of type datetime cannot hold 2015-01-30T16: 38: 43.233621");
  }

  @Test
  void swiftRequestWithAValidTimeUsesTheLastMatchingDefinition() {
    String wire = Fixtures.legacyWire("swift-objectstore.http.request")
        .replace("2015-01-30T16: 38: 43.233621", "2015-01-30T16:38:43.233621");
    Event e = EVENTS.toEvent(Notification.parse(wire)).orElseThrow();
    assertThat(e.traits()).containsExactly(
        text("service", "ceilometermiddleware"),
        text("request_id", "req-a8bfa89b-d28b-4b95-9e4b-7d7875275650"),
        text("user_id", "openstack: 288f6260-bf37-4737-a178-5038c84ba244"),
        text("typeURI", "http: //schemas.dmtf.org/cloud/audit/1.0/event"),
        text("eventType", "activity"),
        text("action", "read"),
        text("outcome", "success"),
        text("id", "openstack: 69972bb6-14dd-46e4-bdaf-3148014363dc"),
        datetime("eventTime", "2015-01-30T16:38:43.233621Z"),
        text("observer_id", "target"),
        text("target_id", "account"),
        text("target_typeURI", "service/storage/object"),
        text("initiator_typeURI", "service/security/account/user"),
        text("initiator_id", "openstack: 288f6260-bf37-4737-a178-5038c84ba244"));
  }

  // ------------------------------------------------------------------ glance

  static final Map<String, Object> IMAGE_PAYLOAD_META = new LinkedHashMap<>();

  static {
    IMAGE_PAYLOAD_META.put("checksum", "d990432ef91afef3ad9dbf4a975d3365");
    IMAGE_PAYLOAD_META.put("container_format", "ovf");
    IMAGE_PAYLOAD_META.put("created_at", "2012-09-18T10:13:44.571370");
    IMAGE_PAYLOAD_META.put("deleted", false);
    IMAGE_PAYLOAD_META.put("deleted_at", null);
    IMAGE_PAYLOAD_META.put("disk_format", "vhd");
    IMAGE_PAYLOAD_META.put("id", "cccccccc-cccc-cccc-cccccccccccc");
    IMAGE_PAYLOAD_META.put("is_public", false);
    IMAGE_PAYLOAD_META.put("location", null);
    IMAGE_PAYLOAD_META.put("min_disk", 0);
    IMAGE_PAYLOAD_META.put("min_ram", 0);
    IMAGE_PAYLOAD_META.put("name", "fake image #3");
    IMAGE_PAYLOAD_META.put("owner", "fake");
    IMAGE_PAYLOAD_META.put("properties", Map.of("key1", "value1", "key2", "value2"));
    IMAGE_PAYLOAD_META.put("protected", false);
    IMAGE_PAYLOAD_META.put("size", 19);
    IMAGE_PAYLOAD_META.put("status", "saving");
    IMAGE_PAYLOAD_META.put("updated_at", "2012-09-18T10:13:44.623120");
  }

  @ParameterizedTest
  @CsvSource({"glance-image.upload, image.upload", "glance-image.delete, image.delete"})
  void glanceImageSize(String file, String eventType) {
    Notification n = legacy(file);
    List<Sample> samples = METERS.toSamples(n);
    assertThat(samples).hasSize(1);
    Sample s = samples.get(0);
    assertThat(s.meter()).isEqualTo("image.size");
    assertSample(s, SampleType.GAUGE, "B", 19, "cccccccc-cccc-cccc-cccccccccccc", null, "fake",
        t("2015-06-19T09:19:35.786893Z"));
    Map<String, Object> meta = new HashMap<>(IMAGE_PAYLOAD_META);
    meta.put("event_type", eventType);
    meta.put("host", "images.example.com");
    assertThat(s.resourceMetadata()).isEqualTo(meta);

    assertThat(event(n).traits()).containsExactly(
        text("service", "images.example.com"),
        text("project_id", "fake"),
        text("user_id", "fake"),
        text("resource_id", "cccccccc-cccc-cccc-cccccccccccc"),
        text("name", "fake image #3"),
        text("status", "saving"),
        datetime("created_at", "2012-09-18T10:13:44.571370Z"),
        integer("size", 19));
  }

  @Test
  void glanceImageSend() {
    Notification n = legacy("glance-image.send");
    assertThat(n.priority()).isEqualTo("info"); // "INFO" on the wire
    Map<String, Sample> s = byMeter(METERS.toSamples(n));
    assertThat(s.keySet()).containsExactly("image.serve", "image.download");
    Instant ts = t("2015-06-19T09:19:35.786893Z");
    String image = "cccccccc-cccc-cccc-cccccccccccc";
    assertSample(s.get("image.download"), SampleType.DELTA, "B", 42, image, "dddddddd-dddd-dddd-dddddddddddd",
        "bbbbbbbb-bbbb-bbbb-bbbbbbbbbbbb", ts);
    assertSample(s.get("image.serve"), SampleType.DELTA, "B", 42, image, null, "eeeeeeee-eeee-eeee-eeeeeeeeeeee", ts);
    assertThat(s.get("image.serve").resourceMetadata()).containsEntry("destination_ip", "1.2.3.4")
        .containsEntry("event_type", "image.send").containsEntry("host", "images.example.com");

    assertThat(event(n).traits()).containsExactly(
        text("service", "images.example.com"),
        text("user_id", "eeeeeeee-eeee-eeee-eeeeeeeeeeee"),
        text("receiver_project", "bbbbbbbb-bbbb-bbbb-bbbbbbbbbbbb"),
        text("receiver_user", "dddddddd-dddd-dddd-dddddddddddd"),
        text("image_id", image),
        text("destination_ip", "1.2.3.4"),
        integer("bytes_sent", 42));
  }

  // ------------------------------------------------------------------ cinder

  @ParameterizedTest
  @CsvSource({"cinder-volume.create.end, volume.create.end", "cinder-volume.exists, volume.exists"})
  void cinderVolume(String file, String eventType) {
    Notification n = legacy(file);
    List<Sample> samples = METERS.toSamples(n);
    assertThat(samples).extracting(Sample::meter).containsExactly("volume.size");
    Sample s = samples.get(0);
    assertSample(s, SampleType.GAUGE, "GiB", 1, "cccccccc-cccc-cccc-cccccccccccc",
        "bcb7746c7a41472d88a1ffac89ba6a9b", "7ffe17a15c724e2aa79fc839540aec15", t("2015-06-19T09:19:35.786893Z"));
    assertThat(s.resourceMetadata()).isEqualTo(Map.of("display_name", "2",
        "volume_type", "3a9a398b-7e3b-40da-b09e-2115ad8cd68b", "volume_type_id", "3a9a398b-7e3b-40da-b09e-2115ad8cd68b"));

    Event e = event(n);
    assertThat(e.eventType()).isEqualTo(eventType);
    assertThat(e.traits()).containsExactly(
        text("service", "volumes.example.com"),
        text("project_id", "7ffe17a15c724e2aa79fc839540aec15"),
        text("user_id", "bcb7746c7a41472d88a1ffac89ba6a9b"),
        text("tenant_id", "7ffe17a15c724e2aa79fc839540aec15"),
        text("availability_zone", "nova"),
        text("display_name", "2"),
        text("replication_status", "disabled"),
        text("status", "exists"),
        datetime("created_at", "2014-10-28T09:31:20Z"),
        text("resource_id", "cccccccc-cccc-cccc-cccccccccccc"),
        text("host", "volumes.example.com"),
        integer("size", 1),
        text("type", "3a9a398b-7e3b-40da-b09e-2115ad8cd68b"));
  }

  @Test
  void cinderSnapshotCreateEnd() {
    Notification n = legacy("cinder-snapshot.create.end");
    List<Sample> samples = METERS.toSamples(n);
    assertThat(samples).extracting(Sample::meter).containsExactly("snapshot.size");
    assertSample(samples.get(0), SampleType.GAUGE, "GiB", 1, "cccccccc-cccc-cccc-cccccccccccc",
        "bcb7746c7a41472d88a1ffac89ba6a9b", "7ffe17a15c724e2aa79fc839540aec15", t("2015-06-19T09:19:35.786893Z"));
    assertThat(samples.get(0).resourceMetadata()).isEqualTo(Map.of("display_name", "11"));

    assertThat(event(n).traits()).containsExactly(
        text("service", "snapshots.example.com"),
        text("project_id", "7ffe17a15c724e2aa79fc839540aec15"),
        text("user_id", "bcb7746c7a41472d88a1ffac89ba6a9b"),
        text("tenant_id", "7ffe17a15c724e2aa79fc839540aec15"),
        text("availability_zone", "nova"),
        text("display_name", "11"),
        text("status", "creating"),
        datetime("created_at", "2014-10-28T09:49:07Z"),
        text("resource_id", "cccccccc-cccc-cccc-cccccccccccc"),
        text("volume_id", "2925bb3b-2b51-496a-bb6e-01a20e950e07"));
  }

  // ------------------------------------------------------------------ neutron

  @ParameterizedTest
  @CsvSource({
      "neutron-network.create.end, network.create.end, abcedf, 7fd4eb2f-a38e-4c25-8490-71ca8800c9be",
      "neutron-subnet.create.end, subnet.create.end, mysubnet, 1a3a170d-d7ce-4cc9-b1db-621da15a25f5",
      "neutron-port.create.end, port.create.end, '', 9cdfeb92-9391-4da7-95a1-ca214831cfdb"})
  void neutronCreateEnd(String file, String eventType, String name, String resource) {
    Notification n = legacy(file);
    assertThat(METERS.toSamples(n)).isEmpty(); // meters.yaml has no network meters
    Event e = event(n);
    assertThat(e.eventType()).isEqualTo(eventType);
    assertThat(e.traits()).containsExactly(
        text("service", "network.ubuntu-VirtualBox"),
        // the network definitions replace the default project_id/user_id with the context's
        text("project_id", "82ed0c40ebe64d0bb3310027039c8ed2"),
        text("user_id", "b44b7ce67fc84414a5c1660a92a1b862"),
        text("name", name), // an empty text trait is kept
        text("resource_id", resource));
  }

  // ------------------------------------------------------------------ nova versioned

  @ParameterizedTest
  @CsvSource({
      "compute_task-build_instances-error, error, compute_task.build_instances.error, nova-conductor:fake-mini",
      "compute_task-migrate_server-error, error, compute_task.migrate_server.error, nova-conductor:fake-mini",
      "flavor-create, info, flavor.create, nova-api:fake-mini",
      "flavor-delete, info, flavor.delete, nova-api:fake-mini",
      "flavor-update, info, flavor.update, nova-api:fake-mini",
      "instance-create-end, info, instance.create.end, nova-compute:compute",
      "instance-create-error, error, instance.create.error, nova-compute:compute",
      "instance-create-start, info, instance.create.start, nova-compute:compute",
      "instance-delete-end, info, instance.delete.end, nova-compute:compute",
      "instance-delete-start, info, instance.delete.start, nova-compute:compute",
      "instance-exists, info, instance.exists, nova-compute:compute",
      "instance-power_off-end, info, instance.power_off.end, nova-compute:compute",
      "instance-power_off-start, info, instance.power_off.start, nova-compute:compute",
      "instance-power_on-end, info, instance.power_on.end, nova-compute:compute",
      "instance-resize_finish-end, info, instance.resize_finish.end, nova-compute:compute",
      "instance-snapshot-end, info, instance.snapshot.end, nova-compute:compute",
      "instance-update, info, instance.update, nova-compute:fake-mini",
      "instance-volume_attach-end, info, instance.volume_attach.end, nova-compute:compute",
      "metrics-update, info, metrics.update, nova-compute:compute",
      "volume-usage, info, volume.usage, nova-compute:compute"})
  void novaVersioned(String file, String priority, String eventType, String publisher) {
    Notification n = nova(file);
    assertThat(n.priority()).isEqualTo(priority);
    assertThat(n.eventType()).isEqualTo(eventType);
    assertThat(n.publisherId()).isEqualTo(publisher);
    assertThat(n.messageId()).isEqualTo(Fixtures.novaMessageId(file));
    assertThat(n.timestamp()).isEqualTo(t("2026-08-21T12:00:00.123456Z"));
    assertThat(n.context()).isEmpty();
    assertThat(n.payload()).containsKeys("nova_object.name", "nova_object.data");
    // Ceilometer's meters.yaml reads the legacy compute.instance.* format only
    assertThat(METERS.toSamples(n)).isEmpty();
    // no definition matches the versioned types: the catch-all keeps the default traits with values
    Event e = event(n);
    assertThat(e.traits()).containsExactly(text("service", publisher));
  }

  @Test
  void aRedeliveredNotificationGivesTheSameSamples() {
    // parsed twice from the wire, as a redelivery would be: same ids, so the store drops the copy
    List<Sample> first = METERS.toSamples(legacy("nova-compute.instance.create.end"));
    List<Sample> again = METERS.toSamples(legacy("nova-compute.instance.create.end"));
    assertThat(again).isEqualTo(first);
    assertThat(first).extracting(Sample::messageId).doesNotHaveDuplicates();
    // a different notification of the same instance gets different ids
    assertThat(METERS.toSamples(legacy("nova-compute.instance.delete.start"))).extracting(Sample::messageId)
        .doesNotContainAnyElementsOf(first.stream().map(Sample::messageId).toList());
  }

  /** A new reference file must get expectations here: the tests above name every file. */
  @Test
  void everyReferenceFileHasExpectations() {
    Set<String> files = new TreeSet<>();
    for (String dir : List.of("legacy", "nova")) {
      File[] list = new File("src/test/resources/notifications/" + dir).listFiles();
      assertThat(list).isNotNull();
      Arrays.stream(list).forEach(f -> files.add(dir + "/" + f.getName().replace(".json", "")));
    }
    assertThat(files).containsExactlyInAnyOrder(
        "legacy/cinder-snapshot.create.end", "legacy/cinder-volume.create.end", "legacy/cinder-volume.exists",
        "legacy/glance-image.delete", "legacy/glance-image.send", "legacy/glance-image.upload",
        "legacy/neutron-network.create.end", "legacy/neutron-port.create.end", "legacy/neutron-subnet.create.end",
        "legacy/nova-compute.instance.create.end", "legacy/nova-compute.instance.delete.start",
        "legacy/nova-compute.instance.exists", "legacy/nova-compute.instance.finish_resize.end",
        "legacy/nova-compute.metrics.update", "legacy/swift-objectstore.http.request",
        "nova/compute_task-build_instances-error", "nova/compute_task-migrate_server-error", "nova/flavor-create",
        "nova/flavor-delete", "nova/flavor-update", "nova/instance-create-end", "nova/instance-create-error",
        "nova/instance-create-start", "nova/instance-delete-end", "nova/instance-delete-start",
        "nova/instance-exists", "nova/instance-power_off-end", "nova/instance-power_off-start",
        "nova/instance-power_on-end", "nova/instance-resize_finish-end", "nova/instance-snapshot-end",
        "nova/instance-update", "nova/instance-volume_attach-end", "nova/metrics-update", "nova/volume-usage");
  }
}
