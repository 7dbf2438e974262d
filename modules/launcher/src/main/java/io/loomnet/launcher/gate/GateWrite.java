package io.loomnet.launcher.gate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Asks the gate (or the connection's agent) to write one packet to a client. The gate frames it: with
 * {@link Framing#LINE} a '\n' is appended, with {@link Framing#LENGTH} a 2-byte length is prepended. A write
 * for a connection that has closed is dropped (logged at debug).
 *
 * @param connection the connection id
 * @param data the packet; do not change it after sending
 */
public record GateWrite(long connection, byte[] data) {
    /** @throws NullPointerException if {@code data} is null */
    public GateWrite {
        Objects.requireNonNull(data, "data");
    }

    /**
     * @param connection the connection id
     * @param text the packet, encoded as UTF-8
     * @return the write
     */
    public static GateWrite text(long connection, String text) {
        return new GateWrite(connection, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GateWrite w && w.connection == connection && Arrays.equals(w.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(connection) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "GateWrite[connection=" + connection + ", " + data.length + " bytes]";
    }
}
