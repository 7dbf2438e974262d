package io.loomnet.transport.zmq;

import java.util.List;

/**
 * A view of one machine: a ROUTER bound to a TCP endpoint, the loop that owns it (the worker itself, or a steerable
 * proxy in front of several worker loops) and the machine's own ZeroMQ context. Obtained from
 * {@link MachineManager}; stopped only through {@link MachineManager#destroy(String)} or
 * {@link MachineManager#close()}.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread at any time, also during and after the
 * machine's destruction.
 */
public interface Machine {
    /** @return the machine's name, unique within its manager while the machine exists */
    String name();

    /**
     * @return a number unique to this incarnation of the machine within the JVM; a machine re-created under
     *         the same name gets a new one
     */
    long incarnation();

    /** @return the resolved endpoint the frontend is bound to, such as {@code tcp://127.0.0.1:40123} */
    String endpoint();

    /**
     * The number of live client connections to the frontend: TCP connections accepted and not yet
     * disconnected, including connections that never complete a ZeroMQ handshake. Updated asynchronously by
     * the manager's connection-event loop, so it may lag an accept or disconnect by a moment. Never negative;
     * zero once the machine's {@code monitor} stage has stopped.
     *
     * @return the live peer count
     */
    int peerCount();

    /** @return the machine's counters; may be read from any thread, also after destruction */
    MachineStats stats();

    /** @return {@code true} until the machine's destruction begins */
    boolean isRunning();

    /**
     * The ordered lifecycle log of this machine, written by the threads that perform each step (for example
     * {@code "monitor: stopped"}, {@code "frontend: TERMINATE received"}, {@code "frontend: sockets closed"}). Meant for
     * diagnostics and tests.
     *
     * @return a snapshot, oldest first
     */
    List<String> lifecycle();
}
