package io.loomnet.transport.zmq.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes a socket-owning loop from any thread without touching its sockets: a private {@link Pipe} whose read end
 * the owner registers with its {@code ZMQ.Poller} beside its sockets.
 *
 * <p><b>A write only when the owner sleeps.</b> The owner announces {@link #prepareToSleep()} before it looks at its
 * work queues one last time and polls; producers call {@link #wakeIfAsleep()} after queueing work, which writes a
 * byte only if the owner has announced sleep and no byte is on its way. While the owner is busy, producers pay one
 * volatile read. The announcement is a volatile write followed by the owner's read of its queue, and the
 * producer's queueing is a volatile write followed by its read of the state, so one of the two always sees the
 * other (the Dekker pattern): either the owner finds the work, or the producer finds it asleep and wakes it.
 *
 * <p><b>Sticky wake-up.</b> {@link #wake()} always leaves a byte in flight unless one already is, whatever the
 * owner's state, so a stop request cannot be lost between the owner's last check and its poll.
 *
 * <p><b>Threading.</b> {@link #wake()} and {@link #wakeIfAsleep()} from any thread, without allocation;
 * {@link #channel()}, {@link #prepareToSleep()}, {@link #awake()}, {@link #drain()} and {@link #close()} from the
 * owner only.
 */
public final class PipeWaker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipeWaker.class);
    private static final int AWAKE = 0;
    private static final int ASLEEP = 1;
    private static final int SIGNALLED = 2;
    private static final VarHandle STATE;
    private static final ThreadLocal<ByteBuffer> ONE_BYTE = ThreadLocal.withInitial(() -> ByteBuffer.allocate(1));

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PipeWaker.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Pipe pipe;
    private final ByteBuffer drainBuffer = ByteBuffer.allocate(64);
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = AWAKE;

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

    /** Any thread: wakes the owner if it has announced that it is going to sleep. Cheap while it is busy. */
    public void wakeIfAsleep() {
        if ((int) STATE.getVolatile(this) == ASLEEP && STATE.compareAndSet(this, ASLEEP, SIGNALLED)) {
            write();
        }
    }

    /** Any thread: makes the owner's next (or current) poll return, whatever its state. */
    public void wake() {
        while (true) {
            int s = (int) STATE.getVolatile(this);
            if (s == SIGNALLED) {
                return;
            }
            if (STATE.compareAndSet(this, s, SIGNALLED)) {
                write();
                return;
            }
        }
    }

    private void write() {
        ByteBuffer b = ONE_BYTE.get().clear();
        try {
            pipe.sink().write(b);
        } catch (IOException e) {
            // The owner has exited and closed the pipe; nothing is left to wake.
            LOG.debug("wake-up after close ignored: {}", e.toString());
        }
    }

    /**
     * Owner only: announces that it is about to poll without a timeout. It must then look at its work queues once
     * more and, if it finds work, call {@link #awake()} and not sleep.
     */
    public void prepareToSleep() {
        STATE.compareAndSet(this, AWAKE, ASLEEP);
    }

    /**
     * Owner only, after its poll has returned (or instead of polling): leaves the sleeping state. A byte that is
     * still on its way makes the next poll return at once; {@link #drain()} consumes it.
     */
    public void awake() {
        STATE.compareAndSet(this, ASLEEP, AWAKE);
    }

    /**
     * Owner only: consumes every pending wake-up byte and re-arms the waker. Call it when the poller reports the
     * channel readable, before looking at the work the wake-up announced.
     *
     * @return {@code false} if the pipe failed (the owner should stop)
     */
    public boolean drain() {
        STATE.setVolatile(this, AWAKE);
        try {
            while (pipe.source().read(drainBuffer.clear()) > 0) {
                // every coalesced byte
            }
            return true;
        } catch (IOException e) {
            LOG.error("wake-up pipe failed", e);
            return false;
        }
    }

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
