package io.loomnet.transport.zmq.gateway;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.ZContext;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.ServiceOptions;
import io.loomnet.transport.zmq.TestSupport;

/** The gateway in front of a real Node, called by a plain ZeroMQ REQ client. */
@Timeout(60)
class ServiceGatewayTest {
    @Test
    void shouldExposeServicesToZeroMqClients() {
        try (Node node = Node.builder().nodeId(1).start(); ZContext clients = new ZContext()) {
            node.spawn(() -> (ctx, msg) -> ctx.reply(new String((byte[]) msg.payload(), StandardCharsets.UTF_8)
                    .toUpperCase()), ServiceOptions.defaults().withName("upper"));
            Handle bad = node.spawn(() -> (ctx, msg) -> {
                throw new IllegalStateException("broken on purpose");
            });
            node.spawn(() -> (ctx, msg) -> ctx.replyToken(), ServiceOptions.defaults().withName("silent"));
            // Answers must not depend on the machine's speed: the default call timeout for them, and a second
            // gateway with a 300 ms timeout only for the service that never replies.
            ServiceGateway gw = ServiceGateway.bind(node, "tcp://127.0.0.1:*", GatewayConfig.defaults());
            String ep = gw.endpoint();
            ServiceGateway quick = ServiceGateway.bind(node, "tcp://127.0.0.1:*",
                    GatewayConfig.defaults().withCallTimeout(Duration.ofMillis(300)));

            assertEquals(List.of("ok", "HELLO"), TestSupport.request(clients, ep, "upper", "hello"));
            List<String> unknown = TestSupport.request(clients, ep, "nobody", "x");
            assertEquals("error", unknown.get(0));
            assertThat(unknown.get(1), startsWith(GatewayProtocol.UNKNOWN_TARGET));
            List<String> failed = TestSupport.request(clients, ep, bad.toString(), "x");
            assertEquals("error", failed.get(0));
            assertThat(failed.get(1), startsWith(GatewayProtocol.HANDLER_FAILURE));
            List<String> slow = TestSupport.request(clients, quick.endpoint(), "silent", "x");
            assertEquals("error", slow.get(0));
            assertThat(slow.get(1), startsWith(GatewayProtocol.TIMEOUT));
            List<String> malformed = TestSupport.request(clients, ep, "upper");
            assertEquals("error", malformed.get(0));
            assertThat(malformed.get(1), startsWith(GatewayProtocol.MALFORMED));

        }
    }
}
