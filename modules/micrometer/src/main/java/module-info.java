/**
 * Loomnet's Micrometer binding: {@link io.loomnet.micrometer.LoomnetMetrics} publishes node, service, cluster
 * and gateway statistics to a {@code MeterRegistry}.
 */
module io.loomnet.micrometer {
    requires transitive io.loomnet.scheduler;
    requires transitive io.loomnet.transport.zmq;
    // Micrometer ships no module descriptor (its automatic name is micrometer.core), and MeterRegistry is in
    // this module's API; the compiler's requires-transitive-automatic warning is turned off in the POM for it.
    requires transitive micrometer.core;

    exports io.loomnet.micrometer;
}
