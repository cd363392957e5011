package dev.altimeter.management;

import dev.altimeter.api.v2.AcceptedTypes;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.webflux.actuate.endpoint.web.AbstractWebFluxEndpointHandlerMapping;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The management port answers only what the actuator's endpoint mappings map (the endpoints, their
 * links, the health groups' paths), 404 for anything else. Without it the application's routes
 * answer there too, past whatever guards the API port (the application's WebFilters do not run on
 * the management port): WebFlux's DispatcherHandler collects handler mappings from the parent
 * context as well (spring-boot#14012), the management context's own RouterFunctionMapping collects
 * the parent's router functions (e.g. {@code POST /v1/samples}), and its resource mapping takes any
 * path. Before that lookup it applies the API port's rules on {@code Accept} ({@link
 * AcceptedTypes#negotiate}): the lookup sorts the accepted types, which throws past 50 (a 500), and
 * the actuator's JSON encoder cannot write another charset than UTF-8 (a 500).
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
final class ActuatorOnly implements WebFilter {
  private final ApplicationContext managementContext;
  private volatile List<AbstractWebFluxEndpointHandlerMapping> actuator;

  ActuatorOnly(ApplicationContext managementContext) {
    this.managementContext = managementContext;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerWebExchange negotiated;
    try {
      negotiated = AcceptedTypes.negotiate(exchange); // the API port's rules (its filters do not run here)
    } catch (NotAcceptableStatusException e) {
      return Mono.error(e);
    }
    return Flux.fromIterable(actuatorMappings()).concatMap(m -> m.getHandler(negotiated)).hasElements()
        .flatMap(mapped -> {
          if (mapped) return chain.filter(negotiated);
          exchange.getResponse().setStatusCode(HttpStatus.NOT_FOUND);
          return exchange.getResponse().setComplete();
        });
  }

  /** The management context's own endpoint mappings (read once, when the first request comes). */
  private List<AbstractWebFluxEndpointHandlerMapping> actuatorMappings() {
    List<AbstractWebFluxEndpointHandlerMapping> mappings = actuator;
    if (mappings == null) {
      List<AbstractWebFluxEndpointHandlerMapping> found =
          new ArrayList<>(managementContext.getBeansOfType(AbstractWebFluxEndpointHandlerMapping.class).values());
      AnnotationAwareOrderComparator.sort(found);
      mappings = List.copyOf(found);
      actuator = mappings;
    }
    return mappings;
  }
}
