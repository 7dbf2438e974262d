/**
 * A Loomnet application as a named module. It requires Loomnet's two library modules and nothing else: SLF4J
 * (for {@code Context.log()}) and JeroMQ (for the client socket) are read through their {@code requires
 * transitive} clauses, as any user's module would read them.
 */
module io.loomnet.samples.modular {
    requires io.loomnet.scheduler;
    requires io.loomnet.transport.zmq;

    exports io.loomnet.samples.modular;
}
