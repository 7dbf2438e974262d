package io.loomnet.launcher.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INTERNAL API. A bound server socket, its accept thread and the connections' threads.
 *
 * <p>Threads are virtual and named {@code loomnet-<node>-<role>-<port>-accept} and
 * {@code loomnet-<node>-<role>-<port>-conn-<n>}, so the testkit's leak check sees them. The accept thread is
 * stopped by closing the server socket; connection threads by closing their sockets; nothing is interrupted.
 *
 * <p><b>Threading.</b> Thread-safe. {@link #stop} is idempotent: the first call closes, every call closes
 * whatever is still open and waits for the threads until its deadline.
 */
public final class TcpListener {
    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

    private final String role;
    private final String threadPrefix;
    private final ServerSocket server;
    private final InetSocketAddress local;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Socket, Thread> connections = new LinkedHashMap<>(); // lock
    private final AtomicLong connectionIds = new AtomicLong();
    private boolean stopped; // lock
    private Thread acceptThread; // lock

    private TcpListener(String role, int nodeId, ServerSocket server) {
        this.role = role;
        this.server = server;
        this.local = (InetSocketAddress) server.getLocalSocketAddress();
        this.threadPrefix = "loomnet-" + nodeId + "-" + role + "-" + local.getPort();
    }

    /**
     * Binds a server socket.
     *
     * @param role "console", "gate", ... (thread names and messages)
     * @param nodeId the owning node's id (thread names)
     * @param host the address to bind
     * @param port the port, 0 for any free one
     * @return the bound listener, not yet accepting
     * @throws IOException naming the address if binding fails
     */
    public static TcpListener bind(String role, int nodeId, InetAddress host, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port), 128);
        } catch (IOException e) {
            closeQuietly(s, role);
            throw new IOException(role + " cannot listen on " + host.getHostAddress() + ":" + port + ": "
                    + e.getMessage(), e);
        }
        return new TcpListener(role, nodeId, s);
    }

    /** @return the bound address */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** @return the prefix of this listener's thread names */
    public String threadPrefix() {
        return threadPrefix;
    }

    /**
     * Starts the accept thread. {@code onAccept} runs on it for each connection and must not block for long;
     * it usually calls {@link #startConnection}. If it throws, the connection is closed and accepting goes on.
     *
     * @param onAccept what to do with a new connection
     */
    public void start(Consumer<Socket> onAccept) {
        lock.lock();
        try {
            if (stopped || acceptThread != null) {
                throw new IllegalStateException(role + " listener on " + local + " is "
                        + (stopped ? "stopped" : "already started"));
            }
            acceptThread = Thread.ofVirtual().name(threadPrefix + "-accept").start(() -> acceptLoop(onAccept));
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop(Consumer<Socket> onAccept) {
        while (true) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!isStopped()) {
                    LOG.error("{} on {}: accept failed, no longer accepting connections", role, local, e);
                }
                return;
            }
            try {
                onAccept.accept(s);
            } catch (RuntimeException e) {
                LOG.warn("{} on {}: dropping connection from {}: {}", role, local, s.getRemoteSocketAddress(),
                        e.toString(), e);
                closeQuietly(s, role);
            }
        }
    }

    /**
     * Runs {@code body} on a new virtual thread owned by this listener; the socket is closed when the body
     * returns and when the listener stops.
     *
     * @param socket the connection
     * @param body the connection's work
     * @return the thread, or {@code null} if the listener is stopping (the socket is then closed)
     */
    public Thread startConnection(Socket socket, Runnable body) {
        lock.lock();
        try {
            if (stopped) {
                closeQuietly(socket, role);
                return null;
            }
            Thread t = Thread.ofVirtual().name(threadPrefix + "-conn-" + connectionIds.incrementAndGet())
                    .unstarted(() -> {
                        try {
                            body.run();
                        } catch (RuntimeException | Error e) {
                            LOG.error("{} on {}: connection {} failed", role, local, socket.getRemoteSocketAddress(),
                                    e);
                        } finally {
                            closeQuietly(socket, role);
                            lock.lock();
                            try {
                                connections.remove(socket);
                            } finally {
                                lock.unlock();
                            }
                        }
                    });
            connections.put(socket, t);
            t.start();
            return t;
        } finally {
            lock.unlock();
        }
    }

    /** @return live connections */
    public int connectionCount() {
        lock.lock();
        try {
            return connections.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return {@code true} once {@link #stop} was called */
    public boolean isStopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting, closes every connection and waits for the threads.
     *
     * @param deadlineNanos a {@link System#nanoTime()} by which to give up waiting
     * @return {@code true} if every thread has ended
     */
    public boolean stop(long deadlineNanos) {
        Thread accept;
        lock.lock();
        try {
            stopped = true;
            accept = acceptThread;
        } finally {
            lock.unlock();
        }
        closeQuietly(server, role);
        boolean done = join(accept, deadlineNanos);
        List<Map.Entry<Socket, Thread>> open;
        lock.lock();
        try {
            open = new ArrayList<>(connections.entrySet());
        } finally {
            lock.unlock();
        }
        for (Map.Entry<Socket, Thread> e : open) {
            closeQuietly(e.getKey(), role);
        }
        for (Map.Entry<Socket, Thread> e : open) {
            done &= join(e.getValue(), deadlineNanos);
        }
        if (!done) {
            LOG.warn("{} on {}: threads still running at the close deadline", role, local);
        }
        return done;
    }

    private static boolean join(Thread t, long deadlineNanos) {
        if (t == null) {
            return true;
        }
        long left = deadlineNanos - System.nanoTime();
        try {
            if (left > 0) {
                t.join(Duration.ofNanos(left));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    /**
     * Closes a socket, logging (at debug) rather than throwing: used on paths that are already cleaning up.
     *
     * @param c the socket
     * @param role who is closing, for the log
     */
    public static void closeQuietly(AutoCloseable c, String role) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("{}: closing {} failed: {}", role, c, e.toString());
        }
    }

    /**
     * Ends a connection after a final error message so that the message is not lost: half-closes the output
     * (the client reads the message, then EOF), discards what the client still sends for a short while (closing
     * with unread input would make TCP reset the connection and drop the message), then closes. Blocks up to
     * about half a second; call it on the connection's own thread.
     *
     * @param socket the connection
     * @param role who is closing, for the log
     */
    public static void finish(Socket socket, String role) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(500);
            java.io.InputStream in = socket.getInputStream();
            byte[] sink = new byte[8192];
            long left = 1 << 20;
            int n;
            while (left > 0 && (n = in.read(sink)) >= 0) {
                left -= n;
            }
        } catch (IOException e) {
            LOG.debug("{}: finishing {} : {}", role, socket.getRemoteSocketAddress(), e.toString());
        } finally {
            closeQuietly(socket, role);
        }
    }

    @Override
    public String toString() {
        return role + " listener on " + local;
    }
}
