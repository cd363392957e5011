/**
 * The collector: sources of samples (pollsters, the notification agent) and the pipeline that
 * carries them to publishers. Package per concept: {@code pipeline} (entry point, batching, store
 * writer), {@code pipeline.config}, {@code pipeline.transform}, {@code pipeline.publish},
 * {@code notification}, {@code polling}.
 */
package dev.altimeter.collector;
