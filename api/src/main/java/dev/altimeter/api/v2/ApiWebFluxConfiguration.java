package dev.altimeter.api.v2;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/** Registers {@link CallerResolver}, so handlers can take a {@link Caller}. */
@Configuration(proxyBeanMethods = false)
class ApiWebFluxConfiguration implements WebFluxConfigurer {
  private final CallerResolver callers;

  ApiWebFluxConfiguration(CallerResolver callers) {
    this.callers = callers;
  }

  @Override
  public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
    configurer.addCustomResolver(callers);
  }
}
