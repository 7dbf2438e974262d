package io.loomnet.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.loomnet.Message;
import io.loomnet.MessageType;

/**
 * The lock-free mailbox of an unbounded service: two lanes (runtime notices, then user messages), each a
 * Treiber stack that producers push onto with one CAS and the consumer empties with one swap per batch, plus one
 * status word changed by CAS. The model is Pekko's {@code Mailbox} (status word, system-message list pushed
 * newest first and reversed by the consumer); see ADR 0011.
 *
 * <p><b>Per message.</b> A producer pays one allocation (the stack node), one CAS on the lane's top and one
 * volatile read of the status; a CAS on the status only when the mailbox was idle ({@link #WAKE}). The consumer
 * pays one swap per batch (taking everything pushed since the last one) and plain reads and writes per message.
 * No lock anywhere, so producers never park on each other or on the consumer.
 *
 * <p><b>Order.</b> A batch is reversed into arrival order, so each producer's messages are polled in the order it
 * offered them (and across producers, in the order their pushes succeeded). Runtime notices
 * ({@link MessageType#SYSTEM}: {@code Terminated}, {@code ChildFailed}) have their own lane, polled before any
 * user message, so a flood cannot delay a death notice.
 *
 * <p><b>Wake-ups.</b> A producer pushes, then reads the status; the consumer going idle clears the scheduled bit
 * (an atomic read-modify-write), then looks at both lanes again. Each side's second step is ordered after its
 * first, so at least one of them sees the other: either the consumer finds the message and schedules itself
 * again, or the producer finds the bit clear and sets it ({@link #WAKE}). If both do, one CAS on the status wins,
 * and the loser stands down.
 *
 * <p><b>The seal.</b> The sealer sets the sealed bit, then empties both lanes. A producer that pushed before the
 * bit was visible reads the status after its push; if it sees the seal it empties the lanes itself (the swap is
 * atomic, so each node is taken by exactly one thread) and hands what it finds to the seal's late sink, except
 * its own message, which it reports as {@link #CLOSED}. A producer whose push came after the sealer's swap sees the
 * seal by the same ordering argument as the wake-up. So a message is dispatched, returned by the seal, handed to
 * the late sink or refused: exactly one of the four.
 *
 * <p><b>Length.</b> Each node records the depth of the stack beneath it, so {@link #size} is the consumer's batch
 * remainder plus the tops' depths; a snapshot that may lag concurrent offers. Overload is checked as Skynet
 * does, by the consumer when it takes a message; the high-water mark is the longest queue the consumer found.
 *
 * <p>Footprint: an idle mailbox is one object of a few fields (no array, no lock).
 */
final class MpscMailbox extends Mailbox {
    private static final int SCHEDULED = 1;
    private static final int SEALED = 2;

