package dev.altimeter.collector.polling;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A real HTTP server on 127.0.0.1 and an ephemeral port, serving canned bodies by path + query. */
public final class LocalHttpServer implements AutoCloseable {
  /** A canned answer. */
  public record Response(int status, String contentType, String body) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final Map<String, Response> routes = new ConcurrentHashMap<>();
  /** Every request as "path?query", with the headers of interest. */
  public final List<String> requests = new CopyOnWriteArrayList<>();
  public final List<Map<String, List<String>>> requestHeaders = new CopyOnWriteArrayList<>();

  public LocalHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** Serves {@code body} at {@code pathAndQuery} (exact match, e.g. {@code /v1/clusters} or {@code /a?b=c}). */
  public LocalHttpServer route(String pathAndQuery, int status, String contentType, String body) {
    routes.put(pathAndQuery, new Response(status, contentType, body));
    return this;
  }

  public String url(String pathAndQuery) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    String key = ex.getRequestURI().getRawPath()
        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
    requests.add(key);
    requestHeaders.add(Map.copyOf(ex.getRequestHeaders()));
    Response r = routes.getOrDefault(key, new Response(404, "text/plain", "not found: " + key));
    byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", r.contentType());
    ex.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
