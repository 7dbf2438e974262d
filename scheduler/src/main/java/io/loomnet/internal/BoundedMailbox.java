package io.loomnet.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;

import io.loomnet.Message;

/**
 * A bounded mailbox: Skynet's growable ring under one small lock, so the bound is exact (an offer that finds
 * {@code capacity} messages queued is refused, whatever other producers do at the same moment). The scheduled and
 * sealed flags change under the same lock, so no wake-up is lost and nothing is offered after the seal; the
 * late sink of {@link #seal} is therefore never called. The overload threshold is checked as messages are
 * offered. Used only for services given a capacity; unbounded ones get the lock-free {@link MpscMailbox}.
 *
 * <p>Thread-safe. The ring only grows; it starts with room for 4 messages.
 */
final class BoundedMailbox extends Mailbox {

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

    BoundedMailbox(int capacity) {
        this.capacity = capacity;
    }

    @Override
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
    @Override
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

    @Override
    boolean hasPending() {
        return size() > 0;
    }

    /** Consumer only. Clears the scheduled flag even if messages wait (the driver will not take them now). */
    @Override
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
    @Override
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

    @Override
    List<Message> seal(Consumer<Message> lateSink, boolean byConsumer) {
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

    @Override
    void discardHeld() {
        // nothing is held outside the ring
    }

    @Override
    boolean isScheduled() {
        return scheduled;
    }

    /** @return the queue length (a snapshot) */
    @Override
    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** @return the longest the queue has been since the mailbox was made */
    @Override
    int highWater() {
        return highWater;
    }

    /** @return the queue length recorded at the last threshold crossing, then 0; read once per warning */
    @Override
    int takeOverload() {
        // Read without the lock, as Skynet does: a racing producer can at worst delay one warning.
        int o = overload;
        if (o != 0) {
            overload = 0;
        }
        return o;
    }
}
