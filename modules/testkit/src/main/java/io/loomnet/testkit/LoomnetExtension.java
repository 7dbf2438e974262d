package io.loomnet.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import io.loomnet.Dispatcher;
import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceStats;
import io.loomnet.scope.CloseReport;

/**
 * JUnit 5 extension that gives each test a fresh {@link Node} and checks that the test left nothing behind.
 *
 * <pre>{@code
 * @ExtendWith(LoomnetExtension.class)
 * class EchoTest {
 *     @Test
 *     void shouldEcho(Node node, Probe probe) { ... }
 * }
 *
 * // or, to configure it:
 * @RegisterExtension
 * static final LoomnetExtension LOOMNET = LoomnetExtension.builder().dispatcher(Dispatcher.POOLED).build();
 * }</pre>
 *
 * <p>Test methods (and {@code @BeforeEach}/{@code @AfterEach} methods) may take parameters of type {@link Node}
 * (the test's node; the same one for every parameter of one test) and {@link Probe} (a fresh probe on that
 * node per parameter). Each node gets its own id, so its threads ({@code loomnet-<id>-...}) are told apart from
 * other tests'.
 *
 * <p>After each test the extension fails it with an {@link AssertionError} listing every problem found:
 * <ol>
 *   <li>services, other than probes, not yet stopping when the test ended (new, starting, running or
 *   restarting; waiting up to
 *   {@link Builder#stopGrace} for services already asked to stop);</li>
 *   <li>a close report that is not {@linkplain CloseReport#clean() clean};</li>
 *   <li>threads whose names start with {@code loomnet-<id>-}, virtual ones included, still alive after close
 *   (waiting up to {@link Builder#threadGrace} for threads that are finishing).</li>
 * </ol>
 * The node is closed even when the test itself failed; the extension's findings are then added to the
 * test's failure as suppressed exceptions by JUnit.
 *
 * <p><b>Threading.</b> An instance may be shared by tests running in parallel: each test's node lives in
 * that test's {@link ExtensionContext}. {@link #node()} is the exception: it returns the node of the test
 * that started last and is meant for sequential tests only.
 */
