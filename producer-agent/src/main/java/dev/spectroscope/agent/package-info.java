/**
 * The in-job agent: a plain Java API and a DL4J listener that stream a run's events to Kafka without
 * slowing or crashing the training loop. Filled in by the producer-agent issue.
 */
package dev.spectroscope.agent;
