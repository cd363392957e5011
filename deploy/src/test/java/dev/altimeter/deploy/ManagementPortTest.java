package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.altimeter.storage.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import io.netty.util.concurrent.EventExecutor;
import reactor.core.publisher.Sinks;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

/**
 * The actuator lives on the management port only, on an event loop of its own: with every event-loop
 * thread of the API server and of the shared HTTP clients busy, the management port still answers
 * its probes; the API port serves no actuator, the management port no application route.
 *
 * <p>No {@code altimeter.api.auth} is set here, so the service starts as the README's run command
 * does (auth none, both ports on 127.0.0.1). The requests go through the JDK's HTTP client: Reactor
 * Netty's clients share the loops this test occupies.
 */
@SpringBootTest(classes = {AltimeterApplication.class, ManagementPortTest.BusyLoops.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "altimeter.roles=expirer")
class ManagementPortTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  @LocalServerPort
  int port;
  @LocalManagementPort
  int managementPort;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.r2dbc.url", TestPostgres::r2dbcUrl);
  }

  /**
   * Holds the event-loop thread it runs on until released, as decoding a flood of request bodies
   * would: a busy spin, not a blocking call (BlockHound watches; it counts Thread.onSpinWait as one).
   */
  static void hold() {
    BusyLoops.busy.add(Thread.currentThread().getName());
    while (!BusyLoops.released) {
      // spin
    }
  }

  /** A route of the API server that holds its event-loop thread, for this test only. */
  @TestConfiguration(proxyBeanMethods = false)
  static class BusyLoops {
    static final Set<String> busy = ConcurrentHashMap.newKeySet();
    static volatile boolean released;

    @Bean
    RouterFunction<ServerResponse> busyLoopRoutes() {
      return route(GET("/test/busy"), request -> {
        hold();
        return ServerResponse.ok().bodyValue("released");
      }).andRoute(GET("/test/hello"), request -> ServerResponse.ok().bodyValue("hello"))
          .andRoute(GET("/test/gathered"), request -> {
            // answers once `gathering` requests are open at once (without holding a thread), so that
            // each of them has a connection of its own, which the client then keeps alive
            if (arrived.incrementAndGet() == gathering) all.tryEmitEmpty();
            return all.asMono().then(ServerResponse.ok().bodyValue("gathered"));
          });
    }

    static final AtomicInteger arrived = new AtomicInteger();
    static volatile int gathering;
    static final Sinks.Empty<Void> all = Sinks.empty();
  }

  /** @param headers names and values, in turn */
  HttpResponse<String> get(int port, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT);
    if (headers.length > 0) request.headers(headers);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void awaitBusy(int threads) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (BusyLoops.busy.size() < threads && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(BusyLoops.busy).as("event-loop threads held").hasSize(threads);
  }

  /**
   * Every event-loop thread the API server has, and every one of Reactor Netty's shared loops (the
   * HTTP pollsters' and publishers' clients; Spring Boot's default for a management server), are
   * held; the management port still answers. Each group has LoopResources' default worker count;
   * the API server's connections are spread over its threads in turn, so 4 times as many requests
   * occupy them all. Without the management server's own loop (Spring Boot's default puts it on the
   * shared loops) the probe times out.
   */
  @Test
  void probesAndMetricsAnswerWhileEveryApiAndClientEventLoopThreadIsBusy() throws Exception {
    int loopThreads = LoopResources.DEFAULT_IO_WORKER_COUNT;
    List<CompletableFuture<String>> held = new ArrayList<>();
    BusyLoops.released = false;
    BusyLoops.busy.clear();
    try {
      // the shared loops directly: their threads take connections in an order this test cannot steer
      for (EventExecutor loop : HttpResources.get().onServer(LoopResources.DEFAULT_NATIVE)) {
        held.add(CompletableFuture.supplyAsync(() -> {
          hold();
          return "released";
        }, loop));
      }
      awaitBusy(loopThreads);
      // the API server's loops through requests, as traffic would hold them. The connections are opened
      // first: the server accepts on one of its loops, and a connection arriving after that loop is
      // held would not be accepted (the likely cause of this test's rare timeouts on a loaded machine)
      BusyLoops.gathering = 4 * loopThreads;
      List<CompletableFuture<HttpResponse<String>>> gathered = new ArrayList<>();
      for (int i = 0; i < 4 * loopThreads; i++) {
        gathered.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test/gathered"))
            .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> g : gathered) assertThat(g.get().body()).isEqualTo("gathered");
      for (int i = 0; i < 4 * loopThreads; i++) {
        held.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test/busy"))
            .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body));
      }
      awaitBusy(2 * loopThreads);

      HttpResponse<String> liveness = get(managementPort, "/actuator/health/liveness");
      assertThat(liveness.statusCode()).isEqualTo(200);
      assertThat(liveness.body()).contains("\"UP\"");
      HttpResponse<String> metrics = get(managementPort, "/actuator/prometheus");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("altimeter_pipeline_queue_samples");
      assertThat(BusyLoops.busy).as("still held").hasSize(2 * loopThreads);
    } finally {
      BusyLoops.released = true;
    }
    assertThat(CompletableFuture.allOf(held.toArray(CompletableFuture[]::new)).thenApply(v -> held.stream()
        .map(CompletableFuture::join).distinct().toList()).get()).containsExactly("released");
  }

  @Test
  void theApiPortServesNoActuatorAndTheManagementPortNoApplicationRoutes() throws Exception {
    for (String path : List.of("/actuator", "/actuator/samples", "/actuator/health", "/actuator/health/liveness",
        "/actuator/prometheus", "/actuator/metrics", "/actuator/info")) {
      assertThat(get(port, path).statusCode()).as("API port %s", path).isEqualTo(404);
    }
    HttpResponse<String> samples = get(managementPort, "/actuator/samples");
    assertThat(samples.statusCode()).isEqualTo(200);
    assertThat(samples.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(get(managementPort, "/actuator/health/readiness").statusCode()).isEqualTo(200);
    assertThat(get(managementPort, "/actuator/info").statusCode()).isEqualTo(200);
    assertThat(get(port, "/test/hello").body()).isEqualTo("hello");
    assertThat(get(managementPort, "/test/hello").statusCode()).as("application routes on the management port")
        .isEqualTo(404);
  }

  /**
   * The actuator negotiates on its own, outside the API's content negotiation: an Accept of JSON in
   * another charset than UTF-8, or of more than 50 types, is 406 there too (were 500: Spring's JSON
   * encoder cannot write the charset; its sorting throws past 50 types). The body's shape is the
   * error handler's: the API's fault document in the service, Spring Boot's in this test's context.
   */
  @Test
  void theManagementPortRefusesAnAcceptItCannotAnswer() throws Exception {
    for (String accept : List.of("application/json;charset=ISO-8859-1", "text/plain, application/json;charset=UTF-16",
        String.join(", ", java.util.Collections.nCopies(51, "*/*")))) {
      for (String path : List.of("/actuator/health/readiness", "/actuator/health", "/actuator/metrics", "/actuator")) {
        HttpResponse<String> answer = get(managementPort, path, "Accept", accept);
        assertThat(answer.statusCode()).as("%s, Accept: %s", path, accept).isEqualTo(406);
        assertThat(answer.body()).as("%s, Accept: %s", path, accept).contains("Not Acceptable");
      }
    }
    // the actuator parses Accept's entries itself: it failed on an empty one (500)
    for (String accept : List.of("", ",,,", "text/plain,,", "*/*, ,text/plain")) {
      HttpResponse<String> scrape = get(managementPort, "/actuator/prometheus", "Accept", accept);
      assertThat(scrape.statusCode()).as("Accept: '%s'", accept).isEqualTo(200);
    }
    for (String accept : List.of("application/json,", ",application/json")) {
      assertThat(get(managementPort, "/actuator/health", "Accept", accept).statusCode()).as("Accept: '%s'", accept)
          .isEqualTo(200);
    }
    // OPTIONS too: Spring sorts the types when it answers it (was 500)
    HttpResponse<String> options = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
        + "/actuator/health")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Accept", String.join(", ", java.util.Collections.nCopies(51, "*/*"))).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(options.statusCode()).isEqualTo(406);
  }

  @Test
  void withNoAuthChosenBothPortsListenOnLoopbackOnly(@Autowired Environment env) {
    assertThat(env.getProperty("altimeter.api.auth")).isEqualTo("none");
    assertThat(env.getProperty("server.address")).isEqualTo("127.0.0.1");
    assertThat(env.getProperty("management.server.address")).isEqualTo("127.0.0.1");
  }
}
