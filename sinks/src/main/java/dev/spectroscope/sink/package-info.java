/**
 * Sinks that deliver alerts and estimates: console, webhooks, Prometheus, archive, dashboard. Filled in
 * by the sinks issue.
 */
package dev.spectroscope.sink;
