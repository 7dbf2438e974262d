package io.loomnet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for tests that must name an endpoint before anything listens on it (two nodes that each connect to
 * the other's inbox, a process started with a port on its command line).
 *
 * <p>The usual trick, binding port 0 and closing it, hands out a port from the kernel's <em>ephemeral</em> range,
 * which is also where every outgoing connection takes its local port. A client that connects to such a port while
 * nothing listens there yet can be given that very port as its own and connect to itself (Linux allows a TCP
 * self-connect), and then the server that should bind it gets {@code EADDRINUSE} — it happened to a cluster test
 * whose first node kept reconnecting to a peer not started yet. So these ports come from below the ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}; 32768 if unknown), are checked to be free, and are not handed
 * out twice by one JVM.
 *
 * <p>Thread-safe.
 */
public final class TestPorts {
    private static final int LOWEST = 20_000;
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private TestPorts() {
    }

    /**
     * @return a loopback TCP port outside the ephemeral range that was free a moment ago and that this JVM has not
     *         handed out before
     * @throws IllegalStateException if none is found after many tries
     */
    public static int free() {
        int below = ephemeralLow();
        int lowest = Math.min(LOWEST, below / 2);
        for (int attempt = 0; attempt < 10_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(lowest, below);
            if (GIVEN.add(port)) {
                if (bindable(port)) {
                    return port;
                }
            }
        }
        throw new IllegalStateException("no free loopback port in " + lowest + ".." + (below - 1));
    }

    private static boolean bindable(int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralLow() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            if (Files.isReadable(range)) {
                String[] parts = Files.readString(range).trim().split("\\s+");
                int low = Integer.parseInt(parts[0]);
                if (low > 2048) {
                    return low;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + range, e);
        } catch (NumberFormatException e) {
            // an unexpected format: fall back to the common default
        }
        return 32_768;
    }
}
