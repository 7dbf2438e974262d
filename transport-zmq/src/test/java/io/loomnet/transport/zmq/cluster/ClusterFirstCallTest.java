package io.loomnet.transport.zmq.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceOptions;
import io.loomnet.transport.zmq.TestSupport;

/**
 * The first call after both nodes report UP is answered, over many fresh node pairs, while every core is kept busy
 * by a spinning thread: the lookup of {@code counter@2} and the first call (1 s timeout, as in the cluster sample)
 * both succeed every time, whichever node starts first.
 */
class ClusterFirstCallTest {
    private static final int PAIRS = 30;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldAnswerTheFirstCallAfterUpOverManyFreshPairs() throws Exception {
        AtomicBoolean spinning = new AtomicBoolean(true);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            spinners.add(Thread.ofPlatform().daemon(true).start(() -> {
                long x = 0;
                while (spinning.get()) {
                    x += System.nanoTime() & 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }));
        }
        List<String> failures = new ArrayList<>();
        try {
            for (int pair = 0; pair < PAIRS; pair++) {
                String e1 = "tcp://127.0.0.1:" + TestPorts.free();
                String e2 = "tcp://127.0.0.1:" + TestPorts.free();
                try (Node two = Node.builder().nodeId(2).start(); Node one = Node.builder().nodeId(1).start()) {
                    // Alternate which node comes up first; the late one must still be answered at once.
                    Cluster c1;
                    Cluster c2;
                    if (pair % 2 == 0) {
                        c2 = Cluster.builder(two).inbox(e2).peer(1, e1).codec(ClusterTest.codec()).start();
                        c1 = Cluster.builder(one).inbox(e1).peer(2, e2).codec(ClusterTest.codec()).start();
                    } else {
                        c1 = Cluster.builder(one).inbox(e1).peer(2, e2).codec(ClusterTest.codec()).start();
                        c2 = Cluster.builder(two).inbox(e2).peer(1, e1).codec(ClusterTest.codec()).start();
                    }
                    two.spawn(() -> (ctx, msg) -> ctx.reply(1), ServiceOptions.defaults().withName("counter"));
                    TestSupport.await("both nodes UP", Duration.ofSeconds(30),
                            () -> c1.peerState(2) == Cluster.PeerState.UP && c2.peerState(1) == Cluster.PeerState.UP);
                    long t0 = System.nanoTime();
                    Handle counter = one.lookup("counter@2").orElse(null);
                    if (counter == null) {
                        failures.add("pair " + pair + ": lookup of counter@2 failed; " + c1.stats() + " / " + c2.stats());
                        continue;
                    }
                    try {
                        Object answer = one.call(counter, "next", Duration.ofSeconds(1));
                        if (!Integer.valueOf(1).equals(answer)) {
                            failures.add("pair " + pair + ": answered " + answer);
                        }
                    } catch (RuntimeException e) {
                        failures.add("pair " + pair + ": " + e.getMessage() + " (lookup and call took "
                                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms); " + c1.stats() + " / "
                                + c2.stats());
                    }
                }
            }
        } finally {
            spinning.set(false);
            for (Thread t : spinners) {
                t.join();
            }
        }
        assertThat(failures.toString(), failures, empty());
        assertThat(failures.size(), is(0));
    }
}
