package dev.altimeter.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
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

  public Path getDataDir() { return dataDir; }
  public void setDataDir(Path dataDir) { this.dataDir = dataDir; }
  public Set<Role> getRoles() { return roles; }
  public void setRoles(Set<Role> roles) { this.roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles); }
  public Embedded getEmbedded() { return embedded; }
  public Store getStore() { return store; }

  /** The embedded PostgreSQL. */
  public static class Embedded {
    /** Port of the embedded server; 0 picks a free one at each start. */
    private int port = 0;

    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
  }

  /** The store and the {@code database://} publisher in front of it. */
  public static class Store {
    /** Connections in the R2DBC pool. */
    private int maxConnections = 10;
    /** Samples queued for the store, at most; past it, ingest answers 503. */
    private int queueCapacity = 200_000;
    /** Samples per store transaction, at most. */
    private int batchSize = 2_000;
    /** How long a sample waits for its batch to fill, at most. */
    private Duration batchDelay = Duration.ofMillis(20);
    /** Batches written concurrently. */
    private int writers = 4;

    public int getMaxConnections() { return maxConnections; }
    public void setMaxConnections(int v) { maxConnections = v; }
    public int getQueueCapacity() { return queueCapacity; }
    public void setQueueCapacity(int v) { queueCapacity = v; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int v) { batchSize = v; }
    public Duration getBatchDelay() { return batchDelay; }
    public void setBatchDelay(Duration v) { batchDelay = v; }
    public int getWriters() { return writers; }
    public void setWriters(int v) { writers = v; }
  }
}
