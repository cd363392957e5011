/**
 * The pipeline at run time: {@link dev.altimeter.collector.pipeline.route.SamplePipelines} and
 * {@link dev.altimeter.collector.pipeline.route.EventPipelines} route batches from sources through
 * sinks (transformer chains) to publishers, non-blocking and bounded, with Micrometer metrics:
 * {@code altimeter.pipeline.received{pipeline}}, {@code .transformed{sink}},
 * {@code .transform.errors{sink}}, {@code .transform.evictions{sink,transformer}},
 * {@code .rejected{sink}}, {@code .published{sink,publisher}},
 * {@code .publish.failed{sink,publisher}}, {@code .publish.failed.batches{sink,publisher}},
 * {@code .publish.latency{sink,publisher}}.
 */
package dev.altimeter.collector.pipeline.route;
