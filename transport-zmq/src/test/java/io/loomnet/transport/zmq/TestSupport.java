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

    /** @return a TCP port that was free a moment ago */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** @return the number of open file descriptors of this process */
    public static long openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return names of live threads that belong to Loomnet machines or to a JeroMQ context */
    public static List<String> transportThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("loomnet-zmq-") || n.startsWith("iothread-") || n.startsWith("reaper-"))
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

    /** Requests that needed a retry (see {@link #request}); printed by tests so that the rate stays visible. */
    public static final java.util.concurrent.atomic.AtomicLong RETRIES = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A Lazy Pirate REQ client (zguide chapter 4): a fresh REQ socket per attempt, 1 s receive timeout, up to 4
     * attempts. JeroMQ 0.6.0 occasionally loses the first request on a brand-new TCP connection to a
     * ROUTER/proxy (measured about 1 in 10 in a plain ROUTER ⇄ ZMQ.proxy ⇄ DEALER setup without any Loomnet
     * code; see docs/protocol.md), so clients must retry, and so do the tests. Retries are counted in
     * {@link #RETRIES}.
     *
     * @return the reply frames, or null if every attempt timed out
     */
    public static List<String> request(ZContext clients, String endpoint, String... frames) {
        for (int attempt = 0; attempt < 4; attempt++) {
            if (attempt > 0) {
                RETRIES.incrementAndGet();
            }
            try (ZMQ.Socket req = clients.createSocket(SocketType.REQ)) {
                req.setLinger(0);
                req.setReceiveTimeOut(1000);
                req.connect(endpoint);
                for (int i = 0; i < frames.length; i++) {
                    req.send(frames[i].getBytes(StandardCharsets.UTF_8), i < frames.length - 1 ? ZMQ.SNDMORE : 0);
                }
                List<String> reply = receive(req);
                if (reply != null) {
                    return reply;
                }
            }
        }
        return null;
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
