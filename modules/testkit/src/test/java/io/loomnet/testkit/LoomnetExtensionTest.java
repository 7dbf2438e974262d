package io.loomnet.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

import io.loomnet.Handle;
import io.loomnet.Node;

/**
 * The extension itself: fixtures (nested classes, skipped by a normal run) are run through the JUnit engine
 * and must pass or fail as expected, with messages naming what was left behind.
 */
@Timeout(60)
class LoomnetExtensionTest {
    /** Fixtures run only when launched from this class. */
    static final String FIXTURE_PROPERTY = "loomnet.testkit.fixtures";
    static final AtomicReference<Node> SEEN = new AtomicReference<>();
    static final AtomicReference<Handle> LEFT = new AtomicReference<>();
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    private static Events run(Class<?> fixture) {
        System.setProperty(FIXTURE_PROPERTY, "true");
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute().testEvents();
        } finally {
            System.clearProperty(FIXTURE_PROPERTY);
        }
    }

    private static String failureMessage(Events events) {
        List<Event> failed = events.failed().list();
        assertEquals(1, failed.size(), "exactly one failed test expected, events: " + events.list());
        Throwable t = failed.get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        return t.getMessage();
    }

    @Test
    void shouldPassACleanTestAndCloseItsNode() {
        Events events = run(CleanFixture.class);
        events.assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        Node node = SEEN.get();
        assertNotNull(node);
        assertThat(node.isClosing() ? "closed" : "open", containsString("closed"));
        assertThat(LiveThreads.named("loomnet-" + node.id() + "-"), empty());
    }

    @Test
    void shouldFailATestThatLeavesAServiceRunning() {
        String msg = failureMessage(run(LeftRunningFixture.class));
        assertThat(msg, allOf(containsString("1 service(s) still running when the test ended"),
                containsString(LEFT.get() + " 'forgotten' (RUNNING")));
    }

    @Test
    void shouldFailATestThatLeaksAThread() {
        try {
            String msg = failureMessage(run(LeakingThreadFixture.class));
            assertThat(msg, allOf(containsString("thread(s) named loomnet-"),
                    containsString("-leak-on-purpose"), containsString("still alive after the node closed")));
        } finally {
            RELEASE.countDown();
        }
    }

    @Test
    void shouldFailATestWhoseNodeDoesNotCloseCleanly() {
        String msg = failureMessage(run(StuckCloseFixture.class));
        assertThat(msg, allOf(containsString("did not close cleanly"), containsString("NOT stopped")));
    }

    @Test
    void shouldAllowServicesLeftRunningWhenConfigured() {
        run(AllowedFixture.class).assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    }

    // ------------------------------------------------------------------------------------------ fixtures

    @ExtendWith(LoomnetExtension.class)
    @EnabledIfSystemProperty(named = FIXTURE_PROPERTY, matches = "true")
    static class CleanFixture {
        @Test
        void clean(Node node, Probe probe) {
            SEEN.set(node);
            Handle h = node.spawn(() -> (ctx, msg) -> ctx.send(msg.source(), "ok"));
            probe.send(h, "go");
            probe.expectMessage(String.class, Duration.ofSeconds(5));
            node.stop(h); // asked to stop just before the end: not "left running"
        }
    }

    @ExtendWith(LoomnetExtension.class)
    @EnabledIfSystemProperty(named = FIXTURE_PROPERTY, matches = "true")
    static class LeftRunningFixture {
        @Test
        void forgetsAService(Node node) {
            LEFT.set(node.spawn(() -> (ctx, msg) -> { }, io.loomnet.ServiceOptions.defaults().withName("forgotten")));
        }
    }

    @ExtendWith(LoomnetExtension.class)
    @EnabledIfSystemProperty(named = FIXTURE_PROPERTY, matches = "true")
    static class LeakingThreadFixture {
        @Test
        void leaksAVirtualThread(Node node) {
            Thread.ofVirtual().name("loomnet-" + node.id() + "-leak-on-purpose").start(() -> {
                try {
                    RELEASE.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @EnabledIfSystemProperty(named = FIXTURE_PROPERTY, matches = "true")
    static class StuckCloseFixture {
        @RegisterExtension
        static final LoomnetExtension LOOMNET = LoomnetExtension.builder().closeTimeout(Duration.ofMillis(300))
                .allowServicesLeftRunning().threadGrace(Duration.ofSeconds(3)).build();

        @Test
        void stopsSlowly(Node node) throws Exception {
            CountDownLatch inStop = new CountDownLatch(1);
            node.spawn(() -> new io.loomnet.Service() {
                @Override
                public void onMessage(io.loomnet.Context ctx, io.loomnet.Message msg) {
                }

                @Override
                public void onStop(io.loomnet.Context ctx) throws InterruptedException {
                    inStop.countDown();
                    Thread.sleep(1_000); // longer than the close timeout: the close report is not clean
                }
            });
            assertNotNull(LOOMNET.node());
        }
    }

    @EnabledIfSystemProperty(named = FIXTURE_PROPERTY, matches = "true")
    static class AllowedFixture {
        @RegisterExtension
        final LoomnetExtension loomnet = LoomnetExtension.builder().allowServicesLeftRunning().build();

        @Test
        void leavesOneRunning(Node node) {
            node.spawn(() -> (ctx, msg) -> { });
        }
    }
}
