package io.loomnet.demo;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.loomnet.Context;
import io.loomnet.Dispatcher;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.Service;
import io.loomnet.ServiceOptions;
import io.loomnet.Supervision;
import io.loomnet.Terminated;
import io.loomnet.scope.CloseReport;

/** A self-contained tour of the scheduler, in plain words. Exits 0 when every step did what it says. */
public final class Demo {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private Demo() {
    }

    record Ping(int n) {
    }

    record Pong(int n) {
    }

    /**
     * Runs the tour.
     *
     * @param args ignored
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        say("Loomnet demo: Skynet's service model on Java virtual threads.");
        try (Node node = Node.builder().nodeId(1).dispatcher(Dispatcher.VIRTUAL).start()) {
            pingPong(node);
            callChain(node);
            supervision(node);
            watch(node);
            cluster(node);
            say("");
            say("Closing the node: intake, transport, services (children first), timers, dispatchers.");
            CloseReport report = node.shutdown();
            say("  closed in %d ms; stopped %s%s", report.elapsedNanos() / 1_000_000, report.stopped(),
                    report.clean() ? "" : "; NOT clean: " + report);
            if (!report.clean()) {
                System.exit(1);
            }
        }
        say("Done in %d ms.", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void pingPong(Node node) throws InterruptedException {
        say("");
        say("1. Ping-pong: two services pass a counter back and forth 10,000 times.");
        CountDownLatch done = new CountDownLatch(1);
        Handle pong = node.spawn(() -> (ctx, msg) -> {
            if (msg.payload() instanceof Ping p) {
                ctx.send(ctx.sender(), new Pong(p.n()));
            }
        }, ServiceOptions.defaults().withName("pong"));
        node.spawn(() -> new Service() {
            @Override
            public void onStart(Context ctx) {
                ctx.send(pong, new Ping(1));
            }

            @Override
            public void onMessage(Context ctx, Message msg) {
                if (msg.payload() instanceof Pong p) {
                    if (p.n() == 10_000) {
                        done.countDown();
                    } else {
                        ctx.send(pong, new Ping(p.n() + 1));
                    }
                }
            }
        });
        long t0 = System.nanoTime();
        check(done.await(30, TimeUnit.SECONDS), "ping-pong finished");
        say("   20,000 messages in %d ms. 'pong' is registered by name: lookup(\"pong\") = %s",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), node.lookup("pong").orElseThrow());
    }

    private static void callChain(Node node) {
        say("");
        say("2. A call chain: A calls B, B calls C, and C calls A back while A is still waiting.");
        say("   A's handler blocks in call(), but A keeps serving, so the cycle completes (no deadlock).");
        Handle a = node.spawn(() -> (ctx, msg) -> {
            if ("start".equals(msg.payload())) {
                Handle b = ctx.lookup("b").orElseThrow();
                ctx.reply("A got: " + ctx.call(b, ctx.self(), TIMEOUT));
            } else {
                ctx.reply("a-is-alive");
            }
        });
        node.spawn(() -> (ctx, msg) -> {
            Handle c = ctx.lookup("c").orElseThrow();
            ctx.reply("B got: " + ctx.call(c, msg.payload(), TIMEOUT));
        }, ServiceOptions.defaults().withName("b"));
        node.spawn(() -> (ctx, msg) -> {
            Handle caller = (Handle) msg.payload();
            ctx.reply("C asked A and heard: " + ctx.call(caller, "are you there?", TIMEOUT));
        }, ServiceOptions.defaults().withName("c"));
        Object answer = node.call(a, "start", TIMEOUT);
        say("   %s", answer);
        check(String.valueOf(answer).endsWith("a-is-alive"), "call chain");
    }

    private static void supervision(Node node) {
        say("");
        say("3. Supervision: a counter that crashes on 'crash', restarted fresh by its RESTART policy.");
        Handle counter = node.spawn(() -> new Service() {
            private int count;

            @Override
            public void onStart(Context ctx) {
                ctx.log().info("counter starting");
            }

            @Override
            public void onMessage(Context ctx, Message msg) {
                if ("crash".equals(msg.payload())) {
                    throw new IllegalStateException("asked to crash");
                }
                ctx.reply(++count);
            }
        }, ServiceOptions.defaults().withSupervision(
                Supervision.restart(3, Duration.ofMinutes(1), Duration.ofMillis(50), Duration.ofSeconds(1))));
        node.call(counter, "inc", TIMEOUT);
        Object two = node.call(counter, "inc", TIMEOUT);
        say("   count is %s; now it crashes...", two);
        node.send(counter, "crash");
        Object afterRestart = node.call(counter, "inc", TIMEOUT);
        say("   ...and after a 50 ms backoff a fresh instance answers: count is %s (restarts: %d)", afterRestart,
                node.stats(counter).orElseThrow().restarts());
        check(Integer.valueOf(1).equals(afterRestart), "restart gives a fresh instance");
    }

    private static void watch(Node node) throws InterruptedException {
        say("");
        say("4. Watch: a watcher learns when a worker dies; a call to the dead worker fails at once.");
        CountDownLatch noticed = new CountDownLatch(1);
        Handle worker = node.spawn(() -> (ctx, msg) -> ctx.reply("working"));
        node.spawn(() -> new Service() {
            @Override
            public void onStart(Context ctx) {
                ctx.watch(worker);
            }

            @Override
            public void onMessage(Context ctx, Message msg) {
                if (msg.payload() instanceof Terminated t) {
                    say("   watcher: %s terminated (%s: %s)", t.service(), t.reason(), t.detail());
                    noticed.countDown();
                }
            }
        });
        say("   worker says: %s", node.call(worker, "hello", TIMEOUT));
        node.kill(worker);
        check(noticed.await(10, TimeUnit.SECONDS), "watcher notified");
        try {
            node.call(worker, "hello again", TIMEOUT);
            check(false, "call to a dead service fails");
        } catch (RuntimeException e) {
            say("   calling it now fails at once: %s", e.getMessage());
        }
    }

    private static void cluster(Node node) throws Exception {
        say("");
        say("5. Two nodes linked over ZeroMQ on loopback: node 1 calls 'upper@2' like a local service.");
        int p1 = freePort();
        int p2 = freePort();
        io.loomnet.transport.zmq.codec.Codec codec = io.loomnet.transport.zmq.codec.Codec.builder().build();
        io.loomnet.transport.zmq.cluster.Cluster c1;
        try (Node two = Node.builder().nodeId(2).start()) {
            c1 = io.loomnet.transport.zmq.cluster.Cluster.builder(node).inbox("tcp://127.0.0.1:" + p1)
                    .peer(2, "tcp://127.0.0.1:" + p2).codec(codec).start();
            io.loomnet.transport.zmq.cluster.Cluster.builder(two).inbox("tcp://127.0.0.1:" + p2)
                    .peer(1, "tcp://127.0.0.1:" + p1).codec(codec).start();
            two.spawn(() -> (ctx, msg) -> ctx.reply(((String) msg.payload()).toUpperCase()),
                    ServiceOptions.defaults().withName("upper"));
            awaitPeer(c1, io.loomnet.transport.zmq.cluster.Cluster.PeerState.UP);
            Handle upper = node.lookup("upper@2").orElseThrow();
            say("   node 1 looked up upper@2 = %s (a handle of node %d)", upper, upper.node());
            Object answer = node.call(upper, "hello from node 1", TIMEOUT);
            say("   node 2 answered: %s", answer);
            check("HELLO FROM NODE 1".equals(answer), "remote call");
            say("   closing node 2...");
        }
        long t0 = System.nanoTime();
        // A clean close tells the peers: node 1 marks node 2 LEFT at once, without waiting out its failure detector.
        awaitPeer(c1, io.loomnet.transport.zmq.cluster.Cluster.PeerState.LEFT);
        say("   ...node 2 told node 1 it was leaving; node 1 marked it LEFT %d ms later, and calls to it now fail at"
                + " once.", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static void awaitPeer(io.loomnet.transport.zmq.cluster.Cluster c,
                                  io.loomnet.transport.zmq.cluster.Cluster.PeerState state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.peerState(2) != state) {
            check(System.nanoTime() < deadline, "node 2 " + state + " within 10 s (it is " + c.peerState(2) + ")");
            Thread.sleep(10);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("DEMO FAILED: " + what);
            System.exit(1);
        }
    }

    private static void say(String format, Object... args) {
        System.out.println(args.length == 0 ? format : String.format(format, args));
    }
}
