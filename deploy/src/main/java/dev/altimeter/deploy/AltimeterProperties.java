package dev.altimeter.deploy;

import dev.altimeter.collector.notification.amqp.NotificationTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The service's own settings ({@code altimeter.*}). Names are a contract with documentation, the
 * Helm chart and operators: keep them.
 */
@ConfigurationProperties("altimeter")
public class AltimeterProperties {
  /** Roles this process runs; all by default (single node). */
  public enum Role { POLLING, NOTIFICATION, API, EXPIRER }

  /** Where the embedded PostgreSQL keeps its data (used only when spring.r2dbc.url is unset). */
  private Path dataDir = Path.of("data");
  private Set<Role> roles = EnumSet.allOf(Role.class);
  private final Embedded embedded = new Embedded();
  private final Store store = new Store();
  private final PipelineSetting pipeline = new PipelineSetting();
  private final FileSetting eventPipeline = new FileSetting();
  private final Meters meters = new Meters();
  private final EventDefinitions eventDefinitions = new EventDefinitions();
  private final Notification notification = new Notification();
  private final Polling polling = new Polling();
  private final Expirer expirer = new Expirer();
  private final Exposition exposition = new Exposition();
  private final Receiver receiver = new Receiver();
  /** HMAC key for sample signatures; unset: signing off. */
  private String telemetrySecret;

