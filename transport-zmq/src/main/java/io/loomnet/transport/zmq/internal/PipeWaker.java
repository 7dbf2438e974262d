package io.loomnet.transport.zmq.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes a socket-owning loop from any thread without touching its sockets: a private {@link Pipe} whose read
 * end the owner registers with its {@code ZMQ.Poller} beside its sockets. Wake-ups coalesce: at most one byte
 * is in flight until the owner {@linkplain #drain() drains} it, so a flood of producers costs one pipe write
 * per owner wake-up, and because the owner clears the pending flag before it looks at its work queue, no
 * wake-up is lost.
 *
 * <p><b>Threading.</b> {@link #wake()} from any thread; {@link #channel()}, {@link #drain()} and {@link #close()}
 * from the owner only.
 */
public final class PipeWaker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipeWaker.class);

    private final Pipe pipe;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ByteBuffer drainBuffer = ByteBuffer.allocate(64);

    private PipeWaker(Pipe pipe) {
        this.pipe = pipe;
    }

    /**
     * @return a waker with a non-blocking read end
     * @throws IOException if the pipe cannot be opened
     */
    public static PipeWaker open() throws IOException {
        Pipe p = Pipe.open();
        p.source().configureBlocking(false);
        return new PipeWaker(p);
    }

    /** @return the read end, to register with the owner's poller for POLLIN */
    public SelectableChannel channel() {
        return pipe.source();
    }

    /** Wakes the owner if no wake-up is pending. Any thread; never blocks for long. */
    public void wake() {
        if (pending.compareAndSet(false, true)) {
            try {
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            } catch (IOException e) {
                // The owner has exited and closed the pipe; nothing is left to wake.
                LOG.debug("wake-up after close ignored: {}", e.toString());
            }
        }
    }

    /**
     * Owner only: consumes every pending wake-up byte and re-arms {@link #wake()}. Call it when the poller
     * reports the channel readable, before looking at the work the wake-up announced.
     *
     * @return {@code false} if the pipe failed (the owner should stop)
     */
    public boolean drain() {
        try {
            while (pipe.source().read(drainBuffer.clear()) > 0) {
                // every coalesced byte
            }
        } catch (IOException e) {
            LOG.error("wake-up pipe failed", e);
            return false;
        }
        pending.set(false);
        return true;
    }

    /** Owner only: closes both ends. */
    @Override
    public void close() {
        for (java.nio.channels.Channel c : new java.nio.channels.Channel[] {pipe.source(), pipe.sink()}) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.warn("closing wake-up pipe failed", e);
            }
        }
    }
}
