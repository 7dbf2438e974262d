package io.loomnet.transport.zmq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** Helpers shared by the transport tests: clients, free ports, waits with deadlines, leak probes. */
public final class TestSupport {
    /** Replies with the request's frames. */
    public static final MachineWorker ECHO = request -> request.reply(request.frames());

    private TestSupport() {
    }

    private static final java.util.Set<Integer> GIVEN_PORTS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @return a loopback TCP port below the kernel's ephemeral range that was free a moment ago and that this JVM has
     *         not handed out before. Not port 0's pick: a port from the ephemeral range can be taken as the local port
     *         of a client connecting to it while nothing listens yet (a TCP self-connect), and the server that should
     *         bind it then fails with EADDRINUSE. The testkit's {@code TestPorts} does the same for the modules'
     *         tests; this module cannot depend on the testkit (the testkit depends on it).
     */
    public static int freePort() {
        int below = 32_768;
        try {
            Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
            if (Files.isReadable(range)) {
                below = Math.max(2049, Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]));
            }
        } catch (IOException | NumberFormatException e) {
            // keep the common default
        }
        int lowest = Math.min(20_000, below / 2);
        for (int attempt = 0; attempt < 10_000; attempt++) {
            int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(lowest, below);
            if (GIVEN_PORTS.add(port)) {
                try {
                    new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress()).close();
                    return port;
                } catch (IOException e) {
                    // taken: try another
                }
            }
        }
        throw new IllegalStateException("no free loopback port in " + lowest + ".." + (below - 1));
    }

    /** @return an echo spec on a free loopback port */
    public static MachineSpec echoSpec() {
        return MachineSpec.builder("tcp://127.0.0.1:*", ECHO).build();
    }

    /** @return the port of a {@code tcp://host:port} endpoint */
    public static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    /**
     * Waits until the condition holds or fails with the description once the timeout has passed. Polls every
     * millisecond; it waits for a state, it never sleeps a guessed duration instead of checking.
     */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** Waits until no transport thread is alive; a failure names the ones that are. */
    public static void awaitNoTransportThreads(String what, Duration timeout) {
        try {
            await(what, timeout, () -> transportThreads().isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; still alive: " + transportThreads(), e);
        }
    }

    /** @return what each open file descriptor of this process points at (socket:[n], pipe:[n], a path, ...) */
    public static java.util.Map<String, String> fdTargets() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    out.put(fd.getFileName().toString(), Files.readSymbolicLink(fd).toString());
                } catch (IOException gone) {
                    // closed meanwhile (the directory stream's own descriptor among them)
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Waits until no more file descriptors are open than in {@code before}; a failure lists the ones opened since
     * (number and target), so a leak names its kind (socket, pipe, epoll, a jar opened by class loading).
     */
    public static void awaitFdsBackTo(java.util.Map<String, String> before, Duration timeout) {
        try {
            await("file descriptors back to " + before.size(), timeout, () -> openFds() <= before.size());
        } catch (AssertionError e) {
            java.util.Map<String, String> now = fdTargets();
            now.entrySet().removeIf(x -> x.getValue().equals(before.get(x.getKey())));
            throw new AssertionError(e.getMessage() + "; opened since and still open: " + now, e);
        }
    }

    /** @return the number of open file descriptors of this process */
    public static long openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return names of live threads started by Loomnet (its loops and its JeroMQ contexts) or by a bare JeroMQ context */
    public static List<String> transportThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("loomnet-") || n.startsWith("iothread-") || n.startsWith("reaper-"))
                .sorted()
                .toList();
    }

    /** @return names of live threads whose name starts with the prefix */
    public static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(prefix))
                .sorted()
                .toList();
    }

    /** How long a test client waits for a reply before the request counts as unanswered: 5 s. */
    public static final int REPLY_TIMEOUT_MS = 5000;

    /**
     * A JeroMQ client socket connected to {@code endpoint}, returned once its ZMTP greeting has been exchanged, so a
     * first message cannot be stranded. JeroMQ 0.6.0's client-side poller sometimes never registers a new
     * connection's engine after an asynchronous connect (see {@code docs/protocol.md}, "JeroMQ clients"): the
     * greeting is never sent, and a request queued on it is never delivered. Waiting for the greeting (and making
     * the connection again if it does not come within 100 ms) is what a JeroMQ client must do; a request is then
     * sent once, never retried. Delegates to {@link ZmqClients#connect}.
     */
    public static ZMQ.Socket connected(ZContext ctx, SocketType type, String endpoint) {
        return ZmqClients.connect(ctx, type, endpoint, java.time.Duration.ofSeconds(10));
    }

    /**
     * One request on a fresh REQ socket (see {@link #connected}), answered or not: no retry. The server must answer
     * every request, first requests on fresh connections included; a missing reply fails the test that asked.
     *
     * @return the reply frames, or null if none came within {@link #REPLY_TIMEOUT_MS}
     */
    public static List<String> request(ZContext clients, String endpoint, String... frames) {
        try (ZMQ.Socket req = connected(clients, SocketType.REQ, endpoint)) {
            req.setReceiveTimeOut(REPLY_TIMEOUT_MS);
            for (int i = 0; i < frames.length; i++) {
                req.send(frames[i].getBytes(StandardCharsets.UTF_8), i < frames.length - 1 ? ZMQ.SNDMORE : 0);
            }
            return receive(req);
        }
    }

    /** @return every frame of one message as UTF-8 strings, or null on receive timeout */
    public static List<String> receive(ZMQ.Socket socket) {
        byte[] first = socket.recv(0);
        if (first == null) {
            return null;
        }
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        out.add(new String(first, StandardCharsets.UTF_8));
        while (socket.hasReceiveMore()) {
            out.add(new String(socket.recv(0), StandardCharsets.UTF_8));
        }
        return out;
    }
}
