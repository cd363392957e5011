package dev.altimeter.deploy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Secure by default without making the first run harder: when no {@code altimeter.api.auth} is
 * chosen anywhere (arguments, environment, files), the service takes Ceilometer's noauth ({@code
 * none}: every caller is an admin) and listens on 127.0.0.1 only, for the API ({@code
 * server.address}) and the management port ({@code management.server.address}, which serves every
 * project's latest values), each unless set; a WARN says so at start-up. A non-loopback {@code
 * server.address} with no auth chosen stops the start-up: an open API on the network is never a
 * default. Once {@code altimeter.api.auth} is set (to anything, {@code none} included) nothing here
 * applies.
 *
 * <p>Runs after the configuration files are read (this post processor has the lowest precedence), so a
 * setting in application.yaml or a config tree counts as chosen. Registered in {@code
 * META-INF/spring.factories}.
 */
class LoopbackWithoutAuth implements EnvironmentPostProcessor, Ordered {
  static final String AUTH = "altimeter.api.auth";
  static final String SERVER_ADDRESS = "server.address";
  static final String MANAGEMENT_ADDRESS = "management.server.address";
  /** Ceilometer's {@code auth_strategy = noauth}, as the api module spells it. */
  static final String NO_AUTH = "none";
  static final String LOOPBACK = "127.0.0.1";
  static final String PROPERTY_SOURCE = "altimeter-loopback-without-auth";
  static final String WARNING = "no altimeter.api.auth chosen: the API is open to every local caller as admin and"
      + " listens on 127.0.0.1 only; set altimeter.api.auth=headers|token to serve other hosts";

  private final Log log;

  LoopbackWithoutAuth(DeferredLogFactory logs) {
    this.log = logs.getLog(LoopbackWithoutAuth.class);
  }

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    if (environment.containsProperty(AUTH)) return;
    String address = environment.getProperty(SERVER_ADDRESS);
    if (isSet(address) && !isLoopback(address)) {
      throw new IllegalStateException(SERVER_ADDRESS + "=" + address + " serves other hosts, but no " + AUTH
          + " is chosen and the API would take every caller as admin: set " + AUTH + "=headers (behind an"
          + " authenticating proxy) or token, or " + AUTH + "=none to accept an open API");
    }
    String management = environment.getProperty(MANAGEMENT_ADDRESS);
    if (isSet(management) && !isLoopback(management)) {
      // the management port serves /actuator/samples, every project's latest values
      throw new IllegalStateException(MANAGEMENT_ADDRESS + "=" + management + " serves other hosts the management"
          + " port, with every project's latest samples, but no " + AUTH + " is chosen (a single-host setup):"
          + " choose " + AUTH + " explicitly to serve other hosts");
    }
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put(AUTH, NO_AUTH);
    if (!isSet(address)) defaults.put(SERVER_ADDRESS, LOOPBACK);
    if (!isSet(environment.getProperty(MANAGEMENT_ADDRESS))) defaults.put(MANAGEMENT_ADDRESS, LOOPBACK);
    // first, to override a blank address (every interface to the server); set ones are not in it
    environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, defaults));
    log.warn(WARNING);
  }

  /** A blank address is unset: the server would listen on every interface. */
  private static boolean isSet(String address) {
    return address != null && !address.isBlank();
  }

  /** Literal addresses are never looked up; a host name is resolved once, at start-up. */
  static boolean isLoopback(String address) {
    try {
      for (InetAddress a : InetAddress.getAllByName(address.trim())) {
        if (!a.isLoopbackAddress()) return false;
      }
      return true;
    } catch (UnknownHostException e) {
      return false; // the server could not bind it either; the message names the property
    }
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
