package io.loomnet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.MessageType;

/**
 * The contract every {@link Mailbox} implementation keeps (see its class comment): FIFO per producer, a wake-up
 * never lost and never doubled, and nothing lost or duplicated across a concurrent seal. Producers start on a
 * barrier; the consumer plays a driver (polls until {@code null}, then waits for the producer that got
 * {@link Mailbox#WAKE}); the invariants are counted, not timed.
 */
@Timeout(120)
class MailboxConformanceTest {
    private static final Handle SOURCE = Handle.of(1, 1);

    static Stream<Arguments> mailboxes() {
        return Stream.of(
                Arguments.of("MpscMailbox", (Supplier<Mailbox>) MpscMailbox::new),
                Arguments.of("BoundedMailbox", (Supplier<Mailbox>) () -> new BoundedMailbox(Integer.MAX_VALUE - 1)));
    }

    private static Message msg(int producer, int seq) {
        return new Message(SOURCE, 0, MessageType.TELL, new long[] {producer, seq});
    }

    private static long[] id(Message m) {
        return (long[]) m.payload();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mailboxes")
    void shouldBeBornScheduledAndWakeOnlyAfterGoingIdle(String name, Supplier<Mailbox> factory) {
        Mailbox mb = factory.get();
        assertTrue(mb.isScheduled(), "born scheduled");
        assertEquals(Mailbox.OK, mb.offer(msg(0, 0)), "no wake while the starting driver owns it");
        assertEquals(0, id(mb.poll())[1]);
        assertNull(mb.poll());
        assertFalse(mb.isScheduled(), "an empty poll unschedules");
        assertEquals(Mailbox.WAKE, mb.offer(msg(0, 1)));
        assertEquals(Mailbox.OK, mb.offer(msg(0, 2)));
        assertEquals(2, mb.size());
        assertFalse(mb.schedule(), "already scheduled");
        assertEquals(1, id(mb.poll())[1]);
        assertEquals(2, id(mb.poll())[1]);
        assertNull(mb.poll());
        assertTrue(mb.schedule(), "a control signal schedules an idle mailbox");
        assertNull(mb.poll());
        assertEquals(0, mb.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mailboxes")
    void shouldKeepEachProducersOrderAndNeverLoseOrDoubleAWakeUp(String name, Supplier<Mailbox> factory)
            throws Exception {
        int producers = 4;
        int perProducer = 200_000;
        Mailbox mb = factory.get();
        Semaphore woken = new Semaphore(0);
        AtomicInteger wakes = new AtomicInteger();
        AtomicInteger outstanding = new AtomicInteger(); // wake-ups given but not yet taken: never above 1
        AtomicInteger doubled = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(producers + 1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int me = p;
            threads.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
                await(start);
                for (int i = 0; i < perProducer; i++) {
                    int r = mb.offer(msg(me, i));
                    if (r == Mailbox.WAKE) {
                        wakes.incrementAndGet();
                        if (outstanding.incrementAndGet() > 1) {
                            doubled.incrementAndGet();
                        }
                        woken.release();
                    } else if (r != Mailbox.OK) {
                        throw new AssertionError("offer refused: " + r);
                    }
                }
            }));
        }
        int[] next = new int[producers];
        long received = 0;
        int idles = 0;
        int outOfOrder = 0;
        await(start);
        long total = (long) producers * perProducer;
        while (received < total) {
            Message m = mb.poll();
            if (m == null) {
                idles++;
                assertTrue(woken.tryAcquire(60, TimeUnit.SECONDS), "wake-up lost: " + received + " of " + total
                        + " received, " + mb.size() + " queued, scheduled=" + mb.isScheduled());
                outstanding.decrementAndGet();
                continue;
            }
            long[] id = id(m);
            if (id[1] != next[(int) id[0]]) {
                outOfOrder++;
            }
            next[(int) id[0]] = (int) id[1] + 1;
            received++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(mb.poll(), "nothing beyond what was sent");
        assertEquals(0, outOfOrder, "FIFO per producer");
        assertEquals(0, doubled.get(), "scheduled twice");
        assertEquals(idles, wakes.get(), "every idle consumer woken exactly once");
        assertEquals(0, woken.availablePermits());
        assertTrue(mb.highWater() >= 1 && mb.highWater() <= total, "high water " + mb.highWater());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mailboxes")
    void shouldAccountForEveryMessageAcrossAConcurrentSeal(String name, Supplier<Mailbox> factory) throws Exception {
        for (int round = 0; round < 200; round++) {
            sealRound(factory.get(), round % 2 == 0);
        }
    }

    /**
     * Producers offer until refused while the consumer polls and then seals, as the driver ({@code byConsumer})
     * or as a closing thread while the consumer still holds a batch; every message is counted once.
     */
    private static void sealRound(Mailbox mb, boolean byConsumer) throws Exception {
        int producers = 3;
        CyclicBarrier start = new CyclicBarrier(producers + 1);
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        ConcurrentLinkedQueue<Message> late = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int me = p;
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                for (int i = 0; ; i++) {
                    int r = mb.offer(msg(me, i));
                    if (r == Mailbox.CLOSED) {
                        refused.incrementAndGet();
                        return;
                    }
                    accepted.incrementAndGet();
                }
            }));
        }
        await(start);
        List<Message> seen = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Message m = mb.poll();
            if (m != null) {
                seen.add(m);
            } else {
                mb.schedule(); // stand in for the woken driver: keep polling
            }
        }
        List<Message> drained = mb.seal(late::add, byConsumer);
        if (!byConsumer) {
            mb.discardHeld(); // the consumer finds the seal and hands over what it had taken
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(mb.poll(), "nothing to poll after the seal");
        long counted = seen.size() + drained.size() + late.size();
        assertEquals(accepted.get(), counted, "accepted = polled + sealed + late (" + seen.size() + " + "
                + drained.size() + " + " + late.size() + ")");
        assertEquals(producers, refused.get(), "each producer refused once, after the seal");
        List<Message> all = new ArrayList<>(seen);
        all.addAll(drained);
        all.addAll(late);
        assertEquals(all.size(), all.stream().map(m -> id(m)[0] + ":" + id(m)[1]).distinct().count(), "duplicates");
        assertEquals(Mailbox.CLOSED, mb.offer(msg(9, 0)), "sealed for good");
        assertTrue(mb.seal(late::add, true).isEmpty(), "a second seal finds nothing");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mailboxes")
    void shouldPutRuntimeNoticesBeforeAFlood(String name, Supplier<Mailbox> factory) {
        assumeTrue(name.equals("MpscMailbox"), "the bounded ring has one lane");
        Mailbox mb = factory.get();
        for (int i = 0; i < 10_000; i++) {
            mb.offer(msg(0, i));
        }
        assertEquals(0, id(mb.poll())[1], "a batch of user messages is taken");
        Message notice = new Message(SOURCE, 0, MessageType.SYSTEM, "terminated");
        mb.offer(notice);
        assertSame(notice, mb.poll(), "the notice jumps the 9,999 user messages already taken");
        assertEquals(1, id(mb.poll())[1]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mailboxes")
    void shouldRecordOverloadAsSkynetDoes(String name, Supplier<Mailbox> factory) {
        Mailbox mb = factory.get();
        for (int i = 0; i < 1026; i++) {
            mb.offer(msg(0, i));
        }
        mb.poll();
        int o = mb.takeOverload();
        assertTrue(o >= 1025 && o <= 1026, "overload " + o);
        assertEquals(0, mb.takeOverload(), "read once");
        while (mb.poll() != null) {
            // drain: the threshold resets
        }
        assertTrue(mb.highWater() >= 1026, "high water " + mb.highWater());
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
