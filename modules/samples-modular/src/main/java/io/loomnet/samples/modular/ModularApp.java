package io.loomnet.samples.modular;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import org.slf4j.Logger;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Node;
import io.loomnet.Service;
import io.loomnet.ServiceOptions;
import io.loomnet.scope.CloseReport;
import io.loomnet.transport.zmq.ZmqClients;
import io.loomnet.transport.zmq.gateway.GatewayConfig;
import io.loomnet.transport.zmq.gateway.ServiceGateway;

/**
 * A whole application in a named module: a node, a service that logs through {@link Context#log()} (an SLF4J
 * {@link Logger}, so this module must read {@code org.slf4j}), a call from code, and a ZeroMQ service gateway
 * called with a JeroMQ REQ socket ({@code org.zeromq} types, read through {@code io.loomnet.transport.zmq}).
 *
 * <pre>
 * java -p &lt;module path&gt; -m io.loomnet.samples.modular/io.loomnet.samples.modular.ModularApp
 * </pre>
 *
 * <p>Prints one line per step and exits 0, or 1 if a step failed or the node did not close cleanly.
 */
public final class ModularApp {
    private ModularApp() {
    }

    /** Upper-cases text requests; logs each one through its context's logger. */
    static final class Upper implements Service {
        @Override
        public void onMessage(Context ctx, Message msg) {
            Logger log = ctx.log();
            String text = switch (msg.payload()) {
                case byte[] b -> new String(b, StandardCharsets.UTF_8);
                case String s -> s;
                default -> throw new IllegalArgumentException("expected text, got " + msg.payloadType());
            };
            log.info("upper-casing {} characters", text.length());
            ctx.reply(text.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        System.exit(run());
    }

    static int run() {
        System.out.println("module " + ModularApp.class.getModule().getName() + " reads "
                + Node.class.getModule().getName() + " and " + ServiceGateway.class.getModule().getName());
        CloseReport report;
        try (Node node = Node.builder().nodeId(7).start()) {
            Handle upper = node.spawn(Upper::new, ServiceOptions.defaults().withName("upper"));
            Object direct = node.call(upper, "direct", Duration.ofSeconds(5));
            System.out.println("call: " + direct);
            ServiceGateway gateway = ServiceGateway.bind(node, "tcp://127.0.0.1:*", GatewayConfig.defaults());
            try (ZContext zmq = new ZContext()) {
                ZMQ.Socket req = ZmqClients.connect(zmq, SocketType.REQ, gateway.endpoint(), Duration.ofSeconds(5));
                req.setReceiveTimeOut(5_000);
                req.sendMore("upper");
                req.send("through the gateway");
                ZMsg reply = ZMsg.recvMsg(req);
                if (reply == null) {
                    System.out.println("gateway: no reply within 5 s");
                    return 1;
                }
                System.out.println("gateway: " + reply.popString() + " " + reply.popString());
            }
            report = node.shutdown();
        }
        System.out.println("closed clean: " + report.clean());
        return report.clean() ? 0 : 1;
    }
}