    private static final VarHandle STATUS;
    private static final VarHandle USER_TOP;
    private static final VarHandle SYSTEM_TOP;
    private static final VarHandle LATE_SINK;
    private static final VarHandle HIGH_WATER;
    private static final VarHandle HELD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATUS = l.findVarHandle(MpscMailbox.class, "status", int.class);
            USER_TOP = l.findVarHandle(MpscMailbox.class, "userTop", Node.class);
            SYSTEM_TOP = l.findVarHandle(MpscMailbox.class, "systemTop", Node.class);
            LATE_SINK = l.findVarHandle(MpscMailbox.class, "lateSink", Consumer.class);
            HIGH_WATER = l.findVarHandle(MpscMailbox.class, "highWater", int.class);
            HELD = l.findVarHandle(MpscMailbox.class, "held", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A queued message; {@code next} points to the older node while on a stack, to the newer one in a batch. */
    private static final class Node {
        final Message message;
        Node next;
        /** Nodes on the stack from this one down, itself included, at the time it was pushed. */
        int depth;

        Node(Message message) {
            this.message = message;
        }
    }

    /** Born scheduled: the starting driver owns the mailbox until it first finds it empty. */
    private volatile int status = SCHEDULED;
    /** Newest-first stacks that producers push onto. */
    private volatile Node userTop;
    private volatile Node systemTop;
    /** The seal's late sink, set once before the sealed bit. */
    private volatile Consumer<Message> lateSink;

    // Consumer-owned: taken from the stacks, in arrival order, not yet polled.
    private Node systemBatch;
    private Node userBatch;
    /** Messages in the two batches; written by the consumer, read racily by {@link #size}. */
    private int held;
    private int overloadThreshold = OVERLOAD_START;
    private int overload;
    /** Written by the consumer only, read by anyone. */
    private int highWater;

    @Override
    int offer(Message m) {
        if ((status & SEALED) != 0) {
            return CLOSED;
        }
        Node n = new Node(m);
        push(m.type() == MessageType.SYSTEM ? SYSTEM_TOP : USER_TOP, n);
        while (true) {
            int s = status; // after the push's CAS: see the class comment
            if ((s & SEALED) != 0) {
                return lateOffer(n);
            }
            if ((s & SCHEDULED) != 0) {
                return OK;
            }
            if (STATUS.compareAndSet(this, s, s | SCHEDULED)) {
                return WAKE;
            }
        }
    }

    private void push(VarHandle top, Node n) {
        Node t;
        do {
            t = (Node) top.getVolatile(this);
            n.next = t;
            n.depth = t == null ? 1 : t.depth + 1;
        } while (!top.compareAndSet(this, t, n));
    }

    /** The mailbox was sealed around our push: take what nobody took; ours is refused, the rest go to the sink. */
    private int lateOffer(Node mine) {
        Consumer<Message> sink = lateSink; // written before the sealed bit we have seen
        boolean found = false;
        for (int lane = 0; lane < 2; lane++) {
            for (Node x = takeAll(lane == 0 ? SYSTEM_TOP : USER_TOP); x != null; x = x.next) {
                if (x == mine) {
                    found = true;
                } else {
                    sink.accept(x.message);
                }
            }
        }
        return found ? CLOSED : OK; // not found: the sealer (or another late producer) has it
    }

    /** Swaps a stack out and reverses it: the nodes in arrival order, owned by the caller. */
    private Node takeAll(VarHandle top) {
        Node t = (Node) top.getAndSet(this, (Node) null);
        Node prev = null;
        while (t != null) {
            Node older = t.next;
            t.next = prev;
            prev = t;
            t = older;
        }
        return prev;
    }

    @Override
    Message poll() {
        while (true) {
            // The system lane is looked at before every user message, so a notice never waits behind a batch.
            if (systemBatch == null && systemTop != null && !refill(true)) {
                return null;
            }
            Node n = systemBatch;
            if (n != null) {
                systemBatch = n.next;
                return taken(n);
            }
            if (userBatch == null && userTop != null && !refill(false)) {
                return null;
            }
            n = userBatch;
            if (n != null) {
                userBatch = n.next;
                return taken(n);
            }
            overloadThreshold = OVERLOAD_START; // Skynet resets it when the queue is seen empty
            int s = (int) STATUS.getAndBitwiseAnd(this, ~SCHEDULED);
            if ((s & SCHEDULED) == 0 || (systemTop == null && userTop == null)) {
                return null;
            }
            // Something arrived after we looked; its producer may have seen the bit still set and not woken
            // anyone. Take the mailbox back unless another producer has already done so (and woken a driver).
            if (!schedule()) {
                return null;
            }
        }
    }

    private Message taken(Node n) {
        n.next = null; // an old node must not keep younger ones reachable
        int h = held - 1;
        held = h;
        if (h > overloadThreshold) { // Skynet: the length left after the pop
            overload = h;
            do {
                overloadThreshold <<= 1;
            } while (h > overloadThreshold);
        }
        return n.message;
    }

    /**
     * Consumer only, with that lane's batch empty: takes everything pushed onto the lane since the last refill.
     *
     * @return {@code false} if the mailbox turned out sealed (by another thread): nothing may be dispatched now
     */
    private boolean refill(boolean system) {
        Node first = takeAll(system ? SYSTEM_TOP : USER_TOP);
        int count = 0;
        for (Node x = first; x != null; x = x.next) {
            count++;
        }
        if (system) {
            systemBatch = first;
        } else {
            userBatch = first;
        }
        int h = held + count;
        held = h;
        if (h > highWater) {
            HIGH_WATER.setOpaque(this, h);
        }
        if ((status & SEALED) != 0) {
            discardHeld(); // the seal's sink gets them
            return false;
        }
        return true;
    }

    @Override
    boolean hasPending() {
        return systemBatch != null || userBatch != null || systemTop != null || userTop != null;
    }

    @Override
    void unschedule() {
        STATUS.getAndBitwiseAnd(this, ~SCHEDULED);
    }

    @Override
    boolean schedule() {
        while (true) {
            int s = status;
            if ((s & SCHEDULED) != 0) {
                return false;
            }
            if (STATUS.compareAndSet(this, s, s | SCHEDULED)) {
                return true;
            }
        }
    }

    @Override
    List<Message> seal(Consumer<Message> sink, boolean byConsumer) {
        LATE_SINK.compareAndSet(this, (Consumer<Message>) null, sink);
        STATUS.getAndBitwiseOr(this, SEALED);
        List<Message> out = new ArrayList<>();
        if (byConsumer) {
            drainBatches(out::add);
        }
        for (int lane = 0; lane < 2; lane++) {
            for (Node x = takeAll(lane == 0 ? SYSTEM_TOP : USER_TOP); x != null; x = x.next) {
                out.add(x.message);
            }
        }
        return out;
    }

    @Override
    void discardHeld() {
        if ((status & SEALED) != 0) {
            drainBatches(lateSink);
        }
    }

    private void drainBatches(Consumer<Message> to) {
        Node sys = systemBatch;
        Node user = userBatch;
        systemBatch = null;
        userBatch = null;
        held = 0;
        for (Node x = sys; x != null; x = x.next) {
            to.accept(x.message);
        }
        for (Node x = user; x != null; x = x.next) {
            to.accept(x.message);
        }
    }

    @Override
    boolean isScheduled() {
        return (status & SCHEDULED) != 0;
    }

    @Override
    int size() {
        Node s = systemTop;
        Node u = userTop;
        return (int) HELD.getOpaque(this) + (s == null ? 0 : s.depth) + (u == null ? 0 : u.depth);
    }

    @Override
    int highWater() {
        return (int) HIGH_WATER.getOpaque(this);
    }

    @Override
    int takeOverload() {
        int o = overload;
        if (o != 0) {
            overload = 0;
        }
        return o;
    }
}
