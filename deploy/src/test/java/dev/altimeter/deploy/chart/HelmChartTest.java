package dev.altimeter.deploy.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Offline checks of the Helm chart in deploy/helm/altimeter, through the Helm library bundled by
 * helm-java (no helm binary, no cluster).
 *
 * <p>Golden files: deploy/helm/golden/&lt;case&gt;.yaml hold the rendered manifests of each values
 * file in deploy/helm/ci/&lt;case&gt;-values.yaml. After an intended chart change, regenerate them with
 * {@code UPDATE_GOLDEN=1 mvn -pl deploy test -Dtest=HelmChartTest} (or {@code -Dupdate.golden=true})
 * and review the diff. .ci/deploy-checks.sh validates the golden files against the Kubernetes API
 * schemas, so what is validated is exactly what the chart renders.
 */
class HelmChartTest {

  static final Path DEPLOY = locateDeployModule();
  static final Path CHART = DEPLOY.resolve("helm/altimeter");
  static final Path CI_VALUES = DEPLOY.resolve("helm/ci");
  static final Path GOLDEN = DEPLOY.resolve("helm/golden");
  static final Path REFERENCE = DEPLOY.getParent().getParent().resolve("shared/reference/ceilometer");
  static final String RELEASE = "altimeter";
  static final String NAMESPACE = "telemetry";
  static final String KUBE_VERSION = "1.31.0";

  static Path locateDeployModule() {
    Path here = Paths.get("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("helm/altimeter"))) return p;
      if (Files.isDirectory(p.resolve("deploy/helm/altimeter"))) return p.resolve("deploy");
    }
    throw new IllegalStateException("deploy/helm/altimeter not found from " + here);
  }

  static TemplateCommand template(Path chart) {
    return new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
  }

