package io.loomnet.launcher.gate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One packet from a client, sent to the handler by the connection's agent (the message's source).
 *
 * @param connection the connection id
 * @param data the packet, without framing; not shared with anyone else
 */
public record GatePacket(long connection, byte[] data) {
    /** @throws NullPointerException if {@code data} is null */
    public GatePacket {
        Objects.requireNonNull(data, "data");
    }

    /** @return the packet decoded as UTF-8 */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GatePacket p && p.connection == connection && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(connection) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "GatePacket[connection=" + connection + ", " + data.length + " bytes]";
    }
}
