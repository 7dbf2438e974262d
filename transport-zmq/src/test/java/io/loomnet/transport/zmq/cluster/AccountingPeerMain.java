package io.loomnet.transport.zmq.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import io.loomnet.DeadLetter;
import io.loomnet.Node;
import io.loomnet.NodeListener;
import io.loomnet.ServiceOptions;

/**
 * A peer node in its own JVM for {@link ClusterAccountingTest}: {@code AccountingPeerMain <self> <inbox> <peer>
 * <peerInbox>}. Serves "sink", which counts the tells it handles, prints READY, and answers {@code COUNT} on its
 * standard input with {@code COUNT <handled> <dead letters> <stale>}: tells the sink handled, messages this node
 * dead-lettered, and messages its inbox refused as addressed to an earlier run. Runs until stdin closes or it is
 * killed; on stdin close it closes its node cleanly (and so tells its peer it is leaving).
 */
public final class AccountingPeerMain {
    private AccountingPeerMain() {
    }

    /**
     * @param args self id, own inbox endpoint, peer id, peer inbox endpoint
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int self = Integer.parseInt(args[0]);
        AtomicLong deadLetters = new AtomicLong();
        AtomicLong handled = new AtomicLong();
        try (Node node = Node.builder().nodeId(self).listener(new NodeListener() {
            @Override
            public void onDeadLetter(DeadLetter dl) {
                deadLetters.incrementAndGet();
            }
        }).start()) {
            Cluster cluster = Cluster.builder(node).inbox(args[1]).peer(Integer.parseInt(args[2]), args[3])
                    .codec(ClusterTest.codec()).start();
            node.spawn(() -> (ctx, msg) -> {
                if (msg.isRequest()) {
                    ctx.reply(handled.get());
                } else {
                    handled.incrementAndGet();
                }
            }, ServiceOptions.defaults().withName("sink"));
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("COUNT")) {
                    System.out.println("COUNT " + handled.get() + " " + deadLetters.get() + " "
                            + cluster.stats().stale());
                    System.out.flush();
                }
            }
        }
    }
}
