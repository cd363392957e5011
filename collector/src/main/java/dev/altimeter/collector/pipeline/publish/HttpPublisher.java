package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.wire.MessageSigner;
import dev.altimeter.wire.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code http(s)://[user:pass@]host[:port]/path?timeout=5&max_retries=2&batch=true&raw_only=false}:
 * POSTs {@code Content-Type: application/json}; with {@code batch} (default) one JSON array of
 * {@code sample.as_dict()} per batch, else one POST per sample, in order. Events: {@code
 * event.serialize()}, or with {@code raw_only} their raw payloads. A non-2xx answer fails the batch
 * (after retries for 5xx). See {@link HttpPoster} for timeout and retries.
 *
 * <p>Altimeter's option {@code sign=true} (default false, Ceilometer's payload unchanged): with a
 * telemetry secret set, each sample dict also carries {@code message_signature}, Ceilometer's
 * HMAC over that dict's {@code recursive_keypairs}, so that an Altimeter HTTP receiver with the
 * same secret accepts it.
 */
final class HttpPublisher implements Publisher {
  static final Set<String> OPTIONS = Set.of("timeout", "max_retries", "batch", "verify_ssl", "clientcert",
      "clientkey", "raw_only", "ssl", "poolsize", "sign");

  private final HttpPoster poster;
  private final boolean batch;
  private final boolean rawOnly;
  private final MessageSigner signer;

  HttpPublisher(HttpPoster poster, boolean batch, boolean rawOnly) {
    this(poster, batch, rawOnly, MessageSigner.disabled());
  }

  HttpPublisher(HttpPoster poster, boolean batch, boolean rawOnly, MessageSigner signer) {
    this.poster = poster;
    this.batch = batch;
    this.rawOnly = rawOnly;
    this.signer = signer;
  }

  static HttpPublisher create(PublisherUrl url, PublisherContext context) {
    return new HttpPublisher(new HttpPoster(url, url.scheme(), OPTIONS), url.boolOption("batch", true),
        url.boolOption("raw_only", false), url.boolOption("sign", false) ? context.signer() : MessageSigner.disabled());
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> samples) {
    List<Map<String, Object>> dicts = new ArrayList<>(samples.size());
    for (Sample s : samples) {
      Map<String, Object> d = WireFormat.asDict(s);
      if (signer.enabled()) d.put("message_signature", signer.sign(d));
      dicts.add(d);
    }
    return send(dicts);
  }

  @Override
  public Mono<Void> publishEvents(List<Event> events) {
    List<Map<String, Object>> dicts = new ArrayList<>(events.size());
    for (Event e : events) dicts.add(rawOnly ? e.raw() : WireFormat.eventDict(e));
    return send(dicts);
  }

  private Mono<Void> send(List<Map<String, Object>> items) {
    if (items.isEmpty()) return Mono.empty();
    if (batch) return poster.post(Json.bytes(items), "application/json");
    return Flux.fromIterable(items).concatMap(i -> poster.post(Json.bytes(i), "application/json")).then();
  }
}
