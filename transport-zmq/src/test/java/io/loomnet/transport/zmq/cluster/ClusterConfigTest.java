package io.loomnet.transport.zmq.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zeromq.ZMQ;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import io.loomnet.InvalidSettingsException;
import io.loomnet.Node;
import io.loomnet.transport.zmq.gateway.GatewayConfig;

/** Cluster.builder(node).config(Config) and GatewayConfig.fromConfig: reference.conf defaults, checks, keys. */
class ClusterConfigTest {
    private static Node node;

    @BeforeAll
    static void start() {
        node = Node.builder().nodeId(1).closeTimeout(Duration.ofSeconds(5)).start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Config ownReference() throws Exception {
        try (Reader r = new InputStreamReader(Cluster.class.getResourceAsStream("/reference.conf"),
                StandardCharsets.UTF_8)) {
            return ConfigFactory.parseReader(r).getConfig("loomnet");
        }
    }

    @Test
    void defaultsAreThoseOfTheTransportsOwnReferenceConf() throws Exception {
        Config own = ownReference();
        assertEquals(own.getDuration("cluster.heartbeat"), ClusterDefaults.HEARTBEAT);
        assertEquals(own.getDuration("cluster.down-after"), ClusterDefaults.DOWN_AFTER);
        assertEquals(own.getBytes("cluster.max-frame"), (long) ClusterDefaults.MAX_FRAME_BYTES);
        assertEquals(own.getInt("cluster.link-queue-limit"), ClusterDefaults.LINK_QUEUE_LIMIT);
        assertEquals(own.getString("cluster.back-pressure"), ClusterDefaults.BACK_PRESSURE.name().toLowerCase(
                java.util.Locale.ROOT));
        assertEquals(own.getDuration("cluster.send-timeout"), ClusterDefaults.SEND_TIMEOUT);
        assertEquals(own.getDuration("cluster.stop-timeout"), ClusterDefaults.STOP_TIMEOUT);
        GatewayConfig g = GatewayConfig.defaults();
        assertEquals(own.getDuration("gateway.call-timeout"), g.callTimeout());
        assertEquals(own.getBytes("gateway.max-payload"), (long) g.maxPayloadBytes());
        assertEquals(own.getBytes("gateway.max-target"), (long) g.maxTargetBytes());
        assertEquals(own.getInt("gateway.max-in-flight"), g.maxInFlight());
        assertEquals(g, GatewayConfig.fromConfig(ConfigFactory.empty()));
    }

    @Test
    void aValidSubtreeIsAccepted() {
        ZMQ.Curve.KeyPair mine = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair theirs = ZMQ.Curve.generateKeyPair();
        Config c = ConfigFactory.parseString("inbox = \"tcp://127.0.0.1:*\", heartbeat = 100ms, down-after = 1s, "
                + "max-frame = 64KiB, curve { public-key = \"" + mine.publicKey + "\", secret-key = \""
                + mine.secretKey + "\" }, peers = [ { id = 2, endpoint = \"tcp://127.0.0.1:7102\", public-key = \""
                + theirs.publicKey + "\" } ]");
        Cluster.builder(node).config(c);
        GatewayConfig g = GatewayConfig.fromConfig(ConfigFactory.parseString("call-timeout = 2s, max-in-flight = 5"));
        assertEquals(Duration.ofSeconds(2), g.callTimeout());
        assertEquals(5, g.maxInFlight());
    }

    @Test
    void theLinkTuningKeysAreCheckedByTheSetters() {
        Cluster.builder(node).config(ConfigFactory.parseString(
                "link-queue-limit = 10, back-pressure = fail, send-timeout = 1s, stop-timeout = 5s"));
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> Cluster.builder(node)
                .config(ConfigFactory.parseString("link-queue-limit = 0, back-pressure = maybe, stop-timeout = 0s")));
        List<String> problems = e.problems().stream().map(InvalidSettingsException.Problem::toString).toList();
        assertEquals(List.of("link-queue-limit", "back-pressure", "stop-timeout"),
                e.problems().stream().map(InvalidSettingsException.Problem::key).toList(), problems.toString());
        assertEquals("back-pressure: is 'maybe'; expected block or fail", problems.get(1));
    }

    @Test
    void everyBadValueAndUnknownKeyIsNamed() {
        Config c = ConfigFactory.parseString("""
                inbx = 1
                inbox = "udp://x:1"
                heartbeat = often
                max-frame = 10
                peers = [ { id = 1, endpoint = "tcp://h:1" }, { id = 3, endpont = x } ]
                """);
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class,
                () -> Cluster.builder(node).config(c));
        List<String> problems = e.problems().stream().map(InvalidSettingsException.Problem::toString).toList();
        assertEquals("inbx: unknown key; expected one of inbox, peers, heartbeat, down-after, max-frame, curve, "
                + "link-queue-limit, back-pressure, send-timeout, stop-timeout",
                problems.get(0));
        assertEquals(List.of("inbx", "inbox", "heartbeat", "max-frame", "peers[0].id", "peers[1].endpont",
                "peers[1].endpoint"), e.problems().stream().map(InvalidSettingsException.Problem::key).toList());
        assertEquals("heartbeat: is the string 'often'; expected a positive duration such as 10s or 500ms",
                problems.get(2));
        assertEquals("max-frame: is 10 bytes; expected a size in 26..1073741815 bytes, such as 65536, 64KiB or 1MiB",
                problems.get(3));
        assertEquals("peers[0].id: is 1; expected the id of another node, an integer in 0..65535", problems.get(4));
    }

    @Test
    void downAfterMustBeLongerThanTheHeartbeat() {
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> Cluster.builder(node)
                .config(ConfigFactory.parseString("heartbeat = 1s")));
        assertEquals("heartbeat: is PT1S, not shorter than down-after (PT0.9S); expected a heartbeat shorter than "
                + "down-after", e.getMessage());
    }

    @Test
    void gatewayRejectsBadValuesAndUnknownKeys() {
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> GatewayConfig.fromConfig(
                ConfigFactory.parseString("timeout = 1s, call-timeout = 0s, max-in-flight = 0")));
        assertEquals(List.of("timeout: unknown key; expected one of call-timeout, max-payload, max-target, "
                        + "max-in-flight",
                "call-timeout: is PT0S; expected a positive duration such as 10s or 500ms",
                "max-in-flight: is 0; expected an integer in 1..10000000"),
                e.problems().stream().map(InvalidSettingsException.Problem::toString).toList());
    }
}
