/**
 * The collected samples exposed for Prometheus to scrape: {@link
 * dev.altimeter.collector.pipeline.exposition.SampleExposition} keeps the latest value per meter and
 * resource, bounded in size and age, and renders it in the text exposition format; {@link
 * dev.altimeter.collector.pipeline.exposition.ExpositionPublisher} is the
 * {@code prometheus-exposition://} publisher that feeds it from pipeline.yaml sinks.
 */
package dev.altimeter.collector.pipeline.exposition;
