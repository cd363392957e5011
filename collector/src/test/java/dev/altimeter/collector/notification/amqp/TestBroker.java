package dev.altimeter.collector.notification.amqp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.qpid.server.SystemLauncher;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * One AMQP 0-9-1 broker per test JVM: an embedded Apache Qpid Broker-J in memory by default, or the
 * broker of the environment variable {@code ALTIMETER_TEST_AMQP_URL} (e.g. {@code
 * amqp://guest:guest@127.0.0.1:5672}, the machine's RabbitMQ in CI).
 */
public final class TestBroker {
  public static final String URL_VARIABLE = "ALTIMETER_TEST_AMQP_URL";
  private static URI uri;

  private TestBroker() {}

  public static synchronized URI uri() {
    if (uri != null) return uri;
    String external = System.getenv(URL_VARIABLE);
    if (external != null && !external.isBlank()) {
      uri = URI.create(external);
      return uri;
    }
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path work = Files.createTempDirectory("altimeter-test-qpid");
      Path config = work.resolve("broker-config.json");
      try (InputStream in = TestBroker.class.getResourceAsStream("/qpid/broker-config.json")) {
        Files.copy(in, config, StandardCopyOption.REPLACE_EXISTING);
      }
      Map<String, Object> attributes = new HashMap<>();
      attributes.put("type", "Memory");
      // a file: URI; classpath URLs do not work inside jars
      attributes.put("initialConfigurationLocation", config.toUri().toString());
      attributes.put("startupLoggedToSystemOut", false);
      attributes.put("context", Map.of("qpid.amqp_port", String.valueOf(port), "qpid.work_dir", work.toString(),
          "qpid.home_dir", work.toString()));
      SystemLauncher launcher = new SystemLauncher();
      launcher.startup(attributes);
      Runtime.getRuntime().addShutdownHook(new Thread(launcher::shutdown));
      uri = URI.create("amqp://guest:guest@127.0.0.1:" + port);
      return uri;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start the embedded AMQP broker", e);
    }
  }

  /** Whether the tests talk to an external broker (RabbitMQ in CI). */
  public static boolean isExternal() {
    return System.getenv(URL_VARIABLE) != null;
  }

  public static CachingConnectionFactory connectionFactory() {
    return new CachingConnectionFactory(uri());
  }

  /** Declares the notification topology on the broker and empties its queues (the dead-letter one too). */
  static org.springframework.amqp.rabbit.core.RabbitAdmin declareEmpty(
      org.springframework.amqp.rabbit.connection.ConnectionFactory connections, NotificationTopology topology) {
    var admin = new org.springframework.amqp.rabbit.core.RabbitAdmin(connections);
    topology.declarables().forEach(d -> {
      if (d instanceof org.springframework.amqp.core.Exchange e) admin.declareExchange(e);
      if (d instanceof org.springframework.amqp.core.Queue q) admin.declareQueue(q);
      if (d instanceof org.springframework.amqp.core.Binding b) admin.declareBinding(b);
    });
    topology.queueNames().forEach(q -> admin.purgeQueue(q, false));
    admin.purgeQueue(topology.deadLetterQueue(), false);
    return admin;
  }
}
