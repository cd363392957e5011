package dev.altimeter.deploy;

import dev.altimeter.ingest.IngestCounter;
import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.StoreException;
import dev.altimeter.wire.MeterMessageDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/samples}: the HTTP receiver, for what another node's {@code http://} publisher
 * sends (point it at {@code http://this-node:8080/v1/samples}; add {@code sign=true} when a
 * telemetry secret is set). The body is a JSON array of sample dicts, or one dict (the
 * publisher's {@code batch=false}); each dict is {@code sample.as_dict()} or a meter message dict
 * (see {@link MeterMessageDecoder}).
 *
 * <p>The batch is all or nothing: every dict is checked first and nothing is stored when one is
 * bad. Answers: 204 once the pipeline stored every sample; 400 for a body that is not JSON, not an
 * object or array, or a dict that is not a valid sample; 403 when a telemetry secret is set and a
 * sample is unsigned or its signature does not match (403, not 401: the credential is inside the
 * payload, there is no HTTP authentication scheme to challenge with, and the same bytes will never
 * be accepted, so the publisher must not retry: it retries only 5xx); 413 for a body beyond
 * {@code altimeter.receiver.http.max-body-bytes}; 503 with {@code Retry-After} when the pipeline is
 * overloaded (the publisher retries). Errors have Ceilometer's shape {@code {"error_message":
 * {"faultcode": "Client"|"Server", "faultstring": ..., "debuginfo": null}}}. Not behind the API's
 * authentication (the path is outside {@code /v2}): the signature is the credential, so enable it
 * only with a secret or on a trusted network. Counted in {@code altimeter.receiver.samples{receiver=http}};
 * the well-formed samples of a rejected batch count as {@code invalid}, as do the samples the store
 * refuses (400, 413) and a body beyond the limit (one, its samples unread).
 */
final class SampleReceiverRoute {
  static final String PATH = "/v1/samples";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final MeterMessageDecoder decoder;
  private final SampleConsumer consumer;
  private final int maxBodyBytes;
  private final IngestCounter counter;

  SampleReceiverRoute(MeterMessageDecoder decoder, SampleConsumer consumer, int maxBodyBytes, IngestCounter counter) {
    this.decoder = decoder;
    this.consumer = consumer;
    this.maxBodyBytes = maxBodyBytes;
    this.counter = counter;
  }

  RouterFunction<ServerResponse> route() {
    return RouterFunctions.route().POST(PATH, this::receive).build();
  }

  Mono<ServerResponse> receive(ServerRequest request) {
    return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxBodyBytes)
        .map(SampleReceiverRoute::bytes)
        .defaultIfEmpty(new byte[0])
        .flatMap(this::handle)
        .onErrorResume(DataBufferLimitException.class, e -> {
          // its samples were never read: counted as one, as every other refused body
          counter.count(IngestOutcome.INVALID);
          return error(HttpStatus.CONTENT_TOO_LARGE, "Client", "request body larger than " + maxBodyBytes + " bytes");
        });
  }

  private static byte[] bytes(DataBuffer buffer) {
    try {
      byte[] b = new byte[buffer.readableByteCount()];
      buffer.read(b);
      return b;
    } finally {
      DataBufferUtils.release(buffer);
    }
  }

  private Mono<ServerResponse> handle(byte[] body) {
    Object parsed;
    try {
      if (body.length == 0) throw new IllegalArgumentException("empty body");
      parsed = JSON.readValue(body, Object.class);
    } catch (JacksonException | IllegalArgumentException e) {
      counter.count(IngestOutcome.INVALID);
      return error(HttpStatus.BAD_REQUEST, "Client", "body is not JSON: " + firstLine(e.getMessage()));
    }
    List<?> items;
    if (parsed instanceof List<?> l) items = l;
    else if (parsed instanceof Map<?, ?>) items = List.of(parsed);
    else {
      counter.count(IngestOutcome.INVALID);
      return error(HttpStatus.BAD_REQUEST, "Client", "body must be a JSON array of samples or one sample object");
    }
    List<Sample> samples = new ArrayList<>(items.size());
    MeterMessageDecoder.Result firstBad = null;
    int firstBadIndex = -1;
    boolean signatureFault = false;
    for (int i = 0; i < items.size(); i++) {
      MeterMessageDecoder.Result r = decoder.decode(items.get(i));
      if (r.ok()) {
        samples.add(r.sample());
        continue;
      }
      counter.count(r.outcome());
      boolean sig = r.outcome() == IngestOutcome.UNSIGNED || r.outcome() == IngestOutcome.BAD_SIGNATURE;
      if (firstBad == null || (sig && !signatureFault)) {
        firstBad = r;
        firstBadIndex = i;
      }
      signatureFault |= sig;
    }
    if (firstBad != null) {
      counter.count(IngestOutcome.INVALID, samples.size());
      String what = "sample " + firstBadIndex + ": " + firstBad.reason();
      return error(signatureFault ? HttpStatus.FORBIDDEN : HttpStatus.BAD_REQUEST, "Client", what);
    }
    if (samples.isEmpty()) return ServerResponse.noContent().build();
    return consumer.accept(samples)
        .then(Mono.defer(() -> {
          counter.count(IngestOutcome.ACCEPTED, samples.size());
          return ServerResponse.noContent().build();
        }))
        .onErrorResume(e -> {
          // the same kinds as the v2 API: busy or store down is 503 (retry), the data's own fault 400,
          // more than the pipeline can ever take 413; anything else is a bug
          if (e instanceof SampleConsumer.Overloaded || e instanceof StoreException.Unavailable) {
            counter.count(IngestOutcome.DROPPED, samples.size());
            return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "1")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fault("Server", e.getMessage()));
          }
          // the data's own fault is the sender's, as a malformed sample: invalid, not lost to this node
          if (e instanceof StoreException.InvalidData) {
            counter.count(IngestOutcome.INVALID, samples.size());
            return error(HttpStatus.BAD_REQUEST, "Client", e.getMessage());
          }
          if (e instanceof SampleConsumer.TooLarge) {
            counter.count(IngestOutcome.INVALID, samples.size());
            return error(HttpStatus.CONTENT_TOO_LARGE, "Client", e.getMessage());
          }
          counter.count(IngestOutcome.FAILED, samples.size());
          return error(HttpStatus.INTERNAL_SERVER_ERROR, "Server", "samples could not be stored");
        });
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static Mono<ServerResponse> error(HttpStatus status, String faultcode, String faultstring) {
    return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(fault(faultcode, faultstring));
  }

  /** Ceilometer's (WSME's) error body. */
  static Map<String, Object> fault(String faultcode, String faultstring) {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("faultcode", faultcode);
    inner.put("faultstring", faultstring);
    inner.put("debuginfo", null);
    return Map.of("error_message", inner);
  }
}