  static String render(String caseName) {
    TemplateCommand cmd = template(CHART);
    Path values = CI_VALUES.resolve(caseName + "-values.yaml");
    if (Files.exists(values)) cmd = cmd.withValuesFile(values);
    return cmd.call();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> parse(String manifests) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml(options).loadAll(manifests)) {
      if (doc != null) docs.add((Map<String, Object>) doc);
    }
    return docs;
  }

  static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).collect(Collectors.toList());
  }

  static Map<String, Object> named(List<Map<String, Object>> docs, String kind, String name) {
    return ofKind(docs, kind).stream()
        .filter(d -> name.equals(get(d, "metadata", "name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError(kind + " " + name + " not rendered"));
  }

  @SuppressWarnings("unchecked")
  static <T> T get(Object node, Object... path) {
    Object cur = node;
    for (Object key : path) {
      if (cur instanceof Map<?, ?> m) cur = m.get(key);
      else if (cur instanceof List<?> l && key instanceof Integer i) cur = i < l.size() ? l.get(i) : null;
      else return null;
      if (cur == null) return null;
    }
    return (T) cur;
  }

  static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    List<Map<String, Object>> list = get(container, "env");
    for (Map<String, Object> e : list) {
      Object value = e.containsKey("value") ? e.get("value") : "<from " + get(e, "valueFrom", "secretKeyRef", "name") + ">";
      env.put((String) e.get("name"), String.valueOf(value));
    }
    return env;
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void lintStrictPasses() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void lintFailsOnABrokenChart(@TempDir Path tmp) throws IOException {
    Path broken = copyChart(tmp);
    Files.writeString(broken.resolve("templates/broken.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.doesNotExist.really }}\n");
    LintResult result = new Helm(broken).lint().strict().call();
    assertThat(result.isFailed()).as("lint must fail on a broken template").isTrue();
  }

  @Test
  void schemaRejectsUnknownAndInvalidValues() {
    assertThatThrownBy(() -> template(CHART).set("api.replicas", 3).call())
        .as("unknown key").hasMessageContaining("replicas");
    assertThatThrownBy(() -> template(CHART).set("config.apiAuth", "basic").call())
        .as("bad enum").hasMessageContaining("apiAuth");
    assertThatThrownBy(() -> template(CHART).set("collector.roles[0]", "scheduler").call())
        .as("unknown role").hasMessageContaining("roles");
    assertThatThrownBy(() -> template(CHART).set("podSecurityContext.runAsNonRoot", false).call())
        .as("root pods").hasMessageContaining("runAsNonRoot");
    assertThatThrownBy(() -> template(CHART).set("database.url", "jdbc:postgresql://db/x").call())
        .as("non-R2DBC url").hasMessageContaining("url");
    assertThatThrownBy(() -> template(CHART).set("service.managementPort", 8777).call())
        .as("actuator on the API port").hasMessageContaining("managementPort");
  }

  @Test
  void goldenDefault() throws IOException {
    compareWithGolden("default", render("default"));
  }

  @Test
  void goldenFull() throws IOException {
    compareWithGolden("full", render("full"));
  }

  @Test
  void defaultRenderHasOneDeploymentPerRoleGroup() {
    List<Map<String, Object>> docs = parse(render("default"));
    Map<String, String> expectedRoles = Map.of(
        "altimeter-collector", "polling,notification",
        "altimeter-api", "api",
        "altimeter-expirer", "expirer");
    assertThat(ofKind(docs, "Deployment")).extracting(d -> (String) get(d, "metadata", "name"))
        .containsExactlyInAnyOrderElementsOf(expectedRoles.keySet());
    assertThat(ofKind(docs, "ServiceMonitor")).as("ServiceMonitor is off by default").isEmpty();

    for (Map<String, Object> d : ofKind(docs, "Deployment")) {
      String name = get(d, "metadata", "name");
      Map<String, Object> pod = get(d, "spec", "template", "spec");
      Map<String, Object> c = get(pod, "containers", 0);
      Map<String, String> env = env(c);
      assertThat(env).as(name).containsEntry("ALTIMETER_ROLES", expectedRoles.get(name));
      assertThat(env).as(name).containsKeys("SPRING_R2DBC_URL", "SPRING_R2DBC_USERNAME", "SPRING_R2DBC_PASSWORD",
          "ALTIMETER_PIPELINE_FILE", "ALTIMETER_POLLING_FILE", "ALTIMETER_METERS_DIRS");
      assertThat(env.get("SPRING_R2DBC_PASSWORD")).isEqualTo("<from altimeter-database>");
      assertThat(env.containsKey("SPRING_RABBITMQ_HOST")).as(name + " has broker settings iff notification role")
          .isEqualTo(expectedRoles.get(name).contains("notification"));
      assertThat((String) get(c, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
      assertThat((String) get(c, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
      // the actuator on its own port: probes and scrapes there, the API port serves no /actuator
      for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        assertThat((String) get(c, probe, "httpGet", "port")).as(name + " " + probe).isEqualTo("management");
      }
      assertThat((List<String>) get(c, "args")).contains("--server.port=8777", "--management.server.port=9777");
      assertThat((List<Map<String, Object>>) get(c, "ports")).extracting(p -> p.get("name"), p -> p.get("containerPort"))
          .containsExactly(tuple("http", 8777), tuple("management", 9777));
      assertThat((String) get(d, "spec", "template", "metadata", "annotations", "prometheus.io/port")).isEqualTo("9777");
      assertThat(env).as(name + ": auth chosen, so the service listens beyond loopback").containsEntry("ALTIMETER_API_AUTH", "headers");
      assertThat((Object) get(c, "resources", "requests", "memory")).as(name + " memory request").isNotNull();
      assertThat((Object) get(c, "resources", "limits", "memory")).as(name + " memory limit").isNotNull();
      assertThat((Boolean) get(pod, "securityContext", "runAsNonRoot")).isTrue();
      assertThat((Boolean) get(c, "securityContext", "readOnlyRootFilesystem")).isTrue();
      assertThat((Boolean) get(c, "securityContext", "allowPrivilegeEscalation")).isFalse();
      List<Map<String, Object>> mounts = get(c, "volumeMounts");
      assertThat(mounts).anySatisfy(m -> assertThat(m.get("mountPath")).isEqualTo("/tmp"));
      List<Map<String, Object>> volumes = get(pod, "volumes");
      assertThat(volumes).anySatisfy(v -> {
        assertThat(v.get("name")).isEqualTo("tmp");
        assertThat(v).containsKey("emptyDir");
      });
      // every mounted volume exists, every configMap item is a key of the ConfigMap
      for (Map<String, Object> m : mounts) {
        assertThat(volumes).as(name + " volume " + m.get("name")).anyMatch(v -> v.get("name").equals(m.get("name")));
      }
      Map<String, Object> cmData = get(named(docs, "ConfigMap", "altimeter-config"), "data");
      for (Map<String, Object> v : volumes) {
        List<Map<String, Object>> items = get(v, "configMap", "items");
        if (items != null) items.forEach(i -> assertThat(cmData).containsKey((String) i.get("key")));
      }
      // selector matches the pod labels
      Map<String, Object> selector = get(d, "spec", "selector", "matchLabels");
      Map<String, Object> labels = get(d, "spec", "template", "metadata", "labels");
      assertThat(labels).containsAllEntriesOf(selector);
    }
    Map<String, Object> expirer = named(docs, "Deployment", "altimeter-expirer");
    assertThat((Integer) get(expirer, "spec", "replicas")).isEqualTo(1);
    assertThat((String) get(expirer, "spec", "strategy", "type")).isEqualTo("Recreate");

    assertThat(ofKind(docs, "HorizontalPodAutoscaler"))
        .extracting(h -> (String) get(h, "spec", "scaleTargetRef", "name"))
        .containsExactlyInAnyOrder("altimeter-api", "altimeter-collector");
    assertThat(ofKind(docs, "PodDisruptionBudget")).hasSize(2);
    assertThat(ofKind(docs, "NetworkPolicy")).hasSize(2);
    // the management port only to the scrapers, on API pods and workers alike
    List<Map<String, Object>> apiIngress = get(named(docs, "NetworkPolicy", "altimeter-api"), "spec", "ingress");
    assertThat(apiIngress).extracting(rule -> get(rule, "ports", 0, "port")).containsExactly("http", "management");
    List<Map<String, Object>> workerIngress = get(named(docs, "NetworkPolicy", "altimeter-workers"), "spec", "ingress");
    assertThat(workerIngress).extracting(rule -> get(rule, "ports", 0, "port")).containsExactly("management");
    Map<String, Object> api = named(docs, "Service", "altimeter-api");
    assertThat((List<?>) get(api, "spec", "ports")).hasSize(1);
    assertThat((Integer) get(api, "spec", "ports", 0, "port")).isEqualTo(8777);
    assertThat((String) get(api, "spec", "ports", 0, "targetPort")).isEqualTo("http");
    Map<String, Object> metrics = named(docs, "Service", "altimeter-metrics");
    assertThat((List<?>) get(metrics, "spec", "ports")).hasSize(1);
    assertThat((Integer) get(metrics, "spec", "ports", 0, "port")).isEqualTo(9777);
    assertThat((String) get(metrics, "spec", "ports", 0, "targetPort")).isEqualTo("management");
    assertThat((Map<String, Object>) get(api, "spec", "selector")).containsEntry("app.kubernetes.io/component", "api");
  }

  @Test
  void configMapCarriesCeilometersFiles() throws IOException {
    Map<String, Object> data = get(named(parse(render("default")), "ConfigMap", "altimeter-config"), "data");
    assertThat(data).containsKeys("pipeline.yaml", "polling.yaml", "meters.yaml", "event_pipeline.yaml",
        "event_definitions.yaml");
    for (String file : List.of("pipeline.yaml", "event_pipeline.yaml", "polling.yaml", "meters.yaml")) {
      Path copy = CHART.resolve("files").resolve(file);
      assertThat(((String) data.get(file)).strip()).as(file).isEqualTo(Files.readString(copy).strip());
      Path builtIn = DEPLOY.resolveSibling("collector/src/main/resources/altimeter").resolve(file);
      if (file.contains("pipeline")) {
        // the service's own defaults: Ceilometer's reference names publishers Altimeter does not
        // have (gnocchi://, notifier://), and an unknown scheme stops the service at start-up
        assertThat(Files.readString(copy)).as("chart copy of " + file + " is the service's default")
            .isEqualTo(Files.readString(builtIn));
      } else if (Files.exists(REFERENCE.resolve(file))) {
        assertThat(Files.readString(copy)).as("chart copy of " + file + " matches the reference")
            .isEqualTo(Files.readString(REFERENCE.resolve(file)));
      }
    }
  }

  @Test
  void fullRenderTurnsOnOptionalObjects() {
    List<Map<String, Object>> docs = parse(render("full"));
    Map<String, Object> sm = named(docs, "ServiceMonitor", "altimeter");
    assertThat((String) get(sm, "spec", "endpoints", 0, "path")).isEqualTo("/actuator/prometheus");
    assertThat((String) get(sm, "spec", "endpoints", 1, "path")).isEqualTo("/actuator/samples");
    assertThat((List<Map<String, Object>>) get(sm, "spec", "endpoints")).extracting(e -> e.get("port"))
        .containsOnly("management");
    List<Map<String, Object>> metricsFrom = get(named(docs, "NetworkPolicy", "altimeter-workers"), "spec", "ingress", 0, "from");
    assertThat(metricsFrom).as("full values restrict the management port to the monitoring namespace").hasSize(1);
    Map<String, Object> metrics = named(docs, "Service", "altimeter-metrics");
    Map<String, Object> smSelector = get(sm, "spec", "selector", "matchLabels");
    assertThat((Map<String, Object>) get(metrics, "metadata", "labels")).containsAllEntriesOf(smSelector);
    Map<String, Object> c = get(named(docs, "Deployment", "altimeter-api"), "spec", "template", "spec", "containers", 0);
    assertThat(env(c)).containsEntry("ALTIMETER_API_AUTH", "token")
        .containsEntry("ALTIMETER_TELEMETRYSECRET", "<from altimeter-telemetry>");
    // autoscaling off: replicas come from replicaCount and no HPA targets the api
    assertThat((Integer) get(named(docs, "Deployment", "altimeter-api"), "spec", "replicas")).isEqualTo(3);
    assertThat(ofKind(docs, "HorizontalPodAutoscaler")).extracting(h -> (String) get(h, "metadata", "name"))
        .containsExactly("altimeter-collector");
  }

  @Test
  void operatorsFilesReplaceTheShippedOnesAndRollThePods() {
    String custom = "sources:\n  - name: mine\n    meters: [\"cpu\"]\n    sinks: [s]\nsinks:\n  - name: s\n    publishers: [\"database://\"]\n";
    List<Map<String, Object>> docs = parse(template(CHART).set("config.files.pipeline", custom).call());
    Map<String, Object> data = get(named(docs, "ConfigMap", "altimeter-config"), "data");
    assertThat(((String) data.get("pipeline.yaml")).strip()).isEqualTo(custom.strip());
    String before = get(named(parse(render("default")), "Deployment", "altimeter-api"),
        "spec", "template", "metadata", "annotations", "checksum/config");
    String after = get(named(docs, "Deployment", "altimeter-api"),
        "spec", "template", "metadata", "annotations", "checksum/config");
    assertThat(after).as("a changed file changes the pod template").isNotEqualTo(before);
  }

  @Test
  void roleGroupsCanBeTurnedOff() {
    List<Map<String, Object>> docs = parse(template(CHART).set("api.enabled", false).set("expirer.enabled", false).call());
    assertThat(ofKind(docs, "Deployment")).extracting(d -> (String) get(d, "metadata", "name"))
        .containsExactly("altimeter-collector");
    assertThat(ofKind(docs, "Service")).extracting(d -> (String) get(d, "metadata", "name"))
        .containsExactly("altimeter-metrics");
  }

  // ---------------------------------------------------------------------------------------------

  static boolean updateGolden() {
    return "1".equals(System.getenv("UPDATE_GOLDEN")) || Boolean.getBoolean("update.golden");
  }

  static void compareWithGolden(String caseName, String rendered) throws IOException {
    Path golden = GOLDEN.resolve(caseName + ".yaml");
    if (updateGolden()) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, rendered, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(golden)) {
      fail("missing " + golden + ": run UPDATE_GOLDEN=1 mvn -pl deploy test -Dtest=HelmChartTest");
    }
    String expected = Files.readString(golden, StandardCharsets.UTF_8);
    if (!expected.equals(rendered)) {
      List<String> e = expected.lines().toList();
      List<String> r = rendered.lines().toList();
      int i = 0;
      while (i < Math.min(e.size(), r.size()) && e.get(i).equals(r.get(i))) i++;
      fail("rendered chart (" + caseName + ") differs from " + golden + " at line " + (i + 1)
          + ":\n  golden:   " + (i < e.size() ? e.get(i) : "<end>")
          + "\n  rendered: " + (i < r.size() ? r.get(i) : "<end>")
          + "\nIf the change is intended: UPDATE_GOLDEN=1 mvn -pl deploy test -Dtest=HelmChartTest");
    }
  }

  static Path copyChart(Path tmp) throws IOException {
    Path target = tmp.resolve("altimeter");
    try (Stream<Path> files = Files.walk(CHART)) {
      for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
        Path t = target.resolve(CHART.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
    return target;
  }
}
