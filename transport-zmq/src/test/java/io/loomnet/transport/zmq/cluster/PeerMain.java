package io.loomnet.transport.zmq.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import io.loomnet.Node;
import io.loomnet.ServiceOptions;

/**
 * A peer node in its own JVM for {@link ClusterFailureTest}: {@code PeerMain <self> <inbox> <peer> <peerInbox>}.
 * Serves "echo" (replies with its payload) and "silent" (never replies), prints READY, and runs until its
 * standard input closes or it is killed.
 */
public final class PeerMain {
    private PeerMain() {
    }

    /**
     * @param args self id, own inbox endpoint, peer id, peer inbox endpoint
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int self = Integer.parseInt(args[0]);
        try (Node node = Node.builder().nodeId(self).start()) {
            Cluster.builder(node).inbox(args[1]).peer(Integer.parseInt(args[2]), args[3]).codec(ClusterTest.codec())
                    .start();
            node.spawn(() -> (ctx, msg) -> {
                if (msg.isRequest()) {
                    ctx.reply(msg.payload());
                }
            }, ServiceOptions.defaults().withName("echo"));
            node.spawn(() -> (ctx, msg) -> ctx.replyToken(), ServiceOptions.defaults().withName("silent"));
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // run until stdin closes
            }
        }
    }
}
