/**
 * Ceilometer's transformers (unit_conversion, rate_of_change, delta, accumulator, aggregator,
 * arithmetic) with their exact semantics, built by {@link
 * dev.altimeter.collector.pipeline.transform.TransformerCatalog} from validated parameters, and the
 * safe {@link dev.altimeter.collector.pipeline.transform.Expression} evaluator they use.
 */
package dev.altimeter.collector.pipeline.transform;
