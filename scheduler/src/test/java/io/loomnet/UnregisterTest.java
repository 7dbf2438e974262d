package io.loomnet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Node#unregister} and {@link Context#unregister}: names this node owns, removed on request or on death. */
@Timeout(60)
class UnregisterTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    record Register(String name) {
    }

    record Unregister(String name) {
    }

    private static Node node(Dispatcher d) {
        return Node.builder().dispatcher(d).pooledWorkers(2).closeTimeout(Duration.ofSeconds(5)).start();
    }

    /** Registers and unregisters names for itself on request; answers anything else with "pong". */
    private static Handle named(Node node, String name) {
        return node.spawn(() -> (ctx, msg) -> {
            switch (msg.payload()) {
                case Register r -> {
                    ctx.register(r.name());
                    ctx.reply(true);
                }
                case Unregister u -> ctx.reply(ctx.unregister(u.name()));
                default -> ctx.reply("pong");
            }
        }, ServiceOptions.defaults().withName(name));
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void nodeUnregisterRemovesTheNameOnlyAndFreesIt(Dispatcher d) {
        try (Node node = node(d)) {
            Handle db = named(node, "db");
            assertTrue(node.call(db, new Register("primary"), Boolean.class, SECOND));

            assertTrue(node.unregister("db"));
            assertEquals(Optional.empty(), node.lookup("db"));
            assertThrows(ServiceUnavailableException.class, () -> node.call("db", "ping", SECOND));
            assertFalse(node.unregister("db"), "already removed");
            assertEquals(Optional.of(db), node.lookup("primary"), "its other names stay");
            assertEquals("pong", node.call(db, "ping", SECOND), "the service goes on, reachable by handle");

            Handle other = named(node, "db"); // free again
            assertEquals(Optional.of(other), node.lookup("db"));
            assertTrue(node.unregister("db@" + node.id()), "name@<this node> is a local name");
            assertFalse(node.unregister("never-registered"));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void contextUnregisterRemovesOnlyItsOwnNames(Dispatcher d) {
        try (Node node = node(d)) {
            Handle a = named(node, "a");
            Handle b = named(node, "b");
            assertFalse(node.call(a, new Unregister("b"), Boolean.class, SECOND), "b's name is not a's to drop");
            assertEquals(Optional.of(b), node.lookup("b"));

            assertTrue(node.call(a, new Unregister("a"), Boolean.class, SECOND));
            assertEquals(Optional.empty(), node.lookup("a"));
            assertFalse(node.call(a, new Unregister("a"), Boolean.class, SECOND));

            assertTrue(node.call(a, new Register("a"), Boolean.class, SECOND), "it may take its name back");
            assertEquals(Optional.of(a), node.lookup("a"));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void namesOfAnotherNodeOrHandlesAreRefused(Dispatcher d) {
        try (Node node = node(d)) {
            Handle db = named(node, "db");
            IllegalArgumentException remote = assertThrows(IllegalArgumentException.class,
                    () -> node.unregister("db@" + (node.id() + 1)));
            assertThat(remote.getMessage(), containsString("unregister it on node " + (node.id() + 1)));
            assertThrows(IllegalArgumentException.class, () -> node.unregister(db.toString()));
            assertThrows(IllegalArgumentException.class, () -> node.unregister("has space"));
            assertThrows(NullPointerException.class, () -> node.unregister(null));
            assertEquals(Optional.of(db), node.lookup("db"));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void remainingNamesStillVanishWhenTheServiceDies(Dispatcher d) throws Exception {
        try (Node node = node(d)) {
            Handle db = named(node, "db");
            assertTrue(node.call(db, new Register("replica"), Boolean.class, SECOND));
            assertTrue(node.unregister("db"));
            var terminated = node.termination(db).orElseThrow();
            assertTrue(node.stop(db));
            terminated.toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertEquals(Optional.empty(), node.lookup("replica"));
            assertFalse(node.unregister("replica"));
            Handle next = named(node, "replica");
            assertEquals(Optional.of(next), node.lookup("replica"));
        }
    }
}
