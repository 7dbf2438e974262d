/**
 * The cluster: location-transparent services across nodes over ZeroMQ, with failure detection.
 * See {@link io.loomnet.transport.zmq.cluster.Cluster} and {@code docs/cluster.md}.
 */
package io.loomnet.transport.zmq.cluster;
