package dev.altimeter.api.v2;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
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
 *
 * <p>Also bounds every request body, on every method, to {@code altimeter.api.max-request-size}: a
 * larger one is 413 and closes the connection: by its Content-Length before any handler runs, or
 * counted as it arrives by whoever reads it.
 */
@Component
class ReadRequestFirst implements HttpHandlerDecoratorFactory {
  private final long maxRequestSize;

  ReadRequestFirst(ApiSettings settings) {
    this.maxRequestSize = settings.maxRequestSize;
  }

  @Override
  public HttpHandler apply(HttpHandler handler) {
    return (request, response) -> {
      TrackedRequest tracked = new TrackedRequest(request, maxRequestSize);
      if (tracked.tooLarge) {
        // known from the Content-Length: refused before any handler runs, whether it reads a body or not
        response.getHeaders().set(HttpHeaders.CONNECTION, "close");
        return FaultHandler.write(response, HttpStatus.CONTENT_TOO_LARGE, tracked.tooLarge().getMessage());
      }
      return handler.handle(tracked, new AfterRequest(response, tracked));
    };
  }

  /**
   * Knows whether anyone has subscribed to the body, and refuses a body past {@code max} bytes
   * whatever the method: the reader gets 413, and the rest is not read (the connection closes).
   */
  static final class TrackedRequest extends ServerHttpRequestDecorator {
    private final long max;
    private volatile boolean bodySubscribed;
    private volatile boolean tooLarge;

    TrackedRequest(ServerHttpRequest delegate, long max) {
      super(delegate);
      this.max = max;
      this.tooLarge = delegate.getHeaders().getContentLength() > max;
    }

    @Override
    public Flux<DataBuffer> getBody() {
      if (tooLarge) return Flux.error(tooLarge());
      return Flux.defer(() -> {
        bodySubscribed = true;
        long[] read = {0};
        return super.getBody().handle((buffer, sink) -> {
          read[0] += buffer.readableByteCount();
          if (read[0] > max) {
            DataBufferUtils.release(buffer);
            tooLarge = true;
            sink.error(tooLarge());
          } else {
            sink.next(buffer);
          }
        });
      });
    }

    private ApiError tooLarge() {
      return new ApiError(HttpStatus.CONTENT_TOO_LARGE, "Request body larger than " + max + " bytes");
    }

    /**
     * Reads and drops what is left of the request, when nobody read the body (a bodyless request too:
     * its end still has to be read). A body already subscribed to is left to its reader: the server
     * allows one subscriber, and that reader's end or cancellation is the server's to handle. A body
     * past the limit is not read at all: the answer closes the connection instead.
     */
    Mono<Void> readRest(ServerHttpResponse response) {
      if (tooLarge) {
        // called again by setComplete after the answer was written: its headers are sent by then
        if (!response.isCommitted()) response.getHeaders().set(HttpHeaders.CONNECTION, "close");
        return Mono.empty();
      }
      if (bodySubscribed) return Mono.empty();
      bodySubscribed = true;
      long[] read = {0};
      return getDelegate().getBody()
          // byte counts, not buffers, go on: what ignores them discards them, and a discard hook in
          // the answer's context (Spring's encoder releases discarded DataBuffers) would release
          // each buffer a second time, failing the connection with no answer
          .map(buffer -> {
            int n = buffer.readableByteCount();
            DataBufferUtils.release(buffer);
            return n;
          })
          .takeUntil(n -> (read[0] += n) > max)
          .then(Mono.fromRunnable(() -> {
            if (read[0] > max) response.getHeaders().set(HttpHeaders.CONNECTION, "close");
          }))
          // a broken or aborted request body must not keep the answer from being sent
          .onErrorComplete()
          .then();
    }
  }

  /** Sends nothing until the request has been read. */
  static final class AfterRequest extends ServerHttpResponseDecorator {
    private final TrackedRequest request;

    AfterRequest(ServerHttpResponse delegate, TrackedRequest request) {
      super(delegate);
      this.request = request;
    }

    /*
     * The rest is read when the answer's first part is ready, not when writing is set up: a streamed
     * answer sets up its write before the handler has read the body it depends on.
     */
    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
      return super.writeWith(Flux.from(body).switchOnFirst((first, all) -> request.readRest(getDelegate()).thenMany(all)));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
      return super.writeAndFlushWith(
          Flux.from(body).switchOnFirst((first, all) -> request.readRest(getDelegate()).thenMany(all)));
    }

    @Override
    public Mono<Void> setComplete() {
      return request.readRest(getDelegate()).then(Mono.defer(super::setComplete));
    }
  }
}
