package io.loomnet.transport.zmq;

/**
 * Counters of a manager's connection-event loop, read with {@link MachineManager#connectionEventStats()}.
 *
 * @param received events offered by JeroMQ's event hooks
 * @param applied events applied to the peer set of a live machine
 * @param stale events for a machine that no longer exists (ignored safely, seed fix 3)
 * @param dropped events lost because the queue was full (it holds 100000; a non-zero value is logged)
 * @param handshakes ZMTP greetings completed ({@code HANDSHAKE_PROTOCOL}); statistics only
 */
public record ConnectionEventStats(long received, long applied, long stale, long dropped, long handshakes) {
}
