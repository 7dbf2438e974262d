package io.loomnet.samples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import com.typesafe.config.ConfigFactory;

import io.loomnet.launcher.Launcher;
import io.loomnet.launcher.LauncherConfig;
import io.loomnet.scope.CloseReport;
import io.loomnet.testkit.LiveThreads;
import io.loomnet.testkit.LoomnetExtension;

/**
 * The gateway sample: {@code gateway.conf} started as {@code loomnet run} would, then called from a raw JeroMQ
 * REQ socket exactly as {@code upper_client.py} calls it: {@code [b"upper", b"hello"]}, a receive timeout, and a
 * retry on a fresh socket.
 */
@Timeout(60)
class GatewaySampleTest {
    @Test
    void shouldUpperCaseForAReqClient() {
        int id = LoomnetExtension.freshNodeId();
        LauncherConfig config = LauncherConfig.load(Path.of("gateway.conf"), Launcher.create(),
                ConfigFactory.parseMap(Map.of("gateway-endpoint", "tcp://127.0.0.1:*", "loomnet.node-id", id)));
        assertEquals(List.of("upper"), config.services().stream().map(LauncherConfig.ServiceEntry::module).toList());
        assertEquals(Duration.ofSeconds(5), config.gateways().get(0).config().callTimeout());
        assertEquals(64 * 1024, config.gateways().get(0).config().maxPayloadBytes());
        LauncherConfig.Running running = config.launch();
        try {
            String endpoint = running.gateways().get(0).endpoint();
            assertThat(endpoint, startsWith("tcp://127.0.0.1:"));
            try (ZContext ctx = new ZContext()) {
                assertEquals(List.of("ok", "HELLO"), call(ctx, endpoint, "upper", "hello"));
                assertEquals(List.of("ok", "GRÜSSE, ΚΌΣΜΕ"), call(ctx, endpoint, "upper", "grüße, κόσμε"));
                assertEquals(List.of("ok", ""), call(ctx, endpoint, "upper", ""));
                assertEquals(List.of("error", "unknown target: 'lower'"), call(ctx, endpoint, "lower", "x"));
                List<String> big = call(ctx, endpoint, "upper", "x".repeat(64 * 1024 + 1));
                assertEquals("error", big.get(0));
                assertThat(big.get(1), startsWith("payload too large: 65537 bytes for 'upper', limit 65536 bytes"));
            }
        } finally {
            CloseReport report = running.node().shutdown();
            assertTrue(report.clean(), report.toString());
        }
        assertEquals(List.of(), LiveThreads.named("loomnet-" + id + "-"));
    }

    /**
     * What upper_client.py does: send [target, payload] on a REQ socket and read [status, body]. Once, no retry: the
     * gateway answers every request (the socket is handed over only after its ZMTP greeting, see ZmqClients).
     */
    private static List<String> call(ZContext ctx, String endpoint, String target, String text) {
        try (ZMQ.Socket req = io.loomnet.transport.zmq.ZmqClients.connect(ctx, SocketType.REQ, endpoint,
                java.time.Duration.ofSeconds(10))) {
            req.setReceiveTimeOut(10_000);
            req.sendMore(target.getBytes(StandardCharsets.UTF_8));
            req.send(text.getBytes(StandardCharsets.UTF_8));
            byte[] status = req.recv();
            assertTrue(status != null, "no reply from " + endpoint + " within 10 s");
            assertTrue(req.hasReceiveMore(), "a reply has two frames");
            byte[] body = req.recv();
            assertTrue(!req.hasReceiveMore(), "a reply has two frames");
            return List.of(new String(status, StandardCharsets.US_ASCII), new String(body, StandardCharsets.UTF_8));
        }
    }
}
