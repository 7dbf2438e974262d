package io.loomnet.samples;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.launcher.Launcher;
import io.loomnet.launcher.ListenerQuery;

/**
 * The chat room started from code rather than from {@code chat.conf}:
 * {@code java -cp modules/samples/target/loomnet-run.jar io.loomnet.samples.Chat [port]}, then
 * {@code nc 127.0.0.1 7002} in two terminals.
 */
public final class Chat {
    private Chat() {
    }

    /**
     * Starts a chat room and a line-framed gate in front of it.
     *
     * @param node the node
     * @param port the gate's port (0: any free port)
     * @return where the gate listens
     */
    public static InetSocketAddress start(Node node, int port) {
        Launcher launcher = Launcher.create();
        launcher.launch(node, "chat-room", "chat", List.of());
        Handle gate = launcher.launch(node, "gate", "gate", List.of("port=" + port, "handler=chat",
                "max-packet=1024"));
        return (InetSocketAddress) node.call(gate, ListenerQuery.LOCAL_ADDRESS, Duration.ofSeconds(5));
    }

    /**
     * @param args optional port (default 7002)
     * @throws InterruptedException never in practice: the JVM exits on Ctrl-C
     */
    public static void main(String[] args) throws InterruptedException {
        Node node = Node.builder().nodeId(1).start();
        InetSocketAddress at = start(node, args.length > 0 ? Integer.parseInt(args[0]) : 7002);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("chat: " + node.shutdown());
            closed.countDown();
        }, "chat-shutdown"));
        System.out.println("chat room on " + at + "; connect with: nc 127.0.0.1 " + at.getPort() + "  (Ctrl-C stops)");
        closed.await();
    }
}
