package io.loomnet.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import io.loomnet.Message;

/**
 * A service's private FIFO: many producers, one consumer at a time (the service's driver). A port of Skynet's
 * {@code message_queue} ({@code skynet_mq.c}): a growable ring guarded by one small lock, a
 * {@code scheduled} flag (Skynet's {@code in_global}) and a {@code sealed} flag (Skynet's release mark).
 *
 * <p><b>The scheduled flag.</b> It is {@code true} while a driver owns the mailbox: the mailbox is queued on
 * a dispatcher or being dispatched. A producer whose offer finds it {@code false} sets it and must wake the
 * dispatcher ({@link #WAKE}); a consumer whose poll finds the ring empty clears it. Both happen under the
 * same lock, so no wake-up is lost and a mailbox is never scheduled twice. A new mailbox is born scheduled
 * (Skynet's init trick): messages sent while {@code onStart} runs only queue, and nobody dispatches them
 * until the starting driver reaches its loop.
 *
 * <p><b>The seal.</b> {@link #seal()} atomically marks the mailbox closed and takes everything queued; every
 * later offer returns {@link #CLOSED}. So each message either is polled by the driver or is returned by
 * {@code seal()} or is refused at offer: nothing is lost between the three.
 *
 * <p><b>Overload.</b> As in Skynet, when the length passes a threshold (1024, doubling each time) the length
 * is recorded for one warning; the threshold resets when the mailbox is seen empty.
 *
 * <p>Thread-safe. The ring only grows; it starts with room for 4 messages so a million idle services stay small.
 */
final class Mailbox {
    /** Offer result: queued; the mailbox was already scheduled. */
    static final int OK = 0;
    /** Offer result: queued; the caller must wake the dispatcher. */
    static final int WAKE = 1;
    /** Offer result: refused, the mailbox is sealed. */
    static final int CLOSED = 2;
    /** Offer result: refused, the bounded mailbox is full. */
    static final int FULL = 3;

    private static final int OVERLOAD_START = 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final int capacity;
    private Message[] ring = new Message[4];
    private int head;
    private int size;
    private volatile boolean scheduled = true;
    private boolean sealed;
    private int overloadThreshold = OVERLOAD_START;
    private volatile int overload;
    /** The longest the queue has been; written under the lock, read without it. */
    private volatile int highWater;

    Mailbox(int capacity) {
        this.capacity = capacity;
    }

    /**
     * @param m the message
     * @return {@link #OK}, {@link #WAKE}, {@link #CLOSED} or {@link #FULL}
     */
    int offer(Message m) {
        lock.lock();
        try {
            if (sealed) {
                return CLOSED;
            }
            if (size >= capacity && m.type() != io.loomnet.MessageType.SYSTEM) {
                return FULL; // runtime notices (Terminated, ChildFailed) are never refused for space
            }
            if (size == ring.length) {
                grow();
            }
            ring[(head + size) & (ring.length - 1)] = m;
            size++;
            if (size > highWater) {
                highWater = size;
            }
            if (size > overloadThreshold) {
                overload = size;
                overloadThreshold <<= 1;
            }
            if (!scheduled) {
                scheduled = true;
                return WAKE;
            }
            return OK;
        } finally {
            lock.unlock();
        }
    }

    private void grow() {
        Message[] bigger = new Message[ring.length << 1];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
    }

    /**
     * Consumer only. Takes the next message; if there is none, clears the scheduled flag.
     *
     * @return the next message, or {@code null} if the mailbox is empty (and now unscheduled)
     */
    Message poll() {
        lock.lock();
        try {
            if (size == 0) {
                scheduled = false;
                overloadThreshold = OVERLOAD_START;
                return null;
            }
            Message m = ring[head];
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            size--;
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** Consumer only. Clears the scheduled flag even if messages wait (the driver will not take them now). */
    void unschedule() {
        lock.lock();
        try {
            scheduled = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the scheduled flag without queueing anything, for control signals (stop, restart due,
     * children gone). Works on a sealed mailbox too.
     *
     * @return {@code true} if it was unscheduled and the caller must wake the dispatcher
     */
    boolean schedule() {
        lock.lock();
        try {
            if (scheduled) {
                return false;
            }
            scheduled = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Seals the mailbox (every later offer fails) and takes everything still queued. Idempotent: a second
     * call returns an empty list.
     *
     * @return the queued messages, oldest first
     */
    List<Message> seal() {
        lock.lock();
        try {
            sealed = true;
            List<Message> drained = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int idx = (head + i) & (ring.length - 1);
                drained.add(ring[idx]);
                ring[idx] = null;
            }
            head = 0;
            size = 0;
            return drained;
        } finally {
            lock.unlock();
        }
    }

    /** @return {@code true} while a driver owns the mailbox */
    boolean isScheduled() {
        return scheduled;
    }

    /** @return the queue length (a snapshot) */
    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** @return the longest the queue has been since the mailbox was made */
    int highWater() {
        return highWater;
    }

    /** @return the queue length recorded at the last threshold crossing, then 0; read once per warning */
    int takeOverload() {
        // Read without the lock, as Skynet does: a racing producer can at worst delay one warning.
        int o = overload;
        if (o != 0) {
            overload = 0;
        }
        return o;
    }
}
