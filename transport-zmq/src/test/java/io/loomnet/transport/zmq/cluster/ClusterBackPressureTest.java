package io.loomnet.transport.zmq.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.Context;
import io.loomnet.DeadLetter;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.MessageType;
import io.loomnet.Node;
import io.loomnet.NodeListener;
import io.loomnet.Service;
import io.loomnet.ServiceOptions;
import io.loomnet.Terminated;
import io.loomnet.transport.zmq.TestSupport;
import io.loomnet.transport.zmq.codec.Codec;

/**
 * A full link applies its back-pressure policy to tells and requests only: {@link BackPressure#FAIL} throws at once,
 * {@link BackPressure#BLOCK} waits for room (then proceeds, or throws after its timeout), and nothing else — watches,
 * replies, lookups — is refused or reported unreachable because a live peer's link is busy.
 *
 * <p>A link is held full deterministically by giving it a peer that is not there yet: while CONNECTING it queues
 * but cannot write, and a one-minute {@code downAfter} keeps it from being declared down during the test.
 */
@Timeout(60)
class ClusterBackPressureTest {
    private static final Duration LONG_DOWN_AFTER = Duration.ofSeconds(60);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private Node node(int id, NodeListener listener) {
        Node.Builder b = Node.builder().nodeId(id);
        if (listener != null) {
            b.listener(listener);
        }
        Node n = b.start();
        toClose.add(n);
        return n;
    }

    private static Cluster cluster(Node node, String inbox, int peer, String peerInbox, int limit,
                                   BackPressure policy, Duration timeout) {
        return Cluster.builder(node).inbox(inbox).peer(peer, peerInbox).codec(Codec.builder().build())
                .heartbeat(Duration.ofMillis(200), LONG_DOWN_AFTER).linkQueueLimit(limit)
                .backPressure(policy, timeout).start();
    }

    @Test
    void shouldFailAtOnceWithAClearMessageWhenTheLinkIsFullUnderFail() {
        AtomicLong deadLetters = new AtomicLong();
        Node one = node(1, new NodeListener() {
            @Override
            public void onDeadLetter(DeadLetter d) {
                deadLetters.incrementAndGet();
            }
        });
        String absent = "tcp://127.0.0.1:" + TestPorts.free();
        Cluster c = cluster(one, "tcp://127.0.0.1:" + TestPorts.free(), 2, absent, 10, BackPressure.FAIL,
                Duration.ofSeconds(1));
        Handle target = Handle.of(2, 1);
        for (int i = 0; i < 10; i++) {
            one.send(target, "m" + i);
        }
        long t0 = System.nanoTime();
        ClusterBackPressureException e = assertThrows(ClusterBackPressureException.class,
                () -> one.send(target, "one too many"));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(e.getMessage(), containsString("link from node 1 to node 2 is full (10 messages queued)"));
        assertThat(e.getMessage(), containsString("java.lang.String"));
        assertThat(e.getMessage(), containsString(target.toString()));
        assertThat(e.target(), is(target));
        assertThat(e.type(), is(MessageType.TELL));
        LinkStats l = c.stats().link(2);
        assertThat(l.accepted(), is(10L));
        assertThat(l.queued(), is(10L));
        assertThat(l.rejected(), is(1L));
        assertThat(l.blocked(), is(0L));
        assertThat("a rejected send is the sender's to handle, not a dead letter", deadLetters.get(), is(0L));
        System.out.printf("FAIL policy: rejected after %d ms%n", ms);
    }

    @Test
    void shouldWaitForRoomAndThenThrowUnderBlock() {
        Node one = node(1, null);
        String absent = "tcp://127.0.0.1:" + TestPorts.free();
        Cluster c = cluster(one, "tcp://127.0.0.1:" + TestPorts.free(), 2, absent, 5, BackPressure.BLOCK,
                Duration.ofMillis(300));
        Handle target = Handle.of(2, 1);
        for (int i = 0; i < 5; i++) {
            one.send(target, i);
        }
        long t0 = System.nanoTime();
        ClusterBackPressureException e = assertThrows(ClusterBackPressureException.class, () -> one.send(target, 5));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat("it waited its timeout first", ms, greaterThanOrEqualTo(300L));
        assertThat(e.getMessage(), containsString("waited 300 ms"));
        LinkStats l = c.stats().link(2);
        assertThat(l.blocked(), is(1L));
        assertThat(l.rejected(), is(1L));
    }

