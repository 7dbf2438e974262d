package io.loomnet.micrometer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.loomnet.Handle;
import io.loomnet.LoomnetException;
import io.loomnet.Node;
import io.loomnet.NodeStats;
import io.loomnet.ServiceOptions;
import io.loomnet.ServiceStats;
import io.loomnet.testkit.LoomnetExtension;
import io.loomnet.transport.zmq.cluster.Cluster;
import io.loomnet.transport.zmq.gateway.GatewayConfig;
import io.loomnet.transport.zmq.gateway.GatewayStats;
import io.loomnet.transport.zmq.gateway.ServiceGateway;

/** The binding against a real node, cluster and gateway, read through a {@link SimpleMeterRegistry}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(LoomnetExtension.class)
class LoomnetMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Handle echo(Node node, String name) {
        ServiceOptions options = name == null ? ServiceOptions.defaults() : ServiceOptions.defaults().withName(name);
        return node.spawn(() -> (ctx, msg) -> {
            if (msg.isRequest()) {
                ctx.reply(msg.payload() instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : msg.payload());
            }
        }, options);
    }

    private static double counter(SimpleMeterRegistry r, String name, Tags tags) {
        FunctionCounter c = r.find(name).tags(tags).functionCounter();
        assertThat(name + " " + tags + " registered", c, notNullValue());
        return c.count();
    }

    private static double gauge(SimpleMeterRegistry r, String name, Tags tags) {
        Gauge g = r.find(name).tags(tags).gauge();
        assertThat(name + " " + tags + " registered", g, notNullValue());
        return g.value();
    }

    @Test
    void shouldPublishEveryNodeFieldWithTheNodesValues(Node node) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Handle h = echo(node, "echo");
        try (LoomnetMetrics metrics = LoomnetMetrics.builder(registry).node(node).tags(Tags.of("app", "test")).bind()) {
            for (int i = 0; i < 5; i++) {
                node.call(h, i, WAIT);
            }
            awaitHandled(node, h, 5);
            awaitNodeHandled(node, 5);
            Tags tags = Tags.of("node", Integer.toString(node.id()), "app", "test");
            NodeStats before = node.stats();
            for (StatsMeters.Field<NodeStats> f : StatsMeters.NODE) {
                double read = f.kind() == StatsMeters.Kind.COUNTER ? counter(registry, f.name(), tags)
                        : gauge(registry, f.name(), tags);
                NodeStats after = node.stats();
                double lo = Math.min(f.value().applyAsDouble(before), f.value().applyAsDouble(after));
                double hi = Math.max(f.value().applyAsDouble(before), f.value().applyAsDouble(after));
                assertThat(f.name() + " = " + read + " within [" + lo + ", " + hi + "]", read >= lo && read <= hi,
                        is(true));
            }
            assertThat(counter(registry, "loomnet.node.messages.handled", tags) >= 5, is(true));
            assertThat(gauge(registry, "loomnet.node.services.live", tags) >= 1, is(true));
            assertThat(metrics.toString(), containsString("node " + node.id()));
            node.stop(h);
        }
        assertThat("close removes every meter", registry.getMeters(), empty());
    }

    @Test
    void shouldPublishNamedServicesAndFollowThemOnRefresh(Node node) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Handle named = echo(node, "counted");
        Handle anonymous = echo(node, null);
        try (LoomnetMetrics metrics = LoomnetMetrics.builder(registry).node(node).bind()) {
            node.call(named, "a", WAIT);
            node.call(named, "b", WAIT);
            node.call(anonymous, "c", WAIT);
            awaitHandled(node, named, 2);
            Tags tags = Tags.of("service", named.toString(), "name", "counted");
            assertEquals(2.0, counter(registry, "loomnet.service.messages.handled", tags));
            assertEquals(0.0, gauge(registry, "loomnet.service.queue.length", tags));
            assertThat("anonymous services are not bound by default",
                    registry.find("loomnet.service.messages.handled").tags("service", anonymous.toString())
                            .functionCounter(), nullValue());
            ServiceStats s = node.stats(named).orElseThrow();
            assertEquals(s.maxHandleNanos() / 1e9, gauge(registry, "loomnet.service.handle.max", tags), 1e-9);

            Handle later = echo(node, "later");
            assertEquals(2, metrics.refresh(), "counted and later");
            node.call(later, "x", WAIT);
            awaitHandled(node, later, 1);
            assertEquals(1.0, counter(registry, "loomnet.service.messages.handled",
                    Tags.of("service", later.toString())));

            node.stop(named);
            awaitGone(node, named);
            assertEquals(1, metrics.refresh(), "only later is left");
            assertThat(registry.find("loomnet.service.messages.handled").tags("service", named.toString())
                    .functionCounter(), nullValue());
            node.stop(later);
            node.stop(anonymous);
            awaitGone(node, later);
            awaitGone(node, anonymous);
        }
    }

    @Test
    void shouldBindEveryServiceWithAFilter(Node node) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Handle anonymous = echo(node, null);
        try (LoomnetMetrics metrics = LoomnetMetrics.builder(registry).node(node).services(s -> true).bind()) {
            node.call(anonymous, "c", WAIT);
            awaitHandled(node, anonymous, 1);
            assertEquals(1.0, counter(registry, "loomnet.service.messages.handled",
                    Tags.of("service", anonymous.toString(), "name", "")));
            node.stop(anonymous);
            awaitGone(node, anonymous);
            assertEquals(0, metrics.refresh());
        }
    }

    @Test
    void shouldPublishGatewayAndClusterCounters(Node node) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Handle h = echo(node, "echo");
        Cluster cluster = Cluster.builder(node).inbox("tcp://127.0.0.1:*").start();
        ServiceGateway gateway = ServiceGateway.bind(node, "tcp://127.0.0.1:*", GatewayConfig.defaults());
        try (LoomnetMetrics metrics = LoomnetMetrics.builder(registry).node(node).cluster(cluster).gateway(gateway)
                .bind(); ZContext zmq = new ZContext()) {
            ZMQ.Socket req = io.loomnet.transport.zmq.ZmqClients.connect(zmq, SocketType.REQ, gateway.endpoint(),
                    WAIT);
            req.setReceiveTimeOut((int) WAIT.toMillis());
            for (String target : List.of("echo", "echo", "nobody")) {
                req.sendMore(target);
                req.send("hi");
                assertThat("reply to " + target, ZMsg.recvMsg(req), notNullValue());
            }
            Tags gw = Tags.of("endpoint", gateway.endpoint());
            GatewayStats stats = gateway.stats();
            assertEquals(3, stats.requests());
            assertEquals(3.0, counter(registry, "loomnet.gateway.requests", gw));
            assertEquals(2.0, counter(registry, "loomnet.gateway.replies.ok", gw));
            assertEquals(1.0, counter(registry, "loomnet.gateway.replies.error", gw));
            assertEquals(0.0, gauge(registry, "loomnet.gateway.calls.in.flight", gw));
            for (StatsMeters.Field<?> f : StatsMeters.CLUSTER) {
                assertEquals(0.0, counter(registry, f.name(), Tags.of("node", Integer.toString(node.id()))),
                        f.name() + " on a cluster without peers or traffic");
            }
        } finally {
            node.stop(h);
        }
        assertThat(registry.getMeters(), empty());
    }

    @Test
    void shouldRefuseToBindWithoutANode() {
        LoomnetException e = assertThrows(LoomnetException.class,
                () -> LoomnetMetrics.builder(new SimpleMeterRegistry()).bind());
        assertThat(e.getMessage(), containsString(".node(node)"));
    }

    /**
     * A call returns as soon as the reply is sent, and the handler's {@code handled} count is taken after the handler
     * returns: on a busy machine the caller can read the stats in between, so wait for the count the test relies on.
     */
    private static void awaitHandled(Node node, Handle h, long count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (node.stats(h).orElseThrow().handled() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(h + " handled " + node.stats(h).orElseThrow().handled() + " of " + count
                        + " messages after " + WAIT);
            }
            Thread.sleep(1);
        }
    }

    /** The node's count is taken just after the service's, so it can lag the service's by one for a moment. */
    private static void awaitNodeHandled(Node node, long count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (node.stats().handled() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node handled " + node.stats().handled() + " of " + count
                        + " messages after " + WAIT);
            }
            Thread.sleep(1);
        }
    }

    private static void awaitGone(Node node, Handle h) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (node.stats(h).filter(s -> !"TERMINATED".equals(s.state())).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(h + " still present after " + WAIT);
            }
            Thread.onSpinWait();
            Thread.sleep(1);
        }
    }
}
