package io.loomnet.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.ReplyToken;
import io.loomnet.Service;
import io.loomnet.ServiceOptions;
import io.loomnet.Terminated;

/**
 * A service whose inbox is a blocking queue read by the test: every message it receives (tells, requests,
 * timers, and system messages such as {@link Terminated}) is queued, in arrival order, and taken off by the
 * {@code expect...} methods. Requests are held open so the test can {@link #reply} to them.
 *
 * <pre>{@code
 * Probe probe = Probe.create(node);
 * node.send(echo, new Echo(probe.handle(), "hi"));
 * assertEquals("hi", probe.expectMessage(String.class, Duration.ofSeconds(1)));
 * probe.expectNoMessage(Duration.ofMillis(100));
 * }</pre>
 *
 * <p>The {@code expect...} methods are strict, like Akka's: each takes the <em>next</em> message and fails if it
 * does not match, naming what was expected and what arrived. Failures are {@link AssertionError}s.
 *
 * <p><b>Threading.</b> {@code expect...}, {@link #lastMessage()} and {@link #reply(Object)} read and move the
 * probe's cursor: call them from one thread at a time (normally the test thread). {@link #send}, {@link #ask},
 * {@link #watch}, {@link #reply(Message, Object)} and {@link #close()} are thread-safe.
 */
public final class Probe implements AutoCloseable {
    /** Probes alive in this JVM; the JUnit extension does not count them as services left running. */
    private static final Set<Handle> LIVE = ConcurrentHashMap.newKeySet();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Node node;
    private final Handle handle;
    private final String label;
    private final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    private final Map<Message, ReplyToken> openRequests = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ProbeService service;
    private Message last;

    private Probe(Node node, ServiceOptions options) {
        this.node = Objects.requireNonNull(node, "node");
        this.service = new ProbeService();
        this.handle = node.spawn(() -> service, options);
        LIVE.add(handle);
        this.label = "probe " + handle + options.name().map(n -> " ('" + n + "')").orElse("");
        service.awaitStarted(label);
    }

    /**
     * Spawns an anonymous probe.
     *
     * @param node the node to spawn it on
     * @return the probe, started
     */
    public static Probe create(Node node) {
        return new Probe(node, ServiceOptions.defaults());
    }

    /**
     * Spawns a probe registered under a local name, for example to stand in for a service that others look
     * up by name.
     *
     * @param node the node
     * @param name the local name
     * @return the probe, started
     */
    public static Probe create(Node node, String name) {
        return new Probe(node, ServiceOptions.defaults().withName(name));
    }

    /**
     * @param handle a service handle
     * @return {@code true} if it is a probe that has not been closed
     */
    public static boolean isProbe(Handle handle) {
        return LIVE.contains(handle);
    }

    /** @return the probe's handle: give it to services as a reply-to address */
    public Handle handle() {
        return handle;
    }

    /** @return the node the probe runs on */
    public Node node() {
        return node;
    }

    /**
     * Takes the next message, whatever it is.
     *
     * @param timeout how long to wait
     * @return the message
     * @throws AssertionError if nothing arrived in time
     */
    public Message expectMessage(Duration timeout) {
        return next("any message", timeout);
    }

    /**
     * Takes the next message and checks that its payload is a {@code type}.
     *
     * @param type the expected payload type
     * @param timeout how long to wait
     * @param <T> the payload type
     * @return the payload
     * @throws AssertionError if nothing arrived in time or the payload is something else
     */
    public <T> T expectMessage(Class<T> type, Duration timeout) {
        Objects.requireNonNull(type, "type");
        String what = "a message with a " + type.getName() + " payload";
        Message m = next(what, timeout);
        if (!type.isInstance(m.payload())) {
            throw mismatch(what, timeout, m);
        }
        return type.cast(m.payload());
    }

    /**
     * Takes the next message and checks it against a predicate.
     *
     * @param description what the predicate expects, for the failure message
     * @param predicate the check
     * @param timeout how long to wait
     * @return the message
     * @throws AssertionError if nothing arrived in time or the message does not match
     */
    public Message expectMessage(String description, Predicate<? super Message> predicate, Duration timeout) {
        Objects.requireNonNull(predicate, "predicate");
        Message m = next(description, timeout);
        boolean ok;
        try {
            ok = predicate.test(m);
        } catch (RuntimeException e) {
            throw new AssertionError(label + ": the check for " + description + " threw " + e + " on "
                    + describe(m), e);
        }
        if (!ok) {
            throw mismatch(description, timeout, m);
        }
        return m;
    }

    /**
     * Takes the next message and checks that it equals {@code payload}.
     *
     * @param payload the expected payload ({@link Object#equals}; arrays by content)
     * @param timeout how long to wait
     * @return the message
     * @throws AssertionError if nothing arrived in time or the payload differs
     */
    public Message expectPayload(Object payload, Duration timeout) {
        return expectMessage("a message with payload " + render(payload),
                m -> Objects.deepEquals(payload, m.payload()), timeout);
    }

