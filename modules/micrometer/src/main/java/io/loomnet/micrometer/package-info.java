/**
 * Micrometer meters for Loomnet's statistics records.
 *
 * <p>{@link io.loomnet.micrometer.LoomnetMetrics} reads {@link io.loomnet.NodeStats},
 * {@link io.loomnet.ServiceStats}, {@link io.loomnet.transport.zmq.cluster.ClusterStats} and
 * {@link io.loomnet.transport.zmq.gateway.GatewayStats} when the registry asks (a scrape, a publish), so the
 * hot path pays nothing. Each record field is one line of a table in {@link io.loomnet.micrometer.StatsMeters};
 * the tables' test fails when a record gains a field that has no meter.
 */
package io.loomnet.micrometer;
