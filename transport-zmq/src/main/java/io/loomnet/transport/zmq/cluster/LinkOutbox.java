package io.loomnet.transport.zmq.cluster;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queue between the threads that send to one peer and that peer's link thread: a lock-free multi-producer,
 * single-consumer linked queue whose nodes are the {@link OutFrame}s themselves (Vyukov's intrusive MPSC queue: a
 * producer swaps itself in as the tail with one atomic exchange, then links its predecessor to itself), and the
 * back-pressure budget of TELL and REQUEST messages.
 *
 * <p><b>Budget.</b> A throttled message takes one permit of {@code limit} before it is queued and gives it back when
 * the link thread takes it off the queue. Replies, system notices and control messages take none: refusing them
 * would leave a caller waiting or a watcher uninformed, and they are bounded by the requests and watches that caused
 * them. {@link #controlCount()} still bounds them while the peer is down.
 *
 * <p><b>Threading.</b> {@link #offer}, {@link #acquire} and {@link #tryAcquire} from any thread; {@link #poll()},
 * {@link #isEmpty()} and {@link #release} from the link thread only.
 */
final class LinkOutbox {
    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(LinkOutbox.class, "tail", OutFrame.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int limit;
    private final Semaphore permits;
    private final AtomicInteger controls = new AtomicInteger();
    /** Consumer side: the last node taken (or the initial stub); its {@code next} is the oldest queued. */
    private OutFrame head;
    @SuppressWarnings("unused") // through TAIL
    private volatile OutFrame tail;

    LinkOutbox(int limit) {
        this.limit = limit;
        this.permits = new Semaphore(limit);
        OutFrame stub = new OutFrame();
        this.head = stub;
        this.tail = stub;
    }

    int limit() {
        return limit;
    }

    /** @return {@code true} if a permit was free; never waits */
    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    /**
     * Waits up to {@code timeoutNanos} for a permit.
     *
     * @return {@code true} if one was taken
     * @throws InterruptedException if the sending thread is interrupted while waiting
     */
    boolean acquire(long timeoutNanos) throws InterruptedException {
        return permits.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Gives back the permits of {@code n} throttled messages taken off the queue. Link thread. */
    void release(int n) {
        if (n > 0) {
            permits.release(n);
        }
    }

    /** @return throttled messages queued, or waiting for a permit's return */
    int throttledQueued() {
        return limit - permits.availablePermits();
    }

    /** @return replies, notices and control messages queued */
    int controlCount() {
        return controls.get();
    }

    /** Queues a message (its permit, if throttled, already taken). Any thread; never blocks. */
    void offer(OutFrame f) {
        if (!f.throttled()) {
            controls.incrementAndGet();
        }
        f.next = null;
        OutFrame prev = (OutFrame) TAIL.getAndSet(this, f);
        prev.next = f; // volatile: publishes f's fields to the consumer, which reads next first
    }

    /**
     * Takes the oldest message. Link thread only. A message whose producer has swapped the tail but not yet linked
     * it is not visible yet; that producer wakes the link after linking.
     *
     * @return the message, or {@code null} if none is visible
     */
    OutFrame poll() {
        OutFrame next = head.next;
        if (next == null) {
            return null;
        }
        head.next = null; // the old stub lets go of the chain
        head = next;
        if (!next.throttled()) {
            controls.decrementAndGet();
        }
        return next;
    }

    /** @return whether no message is visible to the link thread */
    boolean isEmpty() {
        return head.next == null;
    }
}
