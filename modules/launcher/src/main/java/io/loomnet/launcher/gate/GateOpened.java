package io.loomnet.launcher.gate;

import java.net.InetSocketAddress;

import io.loomnet.Handle;

/**
 * Sent to the handler by a connection's agent when a client connects; the message's source is the agent.
 *
 * @param connection the connection id, unique within the gate
 * @param gate the gate's handle (send {@link GateWrite} and {@link GateClose} there, or to the agent)
 * @param remote the client's address
 */
public record GateOpened(long connection, Handle gate, InetSocketAddress remote) {
}
