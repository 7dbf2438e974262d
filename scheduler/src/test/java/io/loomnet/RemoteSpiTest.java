package io.loomnet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.spi.RemoteInbox;
import io.loomnet.spi.RemoteRouter;

/**
 * The remote SPI wired between two nodes in one JVM by an in-memory router (one ordered lane per
 * direction), proving the node side of location transparency without any network: remote call, watch,
 * name@node, and a lost node failing calls and notifying watchers.
 */
@Timeout(30)
class RemoteSpiTest {
    /** A payload the loopback router cannot carry, as a cluster cannot carry a type its codec does not know. */
    record Unsendable(String what) {
    }

    /**
     * Delivers to the peer's inbox on one thread per direction (keeps order); can be cut to simulate loss. Throws on
     * an {@link Unsendable} payload, as a router's codec does on the sending thread.
     */
    static final class LoopbackRouter implements RemoteRouter {
        final ExecutorService lane = Executors.newSingleThreadExecutor();
        volatile RemoteInbox peer;
        volatile boolean up = true;

        @Override
        public boolean route(Handle source, Handle target, MessageType type, long session, Object payload) {
            if (!up) {
                return false;
            }
            if (payload instanceof Unsendable u) {
                throw new IllegalArgumentException("no codec for " + Unsendable.class.getName() + " (" + u.what() + ")");
            }
            lane.execute(() -> peer.deliver(source, target, type, session, payload));
            return true;
        }

        @Override
        public void watch(Handle watcher, Handle target) {
            lane.execute(() -> peer.watch(watcher, target));
        }

        @Override
        public void unwatch(Handle watcher, Handle target) {
            lane.execute(() -> peer.unwatch(watcher, target));
        }

        @Override
        public Optional<Handle> lookup(int node, String name, Duration timeout) {
            return up ? Optional.ofNullable(peer.lookupLocal(name)) : Optional.empty();
        }
    }

    private Node one;
    private Node two;
    private LoopbackRouter oneToTwo;
    private RemoteInbox inboxOne;

    @BeforeEach
    void link() {
        one = Node.builder().nodeId(1).start();
        two = Node.builder().nodeId(2).start();
        oneToTwo = new LoopbackRouter();
        LoopbackRouter twoToOne = new LoopbackRouter();
        inboxOne = one.attachRemote(oneToTwo);
        RemoteInbox inboxTwo = two.attachRemote(twoToOne);
        oneToTwo.peer = inboxTwo;
        twoToOne.peer = inboxOne;
    }

    @AfterEach
    void close() {
        one.close();
        two.close();
        oneToTwo.lane.shutdownNow();
    }

    @Test
    void shouldCallAndWatchRemoteServicesLikeLocalOnes() throws Exception {
        Handle upper = two.spawn(() -> (ctx, msg) -> ctx.reply(((String) msg.payload()).toUpperCase()),
                ServiceOptions.defaults().withName("upper"));
        BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        Handle client = one.spawn(() -> (ctx, msg) -> {
            if (msg.payload() instanceof Terminated t) {
                seen.add(t);
            } else if (msg.isRequest()) {
                Handle remote = ctx.lookup("upper@2").orElseThrow();
                ctx.watch(remote);
                ctx.reply(ctx.call(remote, "hello", Duration.ofSeconds(5)));
            }
        });
        assertEquals("HELLO", one.call(client, "go", Duration.ofSeconds(10)));
        assertEquals(upper, one.lookup("upper@2").orElseThrow());
        two.stop(upper);
        Terminated t = (Terminated) seen.poll(10, TimeUnit.SECONDS);
        assertEquals(upper, t.service());
        assertEquals(Terminated.Reason.STOPPED, t.reason());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> one.ask(upper, "x", Duration.ofSeconds(5)).toCompletableFuture().get());
        assertInstanceOf(ServiceUnavailableException.class, e.getCause());
    }

    @Test
    void shouldFailPendingCallsAndNotifyWatchersWhenNodeIsLost() throws Exception {
        Handle silent = two.spawn(() -> (ctx, msg) -> ctx.replyToken()); // never answers
        BlockingQueue<Terminated> seen = new LinkedBlockingQueue<>();
        one.spawn(() -> new Service() {
            @Override
            public void onStart(Context ctx) {
                ctx.watch(silent);
            }

            @Override
            public void onMessage(Context ctx, Message msg) {
                seen.add((Terminated) msg.payload());
            }
        });
        var pending = one.ask(silent, "q", Duration.ofSeconds(60)).toCompletableFuture();
        // the request reached node 2 before the link is cut
        assertTrue(awaitHandled(two, silent));
        oneToTwo.up = false;
        long t0 = System.nanoTime();
        inboxOne.nodeDown(2, "heartbeat lost");
        ExecutionException e = assertThrows(ExecutionException.class, pending::get);
        assertInstanceOf(ServiceUnavailableException.class, e.getCause());
        assertThat(e.getCause().getMessage(), containsString("node 2 is unreachable"));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 5);
        Terminated t = seen.poll(10, TimeUnit.SECONDS);
        assertEquals(Terminated.Reason.NODE_UNREACHABLE, t.reason());
        // sends to the lost node are dead-lettered, calls fail at once
        ExecutionException again = assertThrows(ExecutionException.class,
                () -> one.ask(silent, "q", Duration.ofSeconds(60)).toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertThat(again.getCause().getMessage(), containsString("unreachable"));
    }

    @Test
    void shouldFailARemoteCallerAtOnceWhenTheReplyCannotBeSent() {
        Handle direct = two.spawn(() -> (ctx, msg) -> ctx.reply(new Unsendable("reply")));
        Handle viaToken = two.spawn(() -> (ctx, msg) -> ctx.replyToken().reply(new Unsendable("token")));
        for (Handle h : java.util.List.of(direct, viaToken)) {
            // Far longer than the test may run: only an error reply sent at once ends the call in time.
            CallFailedException e = assertThrows(CallFailedException.class,
                    () -> one.call(h, "q", Duration.ofSeconds(120)));
            assertThat(e.getMessage(), containsString("could not send its reply (" + Unsendable.class.getName()));
            assertThat(e.getMessage(), containsString("no codec for"));
        }
    }

    @Test
    void shouldLeaveNoPendingCallBehindWhenTheRequestCannotBeSent() throws Exception {
        Handle echo = two.spawn(() -> (ctx, msg) -> ctx.reply(msg.payload()));
        assertThrows(IllegalArgumentException.class,
                () -> one.call(echo, new Unsendable("call"), Duration.ofSeconds(120)));
        assertThrows(IllegalArgumentException.class,
                () -> one.ask(echo, new Unsendable("ask"), Duration.ofSeconds(120)));
        Handle caller = one.spawn(() -> (ctx, msg) -> {
            try {
                ctx.call(echo, new Unsendable("ctx.call"), Duration.ofSeconds(120));
                ctx.reply("sent?");
            } catch (IllegalArgumentException e) {
                ctx.reply("refused");
            }
        });
        assertEquals("refused", one.call(caller, "go", Duration.ofSeconds(10)));
        assertEquals(0, one.stats().pendingCalls(), one.stats().toString());
        assertEquals("q", one.call(echo, "q", Duration.ofSeconds(10)));
    }

    private static boolean awaitHandled(Node node, Handle h) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (node.stats(h).map(s -> s.handled() > 0).orElse(false)) {
                return true;
            }
            Thread.sleep(1);
        }
        return false;
    }
}
