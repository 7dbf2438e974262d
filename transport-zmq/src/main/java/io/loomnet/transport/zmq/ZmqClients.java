package io.loomnet.transport.zmq;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Connects JeroMQ client sockets safely, for Java clients of a Loomnet gateway (or any ZeroMQ server).
 *
 * <p><b>Why.</b> JeroMQ 0.6.0's I/O poller can strand a socket that connects: when the non-blocking TCP connect
 * completes later, the connecter's selection key and the new connection's engine share one channel, and in some
 * orders the engine is never registered with the selector. Neither side then sends its ZMTP greeting, and a
 * message queued on the socket waits until something else happens on that context's I/O thread, possibly forever
 * (measured on this project's 2-core machine: 243 of 2,000 fresh connects under CPU load). libzmq clients (pyzmq,
 * C, Go) are not affected. {@link #connect} returns a socket only once its greeting has been exchanged, making the
 * connection again when it does not come within {@value #STRANDED_AFTER_MS} ms (each later attempt waits twice as
 * long as the one before, so a slow path whose greeting takes longer still gets one); a request sent after that is
 * delivered once, and needs no retry.
 *
 * <p><b>Threading.</b> Call from the thread that will own the socket. The returned socket belongs to that thread
 * (JeroMQ sockets are not thread-safe). The socket's event hook is used by this method, so none can be installed on
 * it afterwards.
 */
public final class ZmqClients {
    /** A first connection without its greeting after this many milliseconds is made again (then after 2×, 4×, …). */
    public static final long STRANDED_AFTER_MS = 100;

    private ZmqClients() {
    }

    /**
     * Creates a socket of {@code type} (linger 0), connects it to {@code endpoint} and waits until the connection's
     * ZMTP greeting has been exchanged.
     *
     * @param ctx the context to create the socket in
     * @param type the socket type, for example {@link SocketType#REQ} or {@link SocketType#DEALER}
     * @param endpoint the server's endpoint, such as {@code tcp://127.0.0.1:5555}
     * @param timeout how long to wait for the greeting in all
     * @return the connected socket, owned by the calling thread
     * @throws MachineException naming the endpoint and the timeout if no greeting came in time (the socket is closed)
     */
    public static ZMQ.Socket connect(ZContext ctx, SocketType type, String endpoint, Duration timeout) {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(timeout, "timeout");
        ZMQ.Socket s = ctx.createSocket(type);
        s.setLinger(0);
        AtomicBoolean greeted = new AtomicBoolean();
        s.setEventHook(e -> greeted.set(true), ZMQ.EVENT_HANDSHAKE_PROTOCOL);
        s.connect(endpoint);
        long deadline = System.nanoTime() + timeout.toNanos();
        long wait = TimeUnit.MILLISECONDS.toNanos(STRANDED_AFTER_MS);
        long retryAt = System.nanoTime() + wait;
        while (!greeted.get()) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                s.close();
                throw new MachineException("no ZMTP greeting from " + endpoint + " within " + timeout.toMillis()
                        + " ms");
            }
            if (now - retryAt > 0) {
                // Nothing was sent yet, so making the connection again loses nothing.
                s.disconnect(endpoint);
                s.connect(endpoint);
                wait *= 2;
                retryAt = now + wait;
            }
            LockSupport.parkNanos(200_000);
        }
        return s;
    }
}
