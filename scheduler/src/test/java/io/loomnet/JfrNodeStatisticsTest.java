package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * The periodic {@code io.loomnet.NodeStatistics} event: one per running node per period, carrying what
 * {@link Node#stats()} returns, and none for a node once it has closed.
 */
@Timeout(60)
class JfrNodeStatisticsTest {
    private static final String EVENT = "io.loomnet.NodeStatistics";
    private static final Duration PERIOD = Duration.ofMillis(100);
    private static final int A = 7101;
    private static final int B = 7102;

    private record Sample(Instant start, NodeStats stats) {
        static Sample of(RecordedEvent e) {
            return new Sample(e.getStartTime(), new NodeStats(e.getInt("nodeId"), e.getLong("liveServices"),
                    e.getLong("spawned"), e.getLong("sent"), e.getLong("handled"), e.getLong("deadLetters"),
                    e.getLong("lateReplies"), e.getLong("pendingCalls"), e.getLong("liveThreads"),
                    e.getLong("stuckReports"), e.getLong("loopErrors")));
        }
    }

    private final BlockingQueue<Sample> arrived = new LinkedBlockingQueue<>();
    private final List<Sample> seen = new ArrayList<>();

    @Test
    void shouldRecordEachNodesStatisticsPeriodicallyUntilItCloses() throws Exception {
        // B starts before the recording (in a JVM where JFR is not yet initialized, its hook is added when the
        // stream initializes JFR), A while the recording runs.
        Node b = Node.builder().nodeId(B).start();
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable(EVENT).withPeriod(PERIOD);
            rs.onEvent(EVENT, e -> arrived.add(Sample.of(e)));
            rs.startAsync();
            try {
                b.spawn(() -> (ctx, msg) -> { });
                b.spawn(() -> (ctx, msg) -> { });
                NodeStats expectedA;
                try (Node a = Node.builder().nodeId(A).start()) {
                    Handle h = a.spawn(() -> (ctx, msg) -> ctx.reply("ok"));
                    for (int i = 0; i < 5; i++) {
                        assertEquals("ok", a.call(h, i, Duration.ofSeconds(5)));
                    }
                    a.send(Handle.of(A, 999_999), "nobody"); // one dead letter
                    expectedA = atRest(a);
                    assertEquals(5, expectedA.handled());
                    assertEquals(1, expectedA.deadLetters());
                    NodeStats want = expectedA;
                    awaitSample(s -> s.stats().equals(want), "an event equal to node " + A + "'s stats " + want);
                    NodeStats wantB = atRest(b);
                    assertEquals(2, wantB.liveServices());
                    awaitSample(s -> s.stats().equals(wantB), "an event equal to node " + B + "'s stats " + wantB);
                }
                Instant closedA = Instant.now();
                // B's hook keeps running; once B has an event well after A closed, A would have had one too.
                awaitSample(s -> s.stats().nodeId() == B && s.start().isAfter(closedA.plus(PERIOD.multipliedBy(3))),
                        "an event of node " + B + " after node " + A + " closed");
                arrived.drainTo(seen);
                for (Sample s : seen) {
                    assertTrue(s.stats().nodeId() != A || s.start().isBefore(closedA.plus(PERIOD)),
                            () -> "node " + A + " still reported after it closed at " + closedA + ": " + s);
                }
                assertTrue(seen.stream().anyMatch(s -> s.stats().nodeId() == A), "sanity: A reported while open");
            } finally {
                b.close();
            }
        }
    }

    /** Waits until the node's counters stop moving: every message sent was handled or dead-lettered. */
    private static NodeStats atRest(Node node) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            NodeStats s = node.stats();
            if (s.sent() == s.handled() + s.deadLetters() && s.pendingCalls() == 0 && s.equals(node.stats())) {
                return s;
            }
            assertTrue(System.nanoTime() < deadline, "node did not come to rest: " + s);
            Thread.onSpinWait();
        }
    }

    private void awaitSample(Predicate<Sample> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            long left = deadline - System.nanoTime();
            Sample s = arrived.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (s == null) {
                throw new AssertionError("no " + what + " within 20 s; events so far: " + seen);
            }
            seen.add(s);
            if (wanted.test(s)) {
                return;
            }
        }
    }
}
