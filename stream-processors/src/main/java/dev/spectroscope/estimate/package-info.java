/**
 * Kafka Streams topologies that turn SGLD chains into LLC and DOS estimates. Filled in by the
 * stream-processors issue.
 */
package dev.spectroscope.estimate;
