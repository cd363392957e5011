/**
 * Ceilometer's transformers (unit_conversion, rate_of_change, delta, accumulator, aggregator,
 * arithmetic) with their exact semantics, built by {@link
 * dev.altimeter.collector.pipeline.transform.TransformerCatalog} from validated parameters. Their
 * {@code scale} and {@code expr} are {@link dev.altimeter.collector.python.Expression}s of the
 * dialect {@code SampleNamespace.EXPRESSIONS}.
 */
package dev.altimeter.collector.pipeline.transform;