public final class LoomnetExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LoomnetExtension.class);
    private static final String NODE_KEY = "node";
    /** States of services that are done or on their way out; every other state (NEW, STARTING, ...) is "running". */
    private static final Set<String> ENDING_STATES = Set.of("STOPPING", "TERMINATED");
    /** Node ids handed out to tests: a range ordinary tests do not use, so thread names never collide. */
    private static final int FIRST_ID = 40_000;
    private static final AtomicInteger NEXT_ID = new AtomicInteger(FIRST_ID);

    private final Builder settings;
    private volatile Node current;

    /** An extension with the defaults of {@link #builder()}; this is what {@code @ExtendWith} uses. */
    public LoomnetExtension() {
        this(new Builder());
    }

    private LoomnetExtension(Builder settings) {
        this.settings = settings.copy();
    }

    /** @return a builder for {@code @RegisterExtension} use */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the node of the test that started last (sequential tests only; prefer a {@link Node} parameter)
     * @throws IllegalStateException outside a test
     */
    public Node node() {
        Node n = current;
        if (n == null) {
            throw new IllegalStateException("LoomnetExtension.node() called outside a test");
        }
        return n;
    }

    /**
     * @return a node id that no other test of this JVM is using; for tests that start extra nodes themselves
     */
    public static int freshNodeId() {
        return NEXT_ID.getAndUpdate(i -> i >= Handle.MAX_NODE ? FIRST_ID : i + 1);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        nodeFor(context);
    }

    private Node nodeFor(ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent(NODE_KEY, k -> {
            Node.Builder b = Node.builder().nodeId(freshNodeId()).dispatcher(settings.dispatcher)
                    .closeTimeout(settings.closeTimeout);
            Node n = settings.customizer.apply(b).start();
            current = n;
            return n;
        }, Node.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == Node.class || type == Probe.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        if (extensionContext.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("LoomnetExtension injects Node and Probe into test methods and "
                    + "@BeforeEach/@AfterEach methods only, not into " + parameterContext.getDeclaringExecutable());
        }
        Node node = nodeFor(extensionContext);
        return parameterContext.getParameter().getType() == Node.class ? node : Probe.create(node);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Node node = context.getStore(NS).remove(NODE_KEY, Node.class);
        if (node == null) {
            return;
        }
        if (current == node) {
            current = null;
        }
        String test = context.getDisplayName();
        List<String> problems = new ArrayList<>();
        if (!settings.allowServicesLeftRunning) {
            List<String> running = servicesLeftRunning(node, settings.stopGrace);
            if (!running.isEmpty()) {
                problems.add(running.size() + " service(s) still running when the test ended (stop them, or use "
                        + "LoomnetExtension.builder().allowServicesLeftRunning()): " + running);
            }
        }
        CloseReport report = node.shutdown();
        if (!report.clean()) {
            problems.add("node " + node.id() + " did not close cleanly: " + report);
        }
        List<String> threads = threadsLeft("loomnet-" + node.id() + "-", settings.threadGrace);
        if (!threads.isEmpty()) {
            problems.add(threads.size() + " thread(s) named loomnet-" + node.id() + "-* still alive after the node "
                    + "closed: " + threads);
        }
        if (!problems.isEmpty()) {
            AssertionError e = new AssertionError("test '" + test + "' left things behind on node " + node.id()
                    + ":\n  - " + String.join("\n  - ", problems));
            report.failures().forEach(e::addSuppressed);
            throw e;
        }
    }

    /**
     * Lists services other than probes that are not stopping or terminated, after giving those already
     * asked to stop until {@code grace} to finish.
     */
    private static List<String> servicesLeftRunning(Node node, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<String> out = new ArrayList<>();
        for (ServiceStats s : node.services()) {
            if (Probe.isProbe(s.handle()) || ENDING_STATES.contains(s.state())) {
                continue;
            }
            // A stop requested just before the test returned does not change the state at once: wait for it.
            // No termination stage means the service ended and was forgotten since the snapshot was taken.
            CompletionStage<Void> t = node.termination(s.handle()).orElse(null);
            if (t == null || awaitQuietly(t, deadline)) {
                continue;
            }
            ServiceStats now = node.stats(s.handle()).orElse(s); // after the wait: the state it is stuck in
            out.add(now.handle() + (now.name() == null ? "" : " '" + now.name() + "'") + " (" + now.state() + ", "
                    + now.queueLength() + " queued)");
        }
        return out;
    }

    private static boolean awaitQuietly(CompletionStage<Void> stage, long deadlineNanos) {
        try {
            stage.toCompletableFuture().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true; // terminated, exceptionally: it is not running
        }
    }

    private static List<String> threadsLeft(String prefix, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<String> left = LiveThreads.named(prefix);
        // A thread that ran its last line may still be listed for a moment; poll, do not sleep blindly.
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = LiveThreads.named(prefix);
        }
        return left;
    }

    /**
     * Settings for a {@link LoomnetExtension}. Not thread-safe; configure it in a static field initializer.
     */
    public static final class Builder {
        private Dispatcher dispatcher = Dispatcher.VIRTUAL;
        private Duration closeTimeout = Duration.ofSeconds(5);
        private Duration stopGrace = Duration.ofSeconds(1);
        private Duration threadGrace = Duration.ofSeconds(2);
        private boolean allowServicesLeftRunning;
        private UnaryOperator<Node.Builder> customizer = UnaryOperator.identity();

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.dispatcher = dispatcher;
            b.closeTimeout = closeTimeout;
            b.stopGrace = stopGrace;
            b.threadGrace = threadGrace;
            b.allowServicesLeftRunning = allowServicesLeftRunning;
            b.customizer = customizer;
            return b;
        }

        /**
         * @param dispatcher the nodes' default dispatcher (default {@link Dispatcher#VIRTUAL})
         * @return this
         */
        public Builder dispatcher(Dispatcher dispatcher) {
            this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
            return this;
        }

        /**
         * @param timeout the nodes' close timeout (default 5 s)
         * @return this
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = positive("closeTimeout", timeout);
            return this;
        }

        /**
         * @param grace how long to wait, after the test, for services that were asked to stop (default 1 s)
         * @return this
         */
        public Builder stopGrace(Duration grace) {
            this.stopGrace = notNegative("stopGrace", grace);
            return this;
        }

        /**
         * @param grace how long to wait, after close, for the node's threads to disappear (default 2 s)
         * @return this
         */
        public Builder threadGrace(Duration grace) {
            this.threadGrace = notNegative("threadGrace", grace);
            return this;
        }

        /**
         * Do not fail tests that end with services still running (the node's close still stops them and must
         * still be clean).
         *
         * @return this
         */
        public Builder allowServicesLeftRunning() {
            this.allowServicesLeftRunning = true;
            return this;
        }

        /**
         * @param customizer applied to each node's builder after the extension's settings (the node id is
         *                   set by the extension; changing it defeats the thread check)
         * @return this
         */
        public Builder configure(UnaryOperator<Node.Builder> customizer) {
            this.customizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /** @return the extension */
        public LoomnetExtension build() {
            return new LoomnetExtension(this);
        }

        private static Duration positive(String what, Duration d) {
            notNegative(what, d);
            if (d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        private static Duration notNegative(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, was " + d);
            }
            return d;
        }
    }
}
