package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.logging.Log;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

/** What {@link LoopbackWithoutAuth} makes of each combination of settings (a table of cases). */
class LoopbackWithoutAuthTest {
  static final String UNSET = null;

  /** given auth, server.address, management.server.address -> the three as the service sees them, and a WARN or not. */
  static Stream<Arguments> cases() {
    return Stream.of(
        // nothing chosen: noauth on loopback, both ports
        Arguments.of("nothing set", UNSET, UNSET, UNSET, "none", "127.0.0.1", "127.0.0.1", true),
        Arguments.of("loopback API kept", UNSET, "127.0.0.1", UNSET, "none", "127.0.0.1", "127.0.0.1", true),
        Arguments.of("another loopback kept", UNSET, "127.0.0.2", UNSET, "none", "127.0.0.2", "127.0.0.1", true),
        Arguments.of("IPv6 loopback kept", UNSET, "::1", UNSET, "none", "::1", "127.0.0.1", true),
        Arguments.of("localhost kept", UNSET, "localhost", UNSET, "none", "localhost", "127.0.0.1", true),
        Arguments.of("blank address is unset", UNSET, " ", UNSET, "none", "127.0.0.1", "127.0.0.1", true),
        Arguments.of("blank management address is unset", UNSET, UNSET, "", "none", "127.0.0.1", "127.0.0.1", true),
        Arguments.of("loopback management address kept", UNSET, UNSET, "127.0.0.3", "none", "127.0.0.1", "127.0.0.3", true),
        // chosen: nothing changes, whatever the addresses
        Arguments.of("headers", "headers", UNSET, UNSET, "headers", UNSET, UNSET, false),
        Arguments.of("token on every interface", "token", "0.0.0.0", UNSET, "token", "0.0.0.0", UNSET, false),
        Arguments.of("explicit none on every interface", "none", "0.0.0.0", "0.0.0.0", "none", "0.0.0.0", "0.0.0.0", false),
        Arguments.of("blank auth is a choice (the API refuses it)", "", UNSET, UNSET, "", UNSET, UNSET, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void settings(String name, String auth, String address, String managementAddress,
      String expectedAuth, String expectedAddress, String expectedManagementAddress, boolean warns) {
    MockEnvironment env = environment(auth, address, managementAddress);
    List<String> warnings = new ArrayList<>();
    new LoopbackWithoutAuth(destination -> recording(warnings)).postProcessEnvironment(env, new SpringApplication());
    assertThat(env.getProperty(LoopbackWithoutAuth.AUTH)).isEqualTo(expectedAuth);
    assertThat(env.getProperty(LoopbackWithoutAuth.SERVER_ADDRESS)).isEqualTo(expectedAddress);
    assertThat(env.getProperty(LoopbackWithoutAuth.MANAGEMENT_ADDRESS)).isEqualTo(expectedManagementAddress);
    assertThat(warnings).isEqualTo(warns ? List.of(LoopbackWithoutAuth.WARNING) : List.of());
  }

  static Stream<String> openAddresses() {
    return Stream.of("0.0.0.0", "::", "10.0.0.5", "192.168.1.1", "fe80::1");
  }

  @ParameterizedTest
  @MethodSource("openAddresses")
  void aNonLoopbackAddressWithoutAuthStopsTheStartUp(String address) {
    MockEnvironment env = environment(UNSET, address, UNSET);
    List<String> warnings = new ArrayList<>();
    assertThatThrownBy(() -> new LoopbackWithoutAuth(destination -> recording(warnings))
        .postProcessEnvironment(env, new SpringApplication()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("server.address=" + address)
        .hasMessageContaining("altimeter.api.auth=headers");
    assertThat(env.getProperty(LoopbackWithoutAuth.AUTH)).isNull();
    assertThat(warnings).isEmpty();
  }

  /** The management port serves every project's latest samples: no more open without auth than the API. */
  @ParameterizedTest
  @MethodSource("openAddresses")
  void aNonLoopbackManagementAddressWithoutAuthStopsTheStartUp(String address) {
    MockEnvironment env = environment(UNSET, UNSET, address);
    assertThatThrownBy(() -> new LoopbackWithoutAuth(destination -> recording(new ArrayList<>()))
        .postProcessEnvironment(env, new SpringApplication()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("management.server.address=" + address);
  }

  /** The chart and kustomize choose through the environment variable {@code ALTIMETER_API_AUTH}. */
  @Test
  void anAuthFromTheEnvironmentVariableCounts() {
    MockEnvironment env = new MockEnvironment();
    env.getPropertySources().addFirst(new SystemEnvironmentPropertySource("env", Map.of("ALTIMETER_API_AUTH", "headers")));
    List<String> warnings = new ArrayList<>();
    new LoopbackWithoutAuth(destination -> recording(warnings)).postProcessEnvironment(env, new SpringApplication());
    assertThat(env.getProperty(LoopbackWithoutAuth.AUTH)).isEqualTo("headers");
    assertThat(env.getProperty(LoopbackWithoutAuth.SERVER_ADDRESS)).isNull();
    assertThat(env.getProperty(LoopbackWithoutAuth.MANAGEMENT_ADDRESS)).isNull();
    assertThat(warnings).isEmpty();
  }

  static MockEnvironment environment(String auth, String address, String managementAddress) {
    Map<String, Object> given = new LinkedHashMap<>();
    if (auth != null) given.put(LoopbackWithoutAuth.AUTH, auth);
    if (address != null) given.put(LoopbackWithoutAuth.SERVER_ADDRESS, address);
    if (managementAddress != null) given.put(LoopbackWithoutAuth.MANAGEMENT_ADDRESS, managementAddress);
    MockEnvironment env = new MockEnvironment();
    env.getPropertySources().addFirst(new MapPropertySource("given", given));
    return env;
  }

  /** A Log that keeps the messages of warn(), and refuses any other level (none is expected). */
  static Log recording(List<String> warnings) {
    return (Log) Proxy.newProxyInstance(Log.class.getClassLoader(), new Class<?>[] {Log.class}, (proxy, method, args) -> {
      if (method.getName().startsWith("is")) return true;
      if (method.getName().equals("warn")) {
        warnings.add(String.valueOf(args[0]));
        return null;
      }
      throw new AssertionError("unexpected log call " + method.getName());
    });
  }
}
