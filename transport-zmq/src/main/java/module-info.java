/**
 * Loomnet's ZeroMQ transport on JeroMQ: machines (a bound ROUTER endpoint, a steerable proxy and a worker
 * side) managed at runtime by {@link io.loomnet.transport.zmq.MachineManager}, and the service gateway.
 * Exports its API packages only; {@code io.loomnet.transport.zmq.internal} is private.
 */
module io.loomnet.transport.zmq {
    requires transitive io.loomnet.scheduler;
    requires org.slf4j;
    // MachineSpec.frontendOptions takes a Consumer<org.zeromq.ZMQ.Socket> and MachineManager.context() returns
    // a ZContext. JeroMQ 0.6.0 ships a module descriptor, so this is not an automatic module.
    requires transitive org.zeromq.jeromq;

    exports io.loomnet.transport.zmq;
    exports io.loomnet.transport.zmq.gateway;
    exports io.loomnet.transport.zmq.codec;
    exports io.loomnet.transport.zmq.cluster;
}