    /**
     * Checks that nothing arrives for {@code duration}.
     *
     * @param duration how long to watch
     * @throws AssertionError naming the message if one arrived
     */
    public void expectNoMessage(Duration duration) {
        Message m = poll(duration);
        if (m != null) {
            last = m;
            throw new AssertionError(label + ": expected no message for " + duration + ", but received "
                    + describe(m));
        }
    }

    /**
     * Watches {@code target} (if not yet watched) and takes the next message, which must be its
     * {@link Terminated} notice.
     *
     * @param target the service expected to terminate
     * @param timeout how long to wait
     * @return the notice
     * @throws AssertionError if no notice arrived in time or another message came first
     */
    public Terminated expectTerminated(Handle target, Duration timeout) {
        Objects.requireNonNull(target, "target");
        watch(target);
        String what = "Terminated(" + target + ")";
        Message m = next(what, timeout);
        if (m.payload() instanceof Terminated t && t.service().equals(target)) {
            return t;
        }
        throw mismatch(what, timeout, m);
    }

    /**
     * Watches a service: its {@link Terminated} notice will arrive at this probe. Watching twice delivers one
     * notice.
     *
     * @param target the service
     */
    public void watch(Handle target) {
        service.ctx.watch(target);
    }

    /**
     * Sends a one-way message with this probe as the source.
     *
     * @param to the receiver
     * @param payload the content
     */
    public void send(Handle to, Object payload) {
        service.ctx.send(to, payload);
    }

    /**
     * Sends a request with this probe as the caller.
     *
     * @param to the receiver
     * @param request the request
     * @param timeout how long the reply may take
     * @return the pending reply
     */
    public CompletionStage<Object> ask(Handle to, Object request, Duration timeout) {
        return service.ctx.ask(to, request, timeout);
    }

    /**
     * Answers the last message taken by an {@code expect...} method, which must be a request.
     *
     * @param payload the reply
     * @throws IllegalStateException if no message was taken yet, or it is not an open request
     */
    public void reply(Object payload) {
        if (last == null) {
            throw new IllegalStateException(label + ": reply() before any message was received");
        }
        reply(last, payload);
    }

    /**
     * Answers a request this probe received.
     *
     * @param request the request message, as returned by {@code expectMessage}
     * @param payload the reply
     * @throws IllegalStateException if it is not a request, or it was already answered
     */
    public void reply(Message request, Object payload) {
        ReplyToken t = openRequests.remove(request);
        if (t == null) {
            throw new IllegalStateException(label + ": cannot reply to " + describe(request)
                    + (request.isRequest() ? ": already answered" : ": it is not a request"));
        }
        t.reply(payload);
    }

    /** @return the last message taken by an {@code expect...} method, or {@code null} if none */
    public Message lastMessage() {
        return last;
    }

    /** @return messages received and not yet taken, oldest first; does not take them */
    public List<Message> pending() {
        return new ArrayList<>(inbox);
    }

    /** Stops the probe service. Idempotent; open requests are answered with an error by the runtime. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            LIVE.remove(handle);
            node.stop(handle);
        }
    }

    @Override
    public String toString() {
        return label;
    }

    private Message next(String what, Duration timeout) {
        Message m = poll(timeout);
        if (m == null) {
            throw new AssertionError(label + ": expected " + what + " within " + timeout + ", but nothing arrived"
                    + (last == null ? "" : " (last message taken: " + describe(last) + ")"));
        }
        last = m;
        return m;
    }

    private Message poll(Duration timeout) {
        try {
            return inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(label + ": interrupted while waiting for a message", e);
        }
    }

    private AssertionError mismatch(String what, Duration timeout, Message m) {
        return new AssertionError(label + ": expected " + what + " within " + timeout + ", but received "
                + describe(m));
    }

    /**
     * @param m a message
     * @return a one-line description: type, payload class and value, source
     */
    static String describe(Message m) {
        return m.type() + " " + m.payloadType() + " " + render(m.payload()) + " from " + m.source();
    }

    private static String render(Object payload) {
        String s;
        if (payload instanceof byte[] b) {
            s = Arrays.toString(b);
        } else if (payload instanceof Object[] a) {
            s = Arrays.deepToString(a);
        } else {
            s = String.valueOf(payload);
        }
        return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
    }

    /** The service side: queues everything, holds requests open. */
    private final class ProbeService implements Service {
        private final CountDownLatch started = new CountDownLatch(1);
        private volatile Context ctx;

        @Override
        public void onStart(Context ctx) {
            this.ctx = ctx;
            started.countDown();
        }

        @Override
        public void onMessage(Context ctx, Message msg) {
            if (msg.isRequest()) {
                openRequests.put(msg, ctx.replyToken());
            }
            inbox.add(msg);
        }

        @Override
        public void onStop(Context ctx) {
            LIVE.remove(ctx.self());
        }

        void awaitStarted(String label) {
            try {
                if (!started.await(START_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new AssertionError(label + " did not start within " + START_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(label + ": interrupted while starting", e);
            }
        }
    }
}
