package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** Node.builder().config(Config): defaults from reference.conf, typed values, the setters' checks, unknown keys. */
class NodeConfigTest {
    @Test
    void defaultsAreThoseOfTheSchedulersOwnReferenceConf() throws Exception {
        Config own;
        try (Reader r = new InputStreamReader(Node.class.getResourceAsStream("/reference.conf"), StandardCharsets.UTF_8)) {
            own = ConfigFactory.parseReader(r).getConfig("loomnet");
        }
        assertEquals(own.getInt("node-id"), NodeDefaults.NODE_ID);
        assertEquals(Dispatcher.valueOf(own.getString("dispatcher").toUpperCase(java.util.Locale.ROOT)),
                NodeDefaults.DISPATCHER);
        assertEquals(true, own.getIsNull("pooled-workers"));
        assertEquals(Runtime.getRuntime().availableProcessors(), NodeDefaults.POOLED_WORKERS);
        assertEquals(own.getInt("throughput"), NodeDefaults.THROUGHPUT);
        assertEquals(own.getDuration("close-timeout"), NodeDefaults.CLOSE_TIMEOUT);
        assertEquals(own.getDuration("stuck-threshold"), NodeDefaults.STUCK_THRESHOLD);
        assertEquals(own.getDuration("monitor-interval"), NodeDefaults.MONITOR_INTERVAL);
        assertEquals(own.getDuration("idle-thread-timeout"), NodeDefaults.IDLE_THREAD_TIMEOUT);
        try (Node node = Node.builder().start()) {
            assertEquals(own.getInt("node-id"), node.id());
        }
    }

    @Test
    void aValidSubtreeIsApplied() {
        Config c = ConfigFactory.parseString("node-id = 7, dispatcher = POOLED, pooled-workers = 2, throughput = 8, "
                + "close-timeout = 3s, stuck-threshold = 400ms, monitor-interval = 100ms, pooled-workers = null, "
                + "idle-thread-timeout = 2s");
        try (Node node = Node.builder().config(c).start()) {
            assertEquals(7, node.id());
        }
    }

    @Test
    void everyBadValueAndUnknownKeyIsNamed() {
        Config c = ConfigFactory.parseString("""
                node-id = 70000
                dispatcher = fast
                throughput = 0
                close-timeout = forever
                stuck-threshold = 0s
                node-idd = 1
                """);
        Node.Builder b = Node.builder();
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> b.config(c));
        assertEquals(List.of(
                "node-idd: unknown key; expected one of node-id, dispatcher, pooled-workers, throughput, "
                        + "close-timeout, stuck-threshold, monitor-interval, idle-thread-timeout",
                "node-id: is 70000; expected an integer in 0..65535",
                "dispatcher: is 'fast'; expected one of virtual, platform, pooled",
                "throughput: is 0; expected an integer in 1..1000000",
                "close-timeout: is the string 'forever'; expected a positive duration such as 10s or 500ms",
                "stuck-threshold: is PT0S; expected a positive duration such as 10s or 500ms"),
                e.problems().stream().map(InvalidSettingsException.Problem::toString).toList());
        assertEquals(3, e.problems().get(3).line());
    }

    @Test
    void theSettersCheckTheSameRangesAsTheConfig() {
        assertThrows(IllegalArgumentException.class, () -> Node.builder().throughput(1_000_001));
        assertThrows(IllegalArgumentException.class, () -> Node.builder().pooledWorkers(4097));
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class,
                () -> Node.builder().config(ConfigFactory.parseString("pooled-workers = 4097")));
        assertEquals("pooled-workers: is 4097; expected an integer in 1..4096", e.getMessage());
    }

    @Test
    void nothingIsAppliedWhenSomethingIsWrong() {
        Node.Builder b = Node.builder().nodeId(5);
        assertThrows(InvalidSettingsException.class,
                () -> b.config(ConfigFactory.parseString("node-id = 6, throughput = -1")));
        try (Node node = b.closeTimeout(Duration.ofSeconds(5)).start()) {
            assertEquals(5, node.id());
        }
    }
}
