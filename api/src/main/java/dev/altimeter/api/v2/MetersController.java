package dev.altimeter.api.v2;

import dev.altimeter.ingest.IngestCounter;
import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.storage.MessageIds;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.wire.PostedSample;
import dev.altimeter.wire.PythonText;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/** {@code /v2/meters}: list meters, list the samples of one meter, post samples. */
@RestController
class MetersController {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /**
   * One element of a streamed array. Jackson 3 fails a read that leaves tokens behind
   * (FAIL_ON_TRAILING_TOKENS, on by default), which every element but the last does.
   */
  private static final ObjectReader ELEMENT =
      JSON.readerFor(Object.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final String DEFAULT_SOURCE = "openstack";

  private final SampleStore store;
  private final SampleConsumer pipeline;
  private final IngestCounter counter;
  private final Clock clock;

  /** @param counters where the sample POST counts, as receiver {@code v2}, like every other ingest door */
  MetersController(SampleStore store, SampleConsumer pipeline, IngestCounter.Receivers counters) {
    this.store = store;
    this.pipeline = pipeline;
    this.counter = counters.receiver("v2");
    this.clock = Clock.systemUTC();
  }

  @GetMapping(path = "/v2/meters", produces = MediaType.APPLICATION_JSON_VALUE)
  Flux<Map<String, Object>> meters(Caller caller, ServerWebExchange exchange) {
    var params = exchange.getRequest().getQueryParams();
    SimpleQuery.checkArguments(params, Set.of("limit", "unique"));
    int limit = SimpleQuery.limit(params);
    boolean unique = parseBoolean("unique", params.getFirst("unique"));
    return SimpleQuery.conditions(exchange)
        .map(conditions -> SimpleQuery.filter(conditions, SimpleQuery.Kind.METERS, caller))
        .flatMapMany(filter -> store.meters(filter, unique, limit).map(Representations::meter));
  }

  @GetMapping(path = "/v2/meters/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
  Flux<Map<String, Object>> samples(@PathVariable("name") String name, Caller caller, ServerWebExchange exchange) {
    var params = exchange.getRequest().getQueryParams();
    SimpleQuery.checkArguments(params, Set.of("limit"));
    int limit = SimpleQuery.limit(params);
    return SimpleQuery.conditions(exchange)
        .map(conditions -> SimpleQuery.filter(conditions, SimpleQuery.Kind.SAMPLES, caller).toBuilder()
            .meter(name).build())
        .flatMapMany(filter -> store.samples(filter, limit).map(Representations::oldSample));
  }

  /**
   * Ceilometer's sample POST: validates every sample first (nothing is stored when one is bad),
   * fills the defaults, hands them to the pipeline and answers 201 once they are stored. Counted in
   * {@code altimeter.receiver.samples{receiver=v2}}: a refused body as one {@code invalid} (the bad
   * sample; the body's other samples were never read as such), the samples of a 503 (overloaded, store
   * unavailable) as {@code dropped}, of a 400 or 413 from the pipeline (values the store refuses, more
   * than the queue holds) as {@code invalid}, of any other store failure as {@code failed}.
   */
  @PostMapping(path = "/v2/meters/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<Flux<Echo>>> post(@PathVariable("name") String name,
      @RequestBody(required = false) Mono<byte[]> body, Caller caller, ServerWebExchange exchange) {
    var params = exchange.getRequest().getQueryParams();
    try {
      SimpleQuery.checkArguments(params, Set.of("direct"));
      parseBoolean("direct", params.getFirst("direct"));
    } catch (ApiError e) {
      // refused before its body is read: one invalid, as a refused body
      counter.count(IngestOutcome.INVALID);
      throw e;
    }
    return body.defaultIfEmpty(new byte[0])
        // a large body takes a while to parse: not on the event loop that serves other requests
        .publishOn(Schedulers.parallel())
        .map(bytes -> parseSamples(name, bytes, caller))
        .doOnError(ApiError.class, e -> counter.count(IngestOutcome.INVALID))
        .flatMap(samples -> pipeline.accept(samples)
            .doOnSuccess(v -> counter.count(IngestOutcome.ACCEPTED, samples.size()))
            .doOnError(e -> counter.count(IngestOutcome.ofPipelineError(e), samples.size()))
            .thenReturn(samples))
        // a Flux, not a Mono: the answer is sent in chunks as it is written, as it always was
        .map(samples -> ResponseEntity.status(HttpStatus.CREATED).body(Flux.just(new Echo(samples))));
  }

  /** The 201 answer: the samples stored, written by {@link EchoEncoder}. */
  record Echo(List<Sample> samples) {}

  /**
   * Parses and validates the whole body; the first bad sample refuses the request.
   *
   * <p>Memory: a body that is a JSON array is read element by element, so only one sample's tree
   * is held at a time beside the samples built so far (a 100,000-sample body as one tree of maps
   * and lists took several times the samples' own size). Only when that fails (bad JSON, a bad
   * sample, anything but a non-empty array) is the body read again as a whole, which words the
   * refusal exactly as before: WSME's messages quote the whole argument.
   */
  List<Sample> parseSamples(String meterName, byte[] body, Caller caller) {
    List<Sample> streamed = body.length == 0 ? null : parseStreaming(meterName, body, caller);
    return streamed != null ? streamed : parseWhole(meterName, body, caller);
  }

  /** The samples of a non-empty JSON array, read one element at a time; null when anything is wrong. */
  List<Sample> parseStreaming(String meterName, byte[] body, Caller caller) {
    try (JsonParser parser = JSON.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) return null;
      Instant now = clock.instant();
      List<Sample> samples = new ArrayList<>();
      // the whole argument is only needed to word a refusal, and a refusal re-reads it as a whole
      Supplier<Object> noWhole = List::of;
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        samples.add(sample(meterName, ELEMENT.readValue(parser), noWhole, now, caller));
      }
      if (samples.isEmpty() || parser.nextToken() != null) return null;
      return samples;
    } catch (JacksonException | ApiError e) {
      return null;
    }
  }