    @Test
    void shouldLetABlockedSenderProceedOnceThePeerDrainsTheLink() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        Node one = node(1, null);
        Cluster c1 = cluster(one, e1, 2, e2, 100, BackPressure.BLOCK, Duration.ofSeconds(30));
        Handle sink = Handle.of(2, 1); // the first service node 2 will spawn
        int total = 150;
        CountDownLatch queued = new CountDownLatch(1);
        CompletableFuture<Integer> sender = CompletableFuture.supplyAsync(() -> {
            for (int i = 0; i < total; i++) {
                if (i == 100) {
                    queued.countDown();
                }
                one.send(sink, i);
            }
            return total;
        }, r -> Thread.ofPlatform().name("blocked-sender").start(r));
        assertThat(queued.await(10, TimeUnit.SECONDS), is(true));
        TestSupport.await("the sender blocked on the full link", Duration.ofSeconds(10),
                () -> c1.stats().link(2).blocked() >= 1);

        Node two = node(2, null);
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        Handle spawned = two.spawn(() -> (ctx, msg) -> received.add(msg.payload()));
        assertThat(spawned, is(sink));
        cluster(two, e2, 1, e1, 100, BackPressure.BLOCK, Duration.ofSeconds(30));

        assertThat(sender.get(30, TimeUnit.SECONDS), is(total));
        List<Object> got = new ArrayList<>();
        TestSupport.await("all " + total + " tells arrived", Duration.ofSeconds(30), () -> {
            received.drainTo(got);
            return got.size() >= total;
        });
        for (int i = 0; i < total; i++) {
            assertThat("in order, none lost", got.get(i), is(i));
        }
        assertThat(c1.stats().link(2).rejected(), is(0L));
    }

    /**
     * The probe: while the link's queue is full and the peer is UP, a watch of a live remote service must
     * not report it unreachable, and calls must be answered. Sixteen senders flood a 100-message link from a barrier;
     * the probes start once a sender has really blocked.
     */
    @Test
    void shouldNotReportALivePeerUnreachableWhileItsLinkIsFull() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        AtomicLong deadLetters = new AtomicLong();
        NodeListener counting = new NodeListener() {
            @Override
            public void onDeadLetter(DeadLetter d) {
                deadLetters.incrementAndGet();
            }
        };
        Node one = node(1, counting);
        Node two = node(2, counting);
        AtomicLong handled = new AtomicLong();
        two.spawn(() -> (ctx, msg) -> {
            if (msg.isRequest()) {
                ctx.reply("alive");
            } else {
                handled.incrementAndGet();
            }
        }, ServiceOptions.defaults().withName("sink"));
        Cluster c1 = Cluster.builder(one).inbox(e1).peer(2, e2).codec(Codec.builder().build()).linkQueueLimit(100)
                .start();
        Cluster.builder(two).inbox(e2).peer(1, e1).codec(Codec.builder().build()).start();
        TestSupport.await("both up", Duration.ofSeconds(30), () -> c1.peerState(2) == Cluster.PeerState.UP);
        Handle sink = one.lookup("sink@2").orElseThrow();

        BlockingQueue<Terminated> notices = new LinkedBlockingQueue<>();
        Handle watcher = one.spawn(() -> new Service() {
            @Override
            public void onMessage(Context ctx, Message msg) {
                if (msg.payload() instanceof Terminated t) {
                    notices.add(t);
                } else if ("watch".equals(msg.payload())) {
                    ctx.watch(sink);
                    ctx.reply(ctx.call(sink, "ping", Duration.ofSeconds(10)));
                }
            }
        });

        int senders = 16;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(senders);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            threads.add(Thread.ofPlatform().name("flood-" + s).start(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                while (!stop.get()) {
                    try {
                        one.send(sink, "t");
                        sent.incrementAndGet();
                    } catch (ClusterBackPressureException e) {
                        rejected.incrementAndGet(); // waited the 2 s default: allowed, and counted
                    }
                }
            }));
        }
        try {
            TestSupport.await("a sender blocked on the full link", Duration.ofSeconds(30),
                    () -> c1.stats().link(2).blocked() > 0);
            for (int probe = 0; probe < 16; probe++) {
                Object answer = one.call(watcher, "watch", Duration.ofSeconds(20));
                assertThat(answer, is("alive"));
                assertThat(c1.peerState(2), is(Cluster.PeerState.UP));
            }
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }
        long n = sent.get();
        TestSupport.await("every tell handled", Duration.ofSeconds(30), () -> handled.get() == n);
        assertThat("no watcher was told the live peer is unreachable: " + notices, notices.isEmpty(), is(true));
        assertThat(deadLetters.get(), is(0L));
        LinkStats l = c1.stats().link(2);
        assertThat(l.rejected(), is(rejected.get()));
        System.out.printf("full link, peer UP: %d tells, %d sends blocked, %d rejected, 16 watch+call probes "
                + "answered%n", n, l.blocked(), rejected.get());
    }
}
