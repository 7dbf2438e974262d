package io.loomnet.launcher.gate;

/**
 * Asks the gate (or the connection's agent) to close a client connection. The handler then receives
 * {@link GateClosed} with reason {@code "closed by server"}.
 *
 * @param connection the connection id
 */
public record GateClose(long connection) {
}