  private List<Sample> parseWhole(String meterName, byte[] body, Caller caller) {
    Object root;
    try {
      // one pass into plain maps and lists: cheaper than a tree plus conversions on the hot path
      root = body.length == 0 ? null : JSON.readValue(body, Object.class);
    } catch (JacksonException e) {
      throw ApiError.badRequest("Invalid input for field/attribute samples. Value: '" + abbreviate(body)
          + "'. The request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || (root instanceof List<?> l && l.isEmpty())) {
      throw ApiError.badRequest("Samples should be included in request body");
    }
    if (!(root instanceof List<?> items)) {
      throw ApiError.invalidInput("samples", json(root), "a list of samples is expected");
    }
    Instant now = clock.instant();
    List<Sample> samples = new ArrayList<>(items.size());
    for (Object element : items) samples.add(sample(meterName, element, () -> root, now, caller));
    return samples;
  }

  /**
   * One element of the body as a sample; {@code root} is the whole body, for WSME's refusals. The
   * codec reads the OldSample by Ceilometer's rules; the API adds its defaults and limits.
   */
  private static Sample sample(String meterName, Object element, Supplier<Object> root, Instant now, Caller caller) {
    PostedSample posted;
    try {
      posted = PostedSample.read(element, meterName, MetersController::json);
    } catch (PostedSample.InvalidField e) {
      if (e.wholeArgument()) throw wsmeInvalid(root, e.getMessage());
      throw ApiError.invalidInput(e.field(), e.value(), e.getMessage());
    }
    String userId = orDefault(posted.userId(), caller.userId());
    String projectId = orDefault(posted.projectId(), caller.projectId());
    String source = projectId + ":" + orDefault(posted.source(), DEFAULT_SOURCE);
    Instant timestamp = posted.timestamp() != null ? posted.timestamp() : now;
    Map<String, Object> metadata = posted.metadata();
    if (!metadata.isEmpty()) {
      RequestValues.checkDocument("resource_metadata", metadata);
      metadata = renest(metadata);
    }
    // each stored as text, as posted (before the defaults)
    RequestValues.checkText("counter_name", posted.counterName());
    RequestValues.checkText("counter_unit", posted.unit());
    RequestValues.checkText("resource_id", posted.resourceId());
    RequestValues.checkText("user_id", posted.userId());
    RequestValues.checkText("project_id", posted.projectId());
    RequestValues.checkText("source", posted.source());
    // writes follow the rule of reads: a non-admin writes into its own project only
    caller.confineProject(projectId);
    try {
      return Sample.builder().meter(posted.counterName()).type(posted.type()).unit(posted.unit())
          .volume(posted.volume()).userId(userId).projectId(projectId).resourceId(posted.resourceId()).source(source)
          .timestamp(timestamp).resourceMetadata(metadata).messageId(MessageIds.random()).build();
    } catch (IllegalArgumentException e) {
      // the model's own check (Values), should one the API did not foresee refuse the sample
      throw ApiError.badRequest("Invalid input for field/attribute samples. " + RequestValues.printable(e.getMessage()));
    }
  }

  private static String json(Object value) {
    return JSON.writeValueAsString(value);
  }

  /**
   * WSME's answer to a value its types could not convert: the argument's name ({@code samples}) and
   * the whole argument as Python's repr, then the conversion's error.
   */
  private static ApiError wsmeInvalid(Supplier<Object> samples, String reason) {
    return ApiError.invalidInput("samples", PythonText.repr(samples.get()), reason);
  }

  /**
   * Keys with dots become nested objects: {@code {"a.b": 1}} is stored as {@code {"a": {"b": 1}}}.
   * Metadata without one, at any depth, is answered as it is, not copied (the model copies it).
   */
  static Map<String, Object> renest(Map<String, Object> flat) {
    return Representations.hasDottedKey(flat) ? renestCopy(flat) : flat;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> renestCopy(Map<String, Object> flat) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : flat.entrySet()) {
      Object value = e.getValue() instanceof Map<?, ?> m ? renestCopy((Map<String, Object>) m) : e.getValue();
      Iterator<String> parts = List.of(e.getKey().split("\\.", -1)).iterator();
      Map<String, Object> target = out;
      String part = parts.next();
      while (parts.hasNext()) {
        Object child = target.get(part);
        if (!(child instanceof Map)) {
          child = new LinkedHashMap<String, Object>();
          target.put(part, child);
        }
        target = (Map<String, Object>) child;
        part = parts.next();
      }
      target.put(part, value);
    }
    return out;
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }

  static boolean parseBoolean(String field, String raw) {
    if (raw == null) return false;
    return switch (raw.trim().toLowerCase()) {
      case "true", "1", "yes", "on", "t", "y" -> true;
      case "false", "0", "no", "off", "f", "n" -> false;
      default -> throw ApiError.invalidInput(field, raw, "unable to convert to bool");
    };
  }

  private static String abbreviate(byte[] body) {
    String s = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
