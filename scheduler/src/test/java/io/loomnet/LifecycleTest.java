package io.loomnet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Design §2 lifecycle: init buffering, failed init, sealing, children before parents, watch, stale handles. */
@Timeout(60)
class LifecycleTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private static Node node(Dispatcher d, NodeListener l) {
        Node.Builder b = Node.builder().dispatcher(d).pooledWorkers(2).closeTimeout(Duration.ofSeconds(5));
        if (l != null) {
            b.listener(l);
        }
        return b.start();
    }

    /** Messages sent during onStart (even by onStart itself) wait and run after it, in order. */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldBufferMessagesSentDuringStart(Dispatcher d) throws Exception {
        try (Node node = node(d, null)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            CountDownLatch startEntered = new CountDownLatch(1);
            CountDownLatch releaseStart = new CountDownLatch(1);
            CountDownLatch handled = new CountDownLatch(3);
            Handle h = node.spawn(() -> new Service() {
                @Override
                public void onStart(Context ctx) throws Exception {
                    ctx.send(ctx.self(), "from-start");
                    startEntered.countDown();
                    releaseStart.await();
                    seen.add("started");
                }

                @Override
                public void onMessage(Context ctx, Message msg) {
                    seen.add((String) msg.payload());
                    handled.countDown();
                }
            });
            startEntered.await();
            node.send(h, "a");
            node.send(h, "b");
            assertThat(seen, empty());
            releaseStart.countDown();
            assertTrue(handled.await(10, TimeUnit.SECONDS));
            assertThat(seen, contains("started", "from-start", "a", "b"));
        }
    }

    /** A failing onStart: the service never handles anything, waiting messages are dead letters, calls fail. */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldDeadLetterMessagesWhenStartFails(Dispatcher d) throws Exception {
        BlockingQueue<DeadLetter> dead = new LinkedBlockingQueue<>();
        try (Node node = node(d, new NodeListener() {
            @Override
            public void onDeadLetter(DeadLetter dl) {
                dead.add(dl);
            }
        })) {
            CountDownLatch startEntered = new CountDownLatch(1);
            CountDownLatch releaseStart = new CountDownLatch(1);
            List<Object> handled = new CopyOnWriteArrayList<>();
            Handle h = node.spawn(() -> new Service() {
                @Override
                public void onStart(Context ctx) throws Exception {
                    startEntered.countDown();
                    releaseStart.await();
                    throw new IllegalStateException("cannot start");
                }

                @Override
                public void onMessage(Context ctx, Message msg) {
                    handled.add(msg.payload());
                }
            });
            startEntered.await();
            node.send(h, "t1");
            var call = node.ask(h, "q", Duration.ofSeconds(30)).toCompletableFuture();
            node.send(h, "t2");
            releaseStart.countDown();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, call::get);
            assertThat(e.getCause().getClass(), equalTo(ServiceUnavailableException.class));
            assertThat(e.getCause().getMessage(), containsString("failed to start"));
            node.termination(h).ifPresent(t -> t.toCompletableFuture().join());
            List<DeadLetter> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                got.add(dead.poll(10, TimeUnit.SECONDS));
            }
            assertThat(handled, empty());
            for (DeadLetter dl : got) {
                assertEquals(DeadLetter.Reason.START_FAILED, dl.reason());
                assertEquals(h, dl.target());
            }
        }
    }

    /** FIFO per sender/receiver pair, with several senders interleaving. */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldKeepFifoPerSenderReceiverPair(Dispatcher d) throws Exception {
        int senders = 4;
        int perSender = 5_000;
        try (Node node = node(d, null)) {
            CountDownLatch done = new CountDownLatch(senders * perSender);
            int[] last = new int[senders];
            java.util.Arrays.fill(last, -1);
            List<String> violations = Collections.synchronizedList(new ArrayList<>());
            Handle sink = node.spawn(() -> (ctx, msg) -> {
                int[] p = (int[]) msg.payload();
                if (p[1] != last[p[0]] + 1) {
                    violations.add("sender " + p[0] + ": " + last[p[0]] + " then " + p[1]);
                }
                last[p[0]] = p[1];
                done.countDown();
            });
            for (int s = 0; s < senders; s++) {
                int id = s;
                node.spawn(() -> new Service() {
                    @Override
                    public void onStart(Context ctx) {
                        for (int i = 0; i < perSender; i++) {
                            ctx.send(sink, new int[] {id, i});
                        }
                    }

                    @Override
                    public void onMessage(Context ctx, Message msg) {
                    }
                });
            }
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertThat(violations, empty());
        }
    }

    /** Children stop before their parent; onStop order proves it; watchers get Terminated. */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldStopChildrenBeforeParentAndNotifyWatchers(Dispatcher d) throws Exception {
        try (Node node = node(d, null)) {
            List<String> stops = new CopyOnWriteArrayList<>();
            BlockingQueue<Terminated> notices = new LinkedBlockingQueue<>();
            CountDownLatch spawned = new CountDownLatch(1);
            Handle[] kids = new Handle[2];
            Handle parent = node.spawn(() -> new Service() {
                @Override
                public void onStart(Context ctx) {
                    for (int i = 0; i < 2; i++) {
                        int id = i;
                        kids[i] = ctx.spawn(() -> new Service() {
                            @Override
                            public void onMessage(Context c, Message m) {
                            }

                            @Override
                            public void onStop(Context c) {
                                stops.add("child" + id);
                            }
                        });
                    }
                    spawned.countDown();
                }

                @Override
                public void onMessage(Context ctx, Message msg) {
                }

                @Override
                public void onStop(Context ctx) {
                    stops.add("parent");
                }
            });
            spawned.await();
            Handle watcher = node.spawn(() -> new Service() {
                @Override
                public void onStart(Context ctx) {
                    ctx.watch(parent);
                    ctx.watch(kids[0]);
                }

                @Override
                public void onMessage(Context ctx, Message msg) {
                    if (msg.payload() instanceof Terminated t) {
                        notices.add(t);
                    } else if (msg.isRequest()) {
                        ctx.reply("watching");
                    }
                }
            });
            assertEquals("watching", node.call(watcher, "sync", SECOND)); // onStart (the watches) has run
            assertTrue(node.stop(parent));
            node.termination(parent).ifPresent(t -> t.toCompletableFuture().join());
            assertEquals("parent", stops.get(2));
            assertThat(stops.subList(0, 2).containsAll(List.of("child0", "child1")), equalTo(true));
            Terminated first = notices.poll(10, TimeUnit.SECONDS);
            Terminated second = notices.poll(10, TimeUnit.SECONDS);
            assertEquals(kids[0], first.service(), "child terminates first");
            assertEquals(parent, second.service());
            assertEquals(Terminated.Reason.STOPPED, second.reason());
            assertTrue(node.lookup(parent.toString()).isPresent()); // printed handles always parse
            assertTrue(node.stats(parent).isEmpty(), "retired");
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldNotifyAtOnceWhenWatchingUnknownService(Dispatcher d) throws Exception {
        try (Node node = node(d, null)) {
            BlockingQueue<Terminated> notices = new LinkedBlockingQueue<>();
            Handle ghost = Handle.of(node.id(), 123_456);
            node.spawn(() -> new Service() {
                @Override
                public void onStart(Context ctx) {
                    ctx.watch(ghost);
                }

                @Override
                public void onMessage(Context ctx, Message msg) {
                    notices.add((Terminated) msg.payload());
                }
            });
            Terminated t = notices.poll(10, TimeUnit.SECONDS);
            assertEquals(ghost, t.service());
            assertEquals(Terminated.Reason.UNKNOWN, t.reason());
        }
    }

    /** Sequences are never reused: a handle of a dead service never reaches a newer one. */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldNeverDeliverStaleHandleToNewerService(Dispatcher d) throws Exception {
        BlockingQueue<DeadLetter> dead = new LinkedBlockingQueue<>();
        try (Node node = node(d, new NodeListener() {
            @Override
            public void onDeadLetter(DeadLetter dl) {
                dead.add(dl);
            }
        })) {
            List<Object> newerGot = new CopyOnWriteArrayList<>();
            List<Handle> old = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Handle h = node.spawn(() -> (ctx, msg) -> { });
                old.add(h);
                node.stop(h);
                node.termination(h).ifPresent(t -> t.toCompletableFuture().join());
            }
            List<Handle> newer = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                newer.add(node.spawn(() -> (ctx, msg) -> {
                    if (msg.isRequest()) {
                        ctx.reply("ok");
                    } else {
                        newerGot.add(msg.payload());
                    }
                }));
            }
            for (Handle h : old) {
                node.send(h, "stale");
                assertFalse(newer.contains(h));
            }
            for (int i = 0; i < old.size(); i++) {
                DeadLetter dl = dead.poll(10, TimeUnit.SECONDS);
                assertEquals(DeadLetter.Reason.UNKNOWN_TARGET, dl.reason());
            }
            for (Handle h : newer) {
                assertEquals("ok", node.call(h, "sync", SECOND)); // everything sent before has been handled
            }
            assertThat(newerGot.stream().filter("stale"::equals).toList(), empty());
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldRejectDuplicateNames(Dispatcher d) {
        try (Node node = node(d, null)) {
            Handle a = node.spawn(() -> (ctx, msg) -> ctx.reply("a"), ServiceOptions.defaults().withName("db"));
            NameTakenException e = assertThrows(NameTakenException.class,
                    () -> node.spawn(() -> (ctx, msg) -> { }, ServiceOptions.defaults().withName("db")));
            assertThat(e.getMessage(), containsString(a.toString()));
            assertEquals(a, node.lookup("db").orElseThrow());
            assertEquals("a", node.ask("db", "q", SECOND).toCompletableFuture().join());
            node.stop(a);
            node.termination(a).ifPresent(t -> t.toCompletableFuture().join());
            assertTrue(node.lookup("db").isEmpty(), "names are removed when the service terminates");
        }
    }

    /** A stop while onStart waits in a call: the call is cancelled, onStart unwinds, nothing hangs. */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldStopServiceWhoseOnStartWaitsInACall(Dispatcher d) throws Exception {
        try (Node node = node(d, null)) {
            CountDownLatch calling = new CountDownLatch(1);
            Handle silent = node.spawn(() -> (ctx, msg) -> ctx.replyToken()); // never answers
            List<Object> handled = new CopyOnWriteArrayList<>();
            Handle h = node.spawn(() -> new Service() {
                @Override
                public void onStart(Context ctx) {
                    calling.countDown();
                    ctx.call(silent, "wait-forever", Duration.ofMinutes(10));
                }

                @Override
                public void onMessage(Context ctx, Message msg) {
                    handled.add(msg.payload());
                }
            });
            assertTrue(calling.await(10, TimeUnit.SECONDS));
            node.send(h, "queued");
            var term = node.termination(h).orElseThrow().toCompletableFuture();
            assertTrue(node.kill(h));
            term.get(10, TimeUnit.SECONDS);
            assertThat(handled, empty());
        }
    }

    @org.junit.jupiter.api.Test
    @Timeout(30)
    void shouldRefuseToKillOrStopAServiceOnAnotherNodeWithAClearError() {
        try (Node node = Node.builder().nodeId(1).start()) {
            Handle remote = Handle.of(2, 5);
            IllegalArgumentException kill = assertThrows(IllegalArgumentException.class, () -> node.kill(remote));
            assertThat(kill.getMessage(), containsString("cannot kill " + remote + ": it is on node 2"));
            IllegalArgumentException stop = assertThrows(IllegalArgumentException.class, () -> node.stop(remote));
            assertThat(stop.getMessage(), containsString("cannot stop " + remote));
            BlockingQueue<Object> fromService = new LinkedBlockingQueue<>();
            Handle h = node.spawn(() -> (ctx, msg) -> {
                try {
                    fromService.add(ctx.kill(remote));
                } catch (IllegalArgumentException e) {
                    fromService.add(e);
                }
            });
            node.send(h, "go");
            Object seen = pollTenSeconds(fromService);
            assertTrue(seen instanceof IllegalArgumentException, String.valueOf(seen));
        }
    }

    private static Object pollTenSeconds(BlockingQueue<Object> q) {
        try {
            Object o = q.poll(10, TimeUnit.SECONDS);
            assertTrue(o != null, "the service answered within 10 s");
            return o;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
