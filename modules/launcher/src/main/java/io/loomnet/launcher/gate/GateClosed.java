package io.loomnet.launcher.gate;

/**
 * Sent to the handler by a connection's agent when the connection has closed, after its last
 * {@link GatePacket}. The agent stops right after.
 *
 * @param connection the connection id
 * @param reason {@code "closed by client"}, {@code "closed by server"}, {@code "packet too large ..."},
 *               {@code "read failed: ..."} or {@code "gate stopped"}
 */
public record GateClosed(long connection, String reason) {
}
