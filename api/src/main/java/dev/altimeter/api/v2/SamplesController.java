package dev.altimeter.api.v2;

import dev.altimeter.storage.SampleStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code /v2/samples}: the samples of every meter, and one sample by id. */
@RestController
class SamplesController {
  private final SampleStore store;

  SamplesController(SampleStore store) {
    this.store = store;
  }

  @GetMapping(path = "/v2/samples", produces = MediaType.APPLICATION_JSON_VALUE)
  Flux<Map<String, Object>> samples(Caller caller, ServerWebExchange exchange) {
    var params = exchange.getRequest().getQueryParams();
    SimpleQuery.checkArguments(params, Set.of("limit"));
    int limit = SimpleQuery.limit(params);
    return SimpleQuery.conditions(exchange)
        .map(conditions -> SimpleQuery.filter(conditions, SimpleQuery.Kind.SAMPLES, caller))
        .flatMapMany(filter -> store.samples(filter, limit).map(Representations::sample));
  }

  @GetMapping(path = "/v2/samples/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<Map<String, Object>> sample(@PathVariable("id") String id, Caller caller, ServerWebExchange exchange) {
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), Set.of());
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Mono.error(ApiError.notFound("Sample " + id + " Not Found"));
    }
    return store.sample(uuid)
        .filter(s -> caller.sees(s.projectId()))
        .map(Representations::sample)
        .switchIfEmpty(Mono.error(() -> ApiError.notFound("Sample " + id + " Not Found")));
  }
}
