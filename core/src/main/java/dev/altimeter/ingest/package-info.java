/**
 * What every ingest door shares beside the codec ({@link dev.altimeter.wire}): the outcomes a
 * received sample can have and the counter receivers report them to. The collector's UDP and TCP
 * receivers, the service's HTTP receiver and the API's sample POST use these, so they count alike
 * although the collector and the API never import each other.
 */
package dev.altimeter.ingest;
