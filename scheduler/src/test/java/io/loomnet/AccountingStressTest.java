package io.loomnet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The central invariant under races: every message accepted by send is either handled or counted as a dead
 * letter, exactly, while services are stopped, killed and replaced under a storm of sends and calls; and no
 * call outlives its timeout.
 */
@Timeout(120)
class AccountingStressTest {
    /** Payload with redundancy so a corrupted or duplicated delivery is detectable. */
    record Work(int producer, long seq, long check) {
        Work(int producer, long seq) {
            this(producer, seq, seq * 31 + producer);
        }

        boolean intact() {
            return check == seq * 31 + producer;
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldAccountForEveryMessageWhileServicesDie(Dispatcher d) throws Exception {
        int services = 32;
        int producers = 4;
        int perProducer = 25_000;
        int callers = 2;
        int callsPerCaller = 300;
        LongAdder handled = new LongAdder();
        LongAdder dead = new LongAdder();
        LongAdder corrupt = new LongAdder();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        Node node = Node.builder().dispatcher(d).pooledWorkers(2).closeTimeout(Duration.ofSeconds(20))
                .listener(new NodeListener() {
                    @Override
                    public void onDeadLetter(DeadLetter dl) {
                        if (dl.payloadType().equals(Work.class.getName())) {
                            dead.increment();
                        }
                    }
                }).start();
        AtomicReferenceArray<Handle> targets = new AtomicReferenceArray<>(services);
        java.util.function.Supplier<Service> worker = () -> (ctx, msg) -> {
            if (msg.payload() instanceof Work w) {
                if (!w.intact()) {
                    corrupt.increment();
                }
                handled.increment();
                if (msg.isRequest()) {
                    ctx.reply(w.seq());
                }
            }
        };
        for (int i = 0; i < services; i++) {
            targets.set(i, node.spawn(worker));
        }
        AtomicLong sent = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(producers + callers + 1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
                Random r = new Random(id);
                await(start);
                for (int i = 0; i < perProducer; i++) {
                    node.send(targets.get(r.nextInt(services)), new Work(id, i));
                    sent.incrementAndGet();
                }
            }));
        }
        LongAdder callsEnded = new LongAdder();
        for (int c = 0; c < callers; c++) {
            int id = 100 + c;
            threads.add(Thread.ofPlatform().name("caller-" + c).start(() -> {
                Random r = new Random(id);
                await(start);
                for (int i = 0; i < callsPerCaller; i++) {
                    long t0 = System.nanoTime();
                    Duration timeout = Duration.ofSeconds(2);
                    try {
                        sent.incrementAndGet();
                        Object reply = node.call(targets.get(r.nextInt(services)), new Work(id, i), timeout);
                        if (!Long.valueOf(i).equals(reply)) {
                            problems.add("wrong reply " + reply + " for " + i);
                        }
                    } catch (ServiceUnavailableException expectedWhileKilling) {
                        // the target was killed with the request queued or before it arrived
                    } catch (CallException e) {
                        problems.add("unexpected " + e);
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ms > timeout.toMillis() + 3_000) {
                        problems.add("call took " + ms + " ms, past its timeout");
                    }
                    callsEnded.increment();
                }
            }));
        }
        // The killer: stop or kill a random service and replace it, over and over, while traffic flows.
        Random r = new Random(42);
        await(start);
        int replaced = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            int i = r.nextInt(services);
            Handle old = targets.get(i);
            targets.set(i, node.spawn(worker));
            if (r.nextBoolean()) {
                node.kill(old);
            } else {
                node.stop(old);
            }
            replaced++;
            Thread.onSpinWait();
            if (replaced % 64 == 0) {
                Thread.sleep(1); // pace the killer only; correctness never depends on this
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        var report = node.shutdown();
        assertTrue(report.clean(), report.toString());
        assertThat(problems.stream().toList(), empty());
        assertEquals(0, corrupt.sum());
        assertEquals(callers * callsPerCaller, callsEnded.sum());
        assertEquals((long) producers * perProducer + (long) callers * callsPerCaller, sent.get());
        assertEquals(sent.get(), handled.sum() + dead.sum(),
                "handled " + handled.sum() + " + dead " + dead.sum() + " after " + replaced + " replacements");
        NodeStats s = node.stats();
        assertEquals(s.sent(), s.handled() + s.deadLetters(), s.toString());
        assertTrue(replaced > 10, "the killer actually ran: " + replaced);
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
