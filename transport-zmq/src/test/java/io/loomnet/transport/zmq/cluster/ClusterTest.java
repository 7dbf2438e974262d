package io.loomnet.transport.zmq.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.CallFailedException;
import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.Service;
import io.loomnet.ServiceOptions;
import io.loomnet.ServiceUnavailableException;
import io.loomnet.Terminated;
import io.loomnet.transport.zmq.codec.Codec;
import io.loomnet.transport.zmq.codec.CodecException;

/** Two and three nodes in one JVM on loopback: remote send, call, watch, names, ordering, volume. */
@Timeout(60)
class ClusterTest {
    record Seq(int sender, int n) {
    }

    record Unregistered(String x) {
    }

    static Codec codec() {
        return Codec.builder().registerRecord(Seq.class, 100, java.lang.invoke.MethodHandles.lookup()).build();
    }

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** Starts {@code n} nodes (ids 1..n) fully meshed on free loopback ports. */
    final List<Cluster> clusters = new ArrayList<>();

    List<Node> mesh(int n) {
        List<Node> nodes = new ArrayList<>();
        List<String> endpoints = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            endpoints.add("tcp://127.0.0.1:" + TestPorts.free());
        }
        for (int i = 1; i <= n; i++) {
            Node node = Node.builder().nodeId(i).start();
            toClose.add(node);
            Cluster.Builder b = Cluster.builder(node).inbox(endpoints.get(i - 1)).codec(codec());
            for (int j = 1; j <= n; j++) {
                if (j != i) {
                    b.peer(j, endpoints.get(j - 1));
                }
            }
            clusters.add(b.start());
            nodes.add(node);
        }
        return nodes;
    }

    @Test
    void shouldCallSendWatchAndLookupAcrossNodes() throws Exception {
        List<Node> nodes = mesh(2);
        Node one = nodes.get(0);
        Node two = nodes.get(1);
        Handle upper = two.spawn(() -> (ctx, msg) -> {
            if (msg.isRequest()) {
                ctx.reply(((String) msg.payload()).toUpperCase());
            }
        }, ServiceOptions.defaults().withName("upper"));
        assertEquals("HELLO", one.call(upper, "hello", Duration.ofSeconds(10)));
        assertEquals(upper, one.lookup("upper@2").orElseThrow());
        assertTrue(one.lookup("nobody@2").isEmpty());

        BlockingQueue<Terminated> notices = new LinkedBlockingQueue<>();
        Handle watcher = one.spawn(() -> new Service() {
            @Override
            public void onStart(Context ctx) {
                ctx.watch(upper);
            }

            @Override
            public void onMessage(Context ctx, Message msg) {
                if (msg.payload() instanceof Terminated t) {
                    notices.add(t);
                } else if (msg.isRequest()) {
                    ctx.reply(ctx.call(upper, "from a service", Duration.ofSeconds(10)));
                }
            }
        });
        assertEquals("FROM A SERVICE", one.call(watcher, "go", Duration.ofSeconds(10)));
        two.stop(upper);
        Terminated t = notices.poll(10, TimeUnit.SECONDS);
        assertEquals(upper, t.service());
        assertEquals(Terminated.Reason.STOPPED, t.reason());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> one.ask(upper, "again", Duration.ofSeconds(10)).toCompletableFuture().get());
        assertInstanceOf(ServiceUnavailableException.class, e.getCause());
    }

    @Test
    void shouldFailAtTheSenderForAnUnregisteredType() {
        List<Node> nodes = mesh(2);
        Handle remote = nodes.get(1).spawn(() -> (ctx, msg) -> ctx.reply("ok"));
        CodecException e = assertThrows(CodecException.class,
                () -> nodes.get(0).send(remote, new Unregistered("x")));
        assertThat(e.getMessage(), containsString(Unregistered.class.getName()));
    }

    /** 100k messages from 4 senders on node 1 to one service on node 2: none lost, order per sender kept. */
    @Test
    void shouldDeliverOneHundredThousandMessagesInOrder() throws Exception {
        List<Node> nodes = mesh(2);
        int senders = 4;
        int per = 25_000;
        CountDownLatch all = new CountDownLatch(senders * per);
        int[] last = new int[senders];
        java.util.Arrays.fill(last, -1);
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        Handle sink = nodes.get(1).spawn(() -> (ctx, msg) -> {
            Seq s = (Seq) msg.payload();
            if (s.n() != last[s.sender()] + 1) {
                violations.add("sender " + s.sender() + ": " + last[s.sender()] + " then " + s.n());
            }
            last[s.sender()] = s.n();
            all.countDown();
        });
        for (int s = 0; s < senders; s++) {
            int id = s;
            nodes.get(0).spawn(() -> new Service() {
                @Override
                public void onStart(Context ctx) {
                    for (int i = 0; i < per; i++) {
                        ctx.send(sink, new Seq(id, i));
                    }
                }

                @Override
                public void onMessage(Context ctx, Message msg) {
                }
            });
        }
        assertTrue(all.await(45, TimeUnit.SECONDS), "delivered " + (senders * per - all.getCount()) + "; "
                + clusters.get(0).stats() + " / " + clusters.get(1).stats() + " / node 1 " + nodes.get(0).stats()
                + " / node 2 " + nodes.get(1).stats());
        assertThat(violations, empty());
    }

    @Test
    void shouldRouteAmongThreeNodes() throws Exception {
        List<Node> nodes = mesh(3);
        // a relay on node 2 calls a service on node 3 for a client on node 1
        Handle adder = nodes.get(2).spawn(() -> (ctx, msg) -> ctx.reply((Integer) msg.payload() + 1),
                ServiceOptions.defaults().withName("adder"));
        Handle relay = nodes.get(1).spawn(() -> (ctx, msg) -> {
            Handle a = ctx.lookup("adder@3").orElseThrow();
            ctx.reply(ctx.call(a, msg.payload(), Duration.ofSeconds(10)));
        });
        assertEquals(42, nodes.get(0).call(relay, 41, Duration.ofSeconds(10)));
        assertEquals(adder, nodes.get(0).lookup("adder@3").orElseThrow());
    }

    /** The receiver cannot decode: the caller gets an error reply at once, not a timeout. */
    @Test
    void shouldAnswerUndecodableRequestWithError() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        Node one = Node.builder().nodeId(1).start();
        Node two = Node.builder().nodeId(2).start();
        toClose.add(one);
        toClose.add(two);
        Cluster.builder(one).inbox(e1).peer(2, e2).codec(codec()).start();
        Cluster c2 = Cluster.builder(two).inbox(e2).peer(1, e1).codec(Codec.builder().build()).start();
        Handle h = two.spawn(() -> (ctx, msg) -> ctx.reply("never"));
        long t0 = System.nanoTime();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> one.ask(h, new Seq(0, 1), Duration.ofSeconds(30)).toCompletableFuture().get());
        assertInstanceOf(CallFailedException.class, e.getCause());
        assertThat(e.getCause().getMessage(), containsString("could not decode"));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10);
        assertEquals(1, c2.stats().undecodable());
    }

    /**
     * Node 2 restarts faster than node 1's down timeout (10 s here): the incarnation in its heartbeat answers
     * still tells node 1 that node 2's old services are gone.
     */
    @Test
    void shouldNoticeAPeerThatRestartedFasterThanTheDownTimeout() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        Node one = Node.builder().nodeId(1).start();
        toClose.add(one);
        Cluster c1 = Cluster.builder(one).inbox(e1).peer(2, e2).codec(codec())
                .heartbeat(Duration.ofMillis(100), Duration.ofSeconds(10)).start();
        Node two = Node.builder().nodeId(2).start();
        Cluster.builder(two).inbox(e2).peer(1, e1).codec(codec()).start();
        Handle old = two.spawn(() -> (ctx, msg) -> ctx.replyToken(), ServiceOptions.defaults().withName("svc"));
        BlockingQueue<Terminated> notices = new LinkedBlockingQueue<>();
        one.spawn(() -> new Service() {
            @Override
            public void onStart(Context ctx) {
                ctx.watch(old);
            }

            @Override
            public void onMessage(Context ctx, Message msg) {
                if (msg.payload() instanceof Terminated t) {
                    notices.add(t);
                }
            }
        });
        awaitUp(c1);
        var pending = one.ask(old, "never answered", Duration.ofSeconds(60)).toCompletableFuture();
        long t0 = System.nanoTime();
        two.close(); // and at once a new node 2 on the same endpoint
        Node twoAgain = Node.builder().nodeId(2).start();
        toClose.add(twoAgain);
        Cluster.builder(twoAgain).inbox(e2).peer(1, e1).codec(codec()).start();
        twoAgain.spawn(() -> (ctx, msg) -> ctx.reply("new " + msg.payload()), ServiceOptions.defaults().withName("svc"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(30, TimeUnit.SECONDS));
        assertInstanceOf(ServiceUnavailableException.class, e.getCause());
        Terminated t = notices.poll(30, TimeUnit.SECONDS);
        assertEquals(old, t.service());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 5_000, "noticed after " + ms + " ms (the down timeout is 10 s)");
        awaitUp(c1);
        assertEquals("new x", one.call(one.lookup("svc@2").orElseThrow(), "x", Duration.ofSeconds(10)));
    }

    private static void awaitUp(Cluster c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (c.peerState(2) != Cluster.PeerState.UP) {
            assertTrue(System.nanoTime() < deadline, "peer 2 did not come up");
            Thread.sleep(5);
        }
    }

    /**
     * A burst far larger than the receiver handles within the down timeout must not make the healthy peer look
     * dead: heartbeats travel on their own connection, not behind the data (the bench found this).
     */
    @Test
    void shouldKeepABusyPeerUpUnderAFlood() throws Exception {
        String e1 = "tcp://127.0.0.1:" + TestPorts.free();
        String e2 = "tcp://127.0.0.1:" + TestPorts.free();
        Node one = Node.builder().nodeId(1).start();
        Node two = Node.builder().nodeId(2).start();
        toClose.add(one);
        toClose.add(two);
        Cluster c1 = Cluster.builder(one).inbox(e1).peer(2, e2).codec(codec()).linkQueueLimit(1_000_000).start();
        Cluster.builder(two).inbox(e2).peer(1, e1).codec(codec()).start();
        int n = 200_000;
        CountDownLatch all = new CountDownLatch(n);
        Handle sink = two.spawn(() -> (ctx, msg) -> all.countDown());
        awaitUp(c1);
        byte[] payload = new byte[100];
        for (int i = 0; i < n; i++) {
            one.send(sink, payload);
        }
        assertTrue(all.await(60, TimeUnit.SECONDS), "delivered " + (n - all.getCount()) + "; " + c1.stats());
        assertEquals(Cluster.PeerState.UP, c1.peerState(2));
        assertEquals(0, c1.stats().link(2).deadLettered(), c1.stats().toString());
    }
}
