package io.loomnet.transport.zmq.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A loopback TCP relay to one target that holds every connection it accepts, unread and unanswered, until
 * {@link #open()}; from then on it pipes bytes both ways, with {@code TCP_NODELAY} as ZeroMQ's own sockets have. It makes a link stay CONNECTING (its ZMTP greeting gets no
 * answer) for as long as a test needs. Threads are platform daemons named {@code relay-…}; {@link #close()} closes
 * every socket and joins them.
 */
final class GatedRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final long delayNanos;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicLong accepted = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Socket> sockets = new ArrayList<>(); // lock
    private final List<Thread> threads = new ArrayList<>(); // lock
    private volatile boolean closed;

    GatedRelay(int targetPort) throws IOException {
        this(targetPort, Duration.ZERO);
    }

    /**
     * @param delay how long each chunk of bytes is held, in each direction, before it is passed on (a slow path:
     *              a round trip then takes at least twice this)
     */
    GatedRelay(int targetPort, Duration delay) throws IOException {
        this.targetPort = targetPort;
        this.delayNanos = delay.toNanos();
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("relay-accept", this::acceptLoop);
    }

    /** @return the endpoint to give the client instead of the target's */
    String endpoint() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** @return connections accepted so far */
    long accepted() {
        return accepted.get();
    }

    /** Starts relaying: held connections and later ones are joined to the target. */
    void open() {
        gate.countDown();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (!track(client)) {
                return;
            }
            noDelay(client);
            accepted.incrementAndGet();
            start("relay-conn", () -> relay(client));
        }
    }

    private void relay(Socket client) {
        try {
            while (!gate.await(10, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    return;
                }
            }
            Socket target = new Socket();
            if (!track(target)) {
                return;
            }
            noDelay(target);
            target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
            start("relay-up", () -> pipe(client, target));
            pipe(target, client);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    /** Copies until either side ends, then closes both (so the other direction ends too). */
    private void pipe(Socket from, Socket to) {
        byte[] buf = new byte[8192];
        OutputStream out = null;
        try {
            InputStream in = from.getInputStream();
            out = delayNanos == 0 ? to.getOutputStream() : delayed(to);
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // the other direction closed the sockets, or the relay did
        } catch (IOException e) {
            // a reset: end this connection
        } finally {
            closeQuietly(from);
            if (delayNanos != 0 && out != null) {
                closeQuietly(out); // the delay thread passes on what it holds, then closes the other side
            } else {
                closeQuietly(to);
            }
        }
    }

    /** Without it, Nagle's algorithm and delayed ACKs hold each small ZMTP frame up to 200 ms. */
    private static void noDelay(Socket s) {
        try {
            s.setTcpNoDelay(true);
        } catch (SocketException e) {
            closeQuietly(s); // the relay then ends this connection on its first read or write
        }
    }

    /** An output that writes each chunk to {@code to} {@link #delayNanos} after it was given, in order. */
    private OutputStream delayed(Socket to) throws IOException {
        OutputStream out = to.getOutputStream();
        BlockingQueue<Object[]> chunks = new LinkedBlockingQueue<>();
        start("relay-delay", () -> {
            try {
                while (!closed) {
                    Object[] c = chunks.poll(10, TimeUnit.MILLISECONDS);
                    if (c == null) {
                        continue;
                    }
                    if (c.length == 0) {
                        break; // end of the stream
                    }
                    long wait = (long) c[0] - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // the point of this relay: hold each chunk for the delay
                    }
                    out.write((byte[]) c[1]);
                }
            } catch (IOException | InterruptedException e) {
                // the other side is gone, or the relay closed: end this direction
            } finally {
                closeQuietly(to);
            }
        });
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                chunks.add(new Object[] {System.nanoTime() + delayNanos, Arrays.copyOfRange(b, off, off + len)});
            }

            @Override
            public void close() {
                chunks.add(new Object[0]);
            }
        };
    }

    private boolean track(Socket s) {
        lock.lock();
        try {
            if (closed) {
                closeQuietly(s);
                return false;
            }
            sockets.add(s);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void start(String name, Runnable body) {
        Thread t = Thread.ofPlatform().daemon(true).name(name).unstarted(body);
        lock.lock();
        try {
            if (closed) {
                return;
            }
            threads.add(t);
        } finally {
            lock.unlock();
        }
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing a test relay's socket: nothing to report
        }
    }

    @Override
    public void close() {
        List<Thread> toJoin;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            sockets.forEach(GatedRelay::closeQuietly);
            toJoin = new ArrayList<>(threads);
        } finally {
            lock.unlock();
        }
        closeQuietly(server);
        for (Thread t : toJoin) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while joining relay thread " + t.getName(), e);
            }
            if (t.isAlive()) {
                throw new AssertionError("relay thread " + t.getName() + " did not end");
            }
        }
    }
}
