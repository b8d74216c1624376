/**
 * The sink app: each configured sink (console, archive, every webhook target) runs its own consumer group
 * on its own thread, so a slow receiver delays no other sink; the dashboard and the Prometheus gauges share
 * one group-less reader that rebuilds every run's picture from the topics' start.
 */
package dev.spectroscope.sink;
