package dev.altimeter.api.v2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.ResourceHandlerRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/**
 * Registers {@link CallerResolver}, so handlers can take a {@link Caller}, and {@link EchoEncoder}; serves the console's
 * static assets at {@code /console/*} (public: they are code, not data; see {@link ConsoleController}).
 */
@Configuration(proxyBeanMethods = false)
class ApiWebFluxConfiguration implements WebFluxConfigurer {
  private final CallerResolver callers;
  /** Asset ETags by resource URL: a handful of classpath files, each hashed once. */
  private final Map<String, String> etags = new ConcurrentHashMap<>();

  ApiWebFluxConfiguration(CallerResolver callers) {
    this.callers = callers;
  }

  /** The sample POST's echo, before the JSON encoder, which would write it as an object. */
  @Override
  public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
    configurer.customCodecs().register(new EchoEncoder());
  }

  @Override
  public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
    configurer.addCustomResolver(callers);
  }

  /**
   * Revalidated on every use ({@code no-cache}) against an ETag of the content: an upgraded service
   * is seen at once, an unchanged one answers 304. Not Last-Modified: a reproducible jar stamps
   * every entry with the same time, whatever the version.
   */
  @Override
  public void addResourceHandlers(ResourceHandlerRegistry registry) {
    registry.addResourceHandler(ConsoleController.PATH + "/**")
        .addResourceLocations(ConsoleController.LOCATION)
        .setCacheControl(CacheControl.noCache())
        .setUseLastModified(false)
        .setEtagGenerator(this::etag);
  }

  private String etag(Resource resource) {
    try {
      return etags.computeIfAbsent(resource.getURL().toString(), url -> sha256(resource));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(Resource resource) {
    try (InputStream in = resource.getInputStream()) {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