  public Path getDataDir() { return dataDir; }
  public void setDataDir(Path dataDir) { this.dataDir = dataDir; }
  public Set<Role> getRoles() { return roles; }
  public void setRoles(Set<Role> roles) { this.roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles); }
  public Embedded getEmbedded() { return embedded; }
  public Store getStore() { return store; }
  public PipelineSetting getPipeline() { return pipeline; }
  public FileSetting getEventPipeline() { return eventPipeline; }
  public Meters getMeters() { return meters; }
  public EventDefinitions getEventDefinitions() { return eventDefinitions; }
  public Notification getNotification() { return notification; }
  public Polling getPolling() { return polling; }
  public Expirer getExpirer() { return expirer; }
  public Exposition getExposition() { return exposition; }
  public Receiver getReceiver() { return receiver; }
  public String getTelemetrySecret() { return telemetrySecret; }
  public void setTelemetrySecret(String v) { telemetrySecret = v; }

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  /**
   * Receivers of what other nodes' udp://, tcp:// and http:// publishers send, all off by default.
   * With altimeter.telemetry-secret set they accept only samples signed with that secret.
   */
  public static class Receiver {
    /** The address the UDP and TCP receivers bind; 0.0.0.0 for every interface. */
    private String bindAddress = "127.0.0.1";
    private final Udp udp = new Udp();
    private final Tcp tcp = new Tcp();
    private final Http http = new Http();

    public String getBindAddress() { return bindAddress; }
    public void setBindAddress(String v) { bindAddress = v; }
    public Udp getUdp() { return udp; }
    public Tcp getTcp() { return tcp; }
    public Http getHttp() { return http; }

    public static class Udp {
      /** UDP port (Ceilometer's is 4952); 0: off. */
      private int port;
      /** Samples waiting for the pipeline; a datagram beyond this is dropped and counted. */
      private int maxInFlight = 1024;

      public int getPort() { return port; }
      public void setPort(int v) { port = v; }
      public int getMaxInFlight() { return maxInFlight; }
      public void setMaxInFlight(int v) { maxInFlight = v; }
    }

    public static class Tcp {
      /** TCP port (Ceilometer's is 4952); 0: off. */
      private int port;
      /** The largest frame (one msgpack meter message) accepted; a larger one closes the connection. */
      private int maxFrameBytes = 1024 * 1024;

      public int getPort() { return port; }
      public void setPort(int v) { port = v; }
      public int getMaxFrameBytes() { return maxFrameBytes; }
      public void setMaxFrameBytes(int v) { maxFrameBytes = v; }
    }

    public static class Http {
      /** Serve POST /v1/samples on the web server's port. */
      private boolean enabled;
      /** The largest request body accepted (413 beyond). */
      private int maxBodyBytes = 4 * 1024 * 1024;

      public boolean isEnabled() { return enabled; }
      public void setEnabled(boolean v) { enabled = v; }
      public int getMaxBodyBytes() { return maxBodyBytes; }
      public void setMaxBodyBytes(int v) { maxBodyBytes = v; }
    }
  }

  /** pipeline.yaml, its reload, and the partitioning of stateful sinks across collectors. */
  public static class PipelineSetting extends FileSetting {
    /** How often the file is checked for changes (a bad new file is rejected); 0: never. */
    private Duration reloadInterval = Duration.ofSeconds(10);
    /**
     * Partition queues per sink with a stateful transformer (rate_of_change, delta, accumulator,
     * aggregator, arithmetic) on the broker, each consumed by one collector at a time; 0: off
     * (in process). Needs spring.rabbitmq.* and RabbitMQ (single active consumer).
     */
    private int partitions;
    /** Unacknowledged messages per partition queue and collector. */
    private int partitionPrefetch = 10;

    public Duration getReloadInterval() { return reloadInterval; }
    public void setReloadInterval(Duration v) { reloadInterval = v; }
    public int getPartitions() { return partitions; }
    public void setPartitions(int v) { partitions = v; }
    public int getPartitionPrefetch() { return partitionPrefetch; }
    public void setPartitionPrefetch(int v) { partitionPrefetch = v; }
  }

  /** A configuration file in Ceilometer's format; unset: the built-in default. */
  public static class FileSetting {
    private Path file;

    public Path getFile() { return file; }
    public void setFile(Path file) { this.file = file; }
  }

  /** meters.yaml: notification to sample definitions. */
  public static class Meters {
    /** Directories whose *.yaml files are read in sorted order; empty: Ceilometer's meters.yaml. */
    private List<Path> dirs = new ArrayList<>();

    public List<Path> getDirs() { return dirs; }
    public void setDirs(List<Path> dirs) { this.dirs = dirs; }
  }

  /** event_definitions.yaml: notification to event definitions. */
  public static class EventDefinitions {
    /** The file; unset: Ceilometer's event_definitions.yaml. */
    private Path file;
    /** Drop notifications no definition matches (Ceilometer's drop_unmatched_notifications). */
    private boolean dropUnmatched;
    /** Priorities whose events keep the whole notification as raw (Ceilometer's [event] store_raw). */
    private Set<String> storeRaw = Set.of();

    public Path getFile() { return file; }
    public void setFile(Path file) { this.file = file; }
    public boolean isDropUnmatched() { return dropUnmatched; }
    public void setDropUnmatched(boolean v) { dropUnmatched = v; }
    public Set<String> getStoreRaw() { return storeRaw; }
    public void setStoreRaw(Set<String> v) { storeRaw = v; }
  }

  /** The expirer role: retention (Ceilometer's metering_time_to_live / event_time_to_live). */
  public static class Expirer {
    /** How long raw samples are kept (whole days are dropped); unset: forever. */
    private Duration sampleTtl;
    /** How long events are kept; unset: forever. */
    private Duration eventTtl;
    /** How often expired data is removed. */
    private Duration interval = Duration.ofHours(1);

    public Duration getSampleTtl() { return sampleTtl; }
    public void setSampleTtl(Duration v) { sampleTtl = v; }
    public Duration getEventTtl() { return eventTtl; }
    public void setEventTtl(Duration v) { eventTtl = v; }
    public Duration getInterval() { return interval; }
    public void setInterval(Duration v) { interval = v; }
  }

  /** The polling agent: polling.yaml, pollster definitions, host meters, workload partitioning. */
  public static class Polling {
    /** polling.yaml; unset: the built-in default (hardware.* every 60 s). */
    private Path file;
    /** Directories of dynamic and scrape pollster definitions (Ceilometer's pollsters.d), *.yaml. */
    private List<Path> pollstersDirs = new ArrayList<>();
    /** Samples per batch handed to the pipeline ([polling] batch_size). */
    private int batchSize = 50;
    /** Random delay before each cycle, at most (spreads load). */
    private Duration jitter = Duration.ZERO;
    /** Root of the host's /proc (in Kubernetes: the node's /proc mounted in the pod); unset: /proc. */
    private Path procRoot;
    /** Root of the host's /sys; unset: /sys. */
    private Path sysRoot;
    /** The host's name for host meters' resource ids (in Kubernetes: the node name); unset: this machine's. */
    private String hostName;
    /** Split the resources between the polling agents sharing this database (heartbeats in PostgreSQL). */
    private boolean partitioning;
    /** Heartbeat period of partitioning; a dead agent's share moves after two periods. */
    private Duration heartbeat = Duration.ofSeconds(10);
    /** This agent's member id for partitioning; unset: the host name and a random suffix. */
    private String memberId;

    public Path getFile() { return file; }
    public void setFile(Path v) { file = v; }
    public List<Path> getPollstersDirs() { return pollstersDirs; }
    public void setPollstersDirs(List<Path> v) { pollstersDirs = v; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int v) { batchSize = v; }
    public Duration getJitter() { return jitter; }
    public void setJitter(Duration v) { jitter = v; }
    public Path getProcRoot() { return procRoot; }
    public void setProcRoot(Path v) { procRoot = v; }
    public Path getSysRoot() { return sysRoot; }
    public void setSysRoot(Path v) { sysRoot = v; }
    public String getHostName() { return hostName; }
    public void setHostName(String v) { hostName = v; }
    public boolean isPartitioning() { return partitioning; }
    public void setPartitioning(boolean v) { partitioning = v; }
    public Duration getHeartbeat() { return heartbeat; }
    public void setHeartbeat(Duration v) { heartbeat = v; }
    public String getMemberId() { return memberId; }
    public void setMemberId(String v) { memberId = v; }
  }

  /** The notification agent's broker topology and consumption (the broker is spring.rabbitmq.*). */
  public static class Notification {
    /** Control exchanges to bind; Ceilometer's list by default. */
    private List<String> exchanges = new ArrayList<>(NotificationTopology.CEILOMETER_EXCHANGES);
    /** Notification topics (oslo.messaging's notifications topics). */
    private List<String> topics = new ArrayList<>(List.of("notifications"));
    /** Priorities consumed: info and sample give samples, info and error give events. */
    private List<String> priorities = new ArrayList<>(NotificationTopology.PRIORITIES);
    /** oslo.messaging's amqp_durable_queues: must match how the services declared their exchanges. */
    private boolean durable;
    /**
     * Unacknowledged notifications per consumer, at most (bounds what is in flight). A notification
     * is acknowledged after its batch commits, so this must cover the rate × (batch delay + commit
     * time): at 10,000 notifications/s a notification waits ~100 ms from delivery to ack (batch delay
     * 50 ms, then the commit), so 1000 left the consumer idle part of the time (9,300-9,400/s on a quiet
     * machine) and 2000 does not (10,700-11,200/s): docs/benchmarks.md, Notifications.
     */
    private int prefetch = 2000;
    /** Consumers per queue. */
    private int consumersPerQueue = 1;
    /** Pause before a notification that could not be stored goes back to the broker. */
    private Duration redeliveryDelay = Duration.ofSeconds(1);
    private String deadLetterExchange = "altimeter.dead-letter";
    private String deadLetterQueue = "altimeter.notifications.dead-letter";

    public List<String> getExchanges() { return exchanges; }
    public void setExchanges(List<String> v) { exchanges = v; }
    public List<String> getTopics() { return topics; }
    public void setTopics(List<String> v) { topics = v; }
    public List<String> getPriorities() { return priorities; }
    public void setPriorities(List<String> v) { priorities = v; }
    public boolean isDurable() { return durable; }
    public void setDurable(boolean v) { durable = v; }
    public int getPrefetch() { return prefetch; }
    public void setPrefetch(int v) { prefetch = v; }
    public int getConsumersPerQueue() { return consumersPerQueue; }
    public void setConsumersPerQueue(int v) { consumersPerQueue = v; }
    public Duration getRedeliveryDelay() { return redeliveryDelay; }
    public void setRedeliveryDelay(Duration v) { redeliveryDelay = v; }
    public String getDeadLetterExchange() { return deadLetterExchange; }
    public void setDeadLetterExchange(String v) { deadLetterExchange = v; }
    public String getDeadLetterQueue() { return deadLetterQueue; }
    public void setDeadLetterQueue(String v) { deadLetterQueue = v; }

    NotificationTopology topology() {
      return new NotificationTopology(exchanges, topics, priorities, durable, deadLetterExchange, deadLetterQueue);
    }
  }

  /** The collected samples served for scraping at /actuator/samples (fed by prometheus-exposition://). */
  public static class Exposition {
    /** Series (meter and resource) kept at most; a new one past it evicts the least recently updated. */
    private int maxSeries = 10_000;
    /** A series not updated for this long is dropped (gone resources vanish); 0: never. */
    private Duration maxAge = Duration.ofMinutes(15);

    public int getMaxSeries() { return maxSeries; }
    public void setMaxSeries(int v) { maxSeries = v; }
    public Duration getMaxAge() { return maxAge; }
    public void setMaxAge(Duration v) { maxAge = v; }
  }

  /** The embedded PostgreSQL. */
  public static class Embedded {
    /** Port of the embedded server; 0 picks a free one at each start. */
    private int port = 0;
    /**
     * How long the embedded server may take to accept connections, crash recovery included (and a
     * server left running by a killed run to shut down); start-up fails after that.
     */
    private Duration startupWait = dev.altimeter.storage.postgres.PostgresStorage.Config.DEFAULT_EMBEDDED_STARTUP_WAIT;

    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public Duration getStartupWait() { return startupWait; }
    public void setStartupWait(Duration startupWait) { this.startupWait = startupWait; }
  }

  /** The store and the {@code database://} publisher in front of it. */
  public static class Store {
    /** Connections in the R2DBC pool. */
    private int maxConnections = 10;
    /** Samples queued for the store, at most; past it, ingest answers 503. */
    private int queueCapacity = 200_000;
    /**
     * Estimated heap bytes of the samples (and, separately, the events) queued for the store, at
     * most, metadata included; past it, ingest answers 503 as for {@link #queueCapacity}. 200,000
     * samples of a few hundred bytes of metadata each fit; 200,000 of 10 kB each would not fit a
     * small heap (docs/operations.md, Sizing).
     */
    private org.springframework.util.unit.DataSize queueCapacityBytes = org.springframework.util.unit.DataSize.ofMegabytes(128);
    /** Samples per store transaction, at most. */
    private int batchSize = 2_000;
    /**
     * How long a sample waits for its batch to fill, at most. Larger batches cost the store less
     * per row (docs/benchmarks.md, Notifications: 20 ms gave batches of ~90 events at 5,000
     * notifications/s); this is also the added latency of a single sample under light load.
     */
    private Duration batchDelay = Duration.ofMillis(50);
    /** Batches written concurrently. */
    private int writers = 4;
    /**
     * The rollups kept for statistics, Gnocchi-style {@code granularity:retention} levels finest
     * first, e.g. {@code 1m:30d, 1h:400d, 1d:forever} (docs/operations.md, Archive policies).
     */
    private String archivePolicy = dev.altimeter.storage.ArchivePolicy.DEFAULT;

    public int getMaxConnections() { return maxConnections; }
    public void setMaxConnections(int v) { maxConnections = v; }
    public int getQueueCapacity() { return queueCapacity; }
    public void setQueueCapacity(int v) { queueCapacity = v; }
    public org.springframework.util.unit.DataSize getQueueCapacityBytes() { return queueCapacityBytes; }
    public void setQueueCapacityBytes(org.springframework.util.unit.DataSize v) { queueCapacityBytes = v; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int v) { batchSize = v; }
    public Duration getBatchDelay() { return batchDelay; }
    public void setBatchDelay(Duration v) { batchDelay = v; }
    public int getWriters() { return writers; }
    public void setWriters(int v) { writers = v; }
    public String getArchivePolicy() { return archivePolicy; }
    public void setArchivePolicy(String v) { archivePolicy = v; }
  }
}
