package dev.altimeter.api.v2;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Answers a request only once it has been read to its end: a body nobody read (an error found before
 * it, a body the endpoint ignores) is read and dropped first.
 *
 * <p>Why: Reactor Netty 1.3.6 stops reading a keep-alive connection when a request that arrived while
 * the previous one was still finishing is answered before its end was read, which is what any answer
 * needing no I/O does (a validation error, 403, 406, 415, the capabilities). The client's next request
 * on that connection then waits forever (reactor-netty#4361, fixed after 1.3.7). Reading the rest
 * first makes the answer come after the request's end, and the server resumes reading as usual. Also
 * correct HTTP on its own: a keep-alive server must consume a request before the next one.
 */
@Component
class ReadRequestFirst implements HttpHandlerDecoratorFactory {

  @Override
  public HttpHandler apply(HttpHandler handler) {
    return (request, response) -> {
      TrackedRequest tracked = new TrackedRequest(request);
      return handler.handle(tracked, new AfterRequest(response, tracked));
    };
  }

  /** Knows whether anyone has subscribed to the body. */
  static final class TrackedRequest extends ServerHttpRequestDecorator {
    private volatile boolean bodySubscribed;

    TrackedRequest(ServerHttpRequest delegate) {
      super(delegate);
    }

    @Override
    public Flux<DataBuffer> getBody() {
      return super.getBody().doOnSubscribe(s -> bodySubscribed = true);
    }

    /**
     * Reads and drops what is left of the request, when nobody read the body (a bodyless request too:
     * its end still has to be read). A body already subscribed to is left to its reader: the server
     * allows one subscriber, and that reader's end or cancellation is the server's to handle.
     */
    Mono<Void> readRest() {
      if (bodySubscribed) return Mono.empty();
      bodySubscribed = true;
      return getDelegate().getBody().doOnNext(DataBufferUtils::release).then()
          // a broken or aborted request body must not keep the answer from being sent
          .onErrorComplete();
    }
  }

  /** Sends nothing until the request has been read. */
  static final class AfterRequest extends ServerHttpResponseDecorator {
    private final TrackedRequest request;

    AfterRequest(ServerHttpResponse delegate, TrackedRequest request) {
      super(delegate);
      this.request = request;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
      return request.readRest().then(Mono.defer(() -> super.writeWith(body)));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
      return request.readRest().then(Mono.defer(() -> super.writeAndFlushWith(body)));
    }

    @Override
    public Mono<Void> setComplete() {
      return request.readRest().then(Mono.defer(super::setComplete));
    }
  }
}
