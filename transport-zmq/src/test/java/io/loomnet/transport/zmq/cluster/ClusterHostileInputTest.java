package io.loomnet.transport.zmq.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.scope.CloseReport;
import io.loomnet.transport.zmq.HostileInputs;
import io.loomnet.transport.zmq.RawZmtp;
import io.loomnet.transport.zmq.TestSupport;
import io.loomnet.transport.zmq.ZmqClients;

/**
 * Hostile input to a cluster inbox, interleaved with real cluster traffic: raw TCP peers (malformed greetings,
 * wrong socket types, truncated headers, huge and negative declared sizes, truncated PINGs, random bytes, trickles)
 * and a ZeroMQ peer sending malformed batches. Every real tell is handled exactly once, the peer never looks down,
 * no JeroMQ thread fails, and both nodes close cleanly with threads and file descriptors back where they started.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterHostileInputTest {
    private record Pair(Node one, Node two, Cluster c1, Cluster c2, Handle counter, AtomicLong received) {
        void close() {
            CloseReport r1 = one.shutdown();
            CloseReport r2 = two.shutdown();
            assertThat(r1.toString(), r1.clean(), is(true));
            assertThat(r2.toString(), r2.clean(), is(true));
        }
    }

    private static Pair pair(int id1, int id2) {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        Node one = Node.builder().nodeId(id1).start();
        Node two = Node.builder().nodeId(id2).start();
        Cluster c2 = Cluster.builder(two).inbox(e2).peer(id1, e1).codec(ClusterTest.codec()).start();
        Cluster c1 = Cluster.builder(one).inbox(e1).peer(id2, e2).codec(ClusterTest.codec()).start();
        AtomicLong received = new AtomicLong();
        Handle counter = two.spawn(() -> (ctx, msg) -> {
            if (msg.isRequest()) {
                ctx.reply(received.get());
            } else {
                received.incrementAndGet();
            }
        });
        TestSupport.await("both links UP", Duration.ofSeconds(30),
                () -> c1.peerState(id2) == Cluster.PeerState.UP && c2.peerState(id1) == Cluster.PeerState.UP);
        return new Pair(one, two, c1, c2, counter, received);
    }

    /** One full lifecycle first, so that classes and JDK internals hold their descriptors before we count them. */
    @BeforeAll
    static void warmUp() {
        Pair p = pair(70, 71);
        try (RawZmtp raw = RawZmtp.connect(p.c2().inboxEndpoint()).readTimeout(2000)) {
            raw.handshakeAndRead("DEALER");
        }
        p.close();
        TestSupport.awaitNoTransportThreads("warm-up threads to end", Duration.ofSeconds(10));
    }

    /** The regression of JeroMQ 0.6.0's decoder hole, on a cluster inbox: see {@code GatewayHostileInputTest}. */
    @Test
    void shouldSurviveANegativeDeclaredFrameSize() {
        java.util.Map<String, String> fds = TestSupport.fdTargets();
        Pair p = pair(72, 73);
        try (RawZmtp hostile = RawZmtp.connect(p.c2().inboxEndpoint()).readTimeout(2000)) {
            hostile.handshakeAndRead("DEALER");
            hostile.send(RawZmtp.longFrameHeader(false, 0x8000000080000000L)).send(new byte[64]);
            TestSupport.await("the guard to refuse the frame", Duration.ofSeconds(10),
                    () -> p.c2().stats().refusedFrames() == 1);
            for (int i = 0; i < 1000; i++) {
                p.one().send(p.counter(), "tell " + i);
            }
            assertThat(p.one().call(p.counter(), "count", Duration.ofSeconds(10)), is(1000L));
        }
        assertThat(p.c1().peerState(73), is(Cluster.PeerState.UP));
        assertThat(p.c2().loopErrors(), is(0L));
        p.close();
        TestSupport.await("threads to end", Duration.ofSeconds(10), () -> TestSupport.transportThreads().isEmpty());
        TestSupport.awaitFdsBackTo(fds, Duration.ofSeconds(10));
    }

    @Test
    void shouldDeliverEveryTellWhileTheInboxIsFuzzed() throws Exception {
        java.util.Map<String, String> fds = TestSupport.fdTargets();
        Pair p = pair(74, 75);
        String inbox = p.c2().inboxEndpoint();
        int tells = 20_000;
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        CyclicBarrier start = new CyclicBarrier(4);
        CountDownLatch fuzzersDone = new CountDownLatch(3);
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofPlatform().name("real-traffic").start(() -> {
            try {
                start.await();
                for (int i = 0; i < tells; i++) {
                    p.one().send(p.counter(), i);
                    if (i % 1000 == 0) {
                        // keep sending while the fuzzers run, not all at once before they start
                        fuzzersDone.await(20, TimeUnit.MILLISECONDS);
                    }
                }
            } catch (Exception e) {
                wrong.add("sender: " + e);
            }
        }));
        for (int f = 0; f < 2; f++) {
            long seed = 2000 + f;
            threads.add(Thread.ofPlatform().name("fuzzer-" + f).start(() -> {
                try {
                    start.await();
                    HostileInputs.run(inbox, new Random(seed), 150);
                } catch (Exception e) {
                    wrong.add("fuzzer: " + e);
                } finally {
                    fuzzersDone.countDown();
                }
            }));
        }
        threads.add(Thread.ofPlatform().name("zeromq-fuzzer").start(() -> {
            // A ZeroMQ DEALER speaking the cluster protocol badly: truncated batches, lying counts and lengths,
            // unknown kinds, targets elsewhere, random bodies. Counted and dropped; no reply is owed.
            try (ZContext z = new ZContext(1);
                 ZMQ.Socket d = ZmqClients.connect(z, SocketType.DEALER, inbox, Duration.ofSeconds(10))) {
                start.await();
                Random rnd = new Random(9);
                Handle src = Handle.of(99, 1);
                for (int i = 0; i < 2000; i++) {
                    byte[] body = new byte[rnd.nextInt(40)];
                    rnd.nextBytes(body);
                    byte kind = (byte) rnd.nextInt(30);
                    byte[] msg = WireFrames.message(kind, src, Handle.of(rnd.nextBoolean() ? 75 : 3, rnd.nextInt(5)),
                            rnd.nextLong(), body);
                    byte[] batch = WireFrames.batch(rnd.nextInt(3) == 0 ? rnd.nextLong() : 0, rnd.nextLong(), 99,
                            rnd.nextInt(5) - 1, msg);
                    if (rnd.nextInt(4) == 0) {
                        batch = java.util.Arrays.copyOf(batch, rnd.nextInt(batch.length));
                    }
                    d.send(batch, ZMQ.DONTWAIT);
                }
            } catch (Exception e) {
                wrong.add("zeromq fuzzer: " + e);
            } finally {
                fuzzersDone.countDown();
            }
        }));
        for (Thread t : threads) {
            t.join();
        }
        assertThat(wrong.toString(), wrong, empty());
        TestSupport.await("all " + tells + " tells handled", Duration.ofSeconds(60),
                () -> p.received().get() >= tells);
        assertThat(p.one().call(p.counter(), "count", Duration.ofSeconds(10)), is((long) tells));
        LinkStats link = p.c1().stats().link(75);
        assertThat(link.toString(), link.deadLettered(), is(0L));
        assertThat(link.toString(), link.lostWithPeer(), is(0L));
        assertThat(p.c1().peerState(75), is(Cluster.PeerState.UP));
        ClusterStats s2 = p.c2().stats();
        assertThat(s2.toString(), s2.refusedFrames(), greaterThan(0L));
        assertThat(s2.toString(), s2.malformed(), greaterThan(0L));
        assertThat("loop or JeroMQ errors on node 75", p.c2().loopErrors(), is(0L));
        System.out.printf("cluster fuzz: %d tells delivered; inbox %s%n", tells, s2);
        p.close();
        TestSupport.await("threads to end", Duration.ofSeconds(10), () -> TestSupport.transportThreads().isEmpty());
        TestSupport.awaitFdsBackTo(fds, Duration.ofSeconds(10));
    }
}
