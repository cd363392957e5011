/**
 * Ceilometer's pipeline.yaml and event_pipeline.yaml, parsed and validated into {@link
 * dev.altimeter.collector.pipeline.config.PipelineConfig} by {@link
 * dev.altimeter.collector.pipeline.config.PipelineConfigParser}, and the meter / event-type
 * {@link dev.altimeter.collector.pipeline.config.MeterFilter} (reused by polling.yaml).
 */
package dev.altimeter.collector.pipeline.config;
