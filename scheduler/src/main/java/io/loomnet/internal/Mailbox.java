package io.loomnet.internal;

import java.util.List;
import java.util.function.Consumer;

import io.loomnet.Message;

/**
 * A service's private FIFO: many producers, one consumer at a time (the service's driver), a port of Skynet's
 * {@code message_queue} ({@code skynet_mq.c}) with its two flags: <em>scheduled</em> (Skynet's {@code in_global})
 * and <em>sealed</em> (Skynet's release mark).
 *
 * <p><b>The scheduled flag</b> is set while a driver owns the mailbox: it is queued on a dispatcher or being
 * dispatched. A producer whose offer finds it clear sets it and must wake the dispatcher ({@link #WAKE}); a
 * consumer whose {@link #poll} finds nothing clears it. No wake-up is lost and a mailbox is never scheduled
 * twice. A new mailbox is born scheduled (Skynet's init trick): messages sent while {@code onStart} runs only
 * queue, and nobody dispatches them until the starting driver reaches its loop.
 *
 * <p><b>The seal</b> marks the mailbox closed; every offer that starts after it returns {@link #CLOSED}, and
 * every message ever accepted is either polled by the driver, returned by {@link #seal}, or handed to the seal's
 * late sink. Nothing is lost between them and nothing stays queued in a mailbox nobody reads.
 *
 * <p><b>Overload.</b> As in Skynet, when the length passes a threshold (1024, doubling each time) the length is
 * recorded for one warning ({@link #takeOverload}); the threshold resets when the mailbox is seen empty.
 *
 * <p>Two implementations: {@link MpscMailbox}, lock-free, for unbounded mailboxes (the default), and
 * {@link BoundedMailbox}, a ring under a lock, whose exact bound needs the lock. Both pass the same
 * conformance suite ({@code MailboxConformanceTest}).
 *
 * <p>Threading: {@link #offer}, {@link #schedule}, {@link #isScheduled}, {@link #size} and {@link #highWater}
 * from any thread; {@link #poll}, {@link #unschedule}, {@link #takeOverload} and {@link #discardHeld} only from
 * the consumer (the thread holding the service's exclusion); {@link #seal} from the consumer or, with
 * {@code byConsumer = false}, from any thread.
 */
abstract sealed class Mailbox permits MpscMailbox, BoundedMailbox {
    /** Offer result: queued; the mailbox was already scheduled. */
    static final int OK = 0;
    /** Offer result: queued; the caller must wake the dispatcher. */
    static final int WAKE = 1;
    /** Offer result: refused, the mailbox is sealed. */
    static final int CLOSED = 2;
    /** Offer result: refused, the bounded mailbox is full. */
    static final int FULL = 3;

    /** Skynet's {@code MQ_OVERLOAD}. */
    static final int OVERLOAD_START = 1024;

    /**
     * @param capacity the bound, {@link Integer#MAX_VALUE} for none
     * @return the lock-free mailbox when unbounded, else the bounded ring
     */
    static Mailbox create(int capacity) {
        return capacity == Integer.MAX_VALUE ? new MpscMailbox() : new BoundedMailbox(capacity);
    }

    /**
     * Queues a message. Runtime notices ({@link io.loomnet.MessageType#SYSTEM}) are never refused for space.
     *
     * @return {@link #OK}, {@link #WAKE}, {@link #CLOSED} or {@link #FULL}
     */
    abstract int offer(Message m);

    /**
     * Consumer only. Takes the next message; if there is none, clears the scheduled flag. A {@code null} return
     * means the caller must stop driving: the mailbox is unscheduled, or another producer scheduled it again and
     * woke a driver.
     *
     * @return the next message, or {@code null}
     */
    abstract Message poll();

    /** Consumer only. @return whether a {@link #poll} now would find a message (a snapshot: more may come) */
    abstract boolean hasPending();

    /** Consumer only. Clears the scheduled flag even if messages wait (the driver will not take them now). */
    abstract void unschedule();

    /**
     * Sets the scheduled flag without queueing anything, for control signals (stop, restart due, children
     * gone). Works on a sealed mailbox too.
     *
     * @return {@code true} if it was unscheduled and the caller must wake the dispatcher
     */
    abstract boolean schedule();

    /**
     * Seals the mailbox and takes what is queued. Idempotent: a later call returns only what arrived through
     * the consumer's hands since.
     *
     * @param lateSink receives messages that producers queued while the seal was being made and that this call
     *                 could not see; the first seal's sink is the one used. Called on the producer's thread.
     * @param byConsumer {@code true} when called by the consumer, so messages it had taken but not yet
     *                   dispatched are returned too; {@code false} from another thread, when the consumer hands
     *                   those to the sink itself ({@link #discardHeld})
     * @return the queued messages, oldest first (system notices first)
     */
    abstract List<Message> seal(Consumer<Message> lateSink, boolean byConsumer);

    /** Consumer only. If sealed, hands messages the consumer had taken but not dispatched to the late sink. */
    abstract void discardHeld();

    /** @return {@code true} while a driver owns the mailbox */
    abstract boolean isScheduled();

    /** @return the queue length, a snapshot that may lag concurrent offers */
    abstract int size();

    /** @return the longest the queue has been seen since the mailbox was made */
    abstract int highWater();

    /** Consumer only. @return the queue length recorded at the last threshold crossing, then 0 */
    abstract int takeOverload();
}
