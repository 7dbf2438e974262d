package io.loomnet.transport.zmq.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.Node;
import io.loomnet.transport.zmq.ZmqAddresses.InvalidAddressException;

/** The builder applies the same endpoint and CURVE key rules as the launcher ({@code ZmqAddresses}), once. */
@Timeout(30)
class ClusterBuilderValidationTest {
    private Node node;

    @BeforeEach
    void start() {
        node = Node.builder().nodeId(1).start();
    }

    @AfterEach
    void close() {
        node.close();
    }

    @Test
    void shouldRejectBadEndpointsNamingWhatAndWhy() {
        Cluster.Builder b = Cluster.builder(node);
        InvalidAddressException inbox = assertThrows(InvalidAddressException.class, () -> b.inbox("tcp://127.0.0.1"));
        assertThat(inbox.getMessage(), containsString("cluster inbox is 'tcp://127.0.0.1'; expected a TCP endpoint"));
        InvalidAddressException port = assertThrows(InvalidAddressException.class,
                () -> b.peer(2, "tcp://10.0.0.2:70000"));
        assertThat(port.getMessage(), containsString("inbox of peer 2 has port 70000"));
        InvalidAddressException wildcard = assertThrows(InvalidAddressException.class,
                () -> b.peer(2, "tcp://*:7002"));
        assertThat(wildcard.getMessage(), containsString("a wildcard"));
        b.inbox("tcp://*:7001"); // a wildcard is fine to bind
    }

    @Test
    void shouldRejectBadPeerNodeIdsWithTheSharedNodeIdRule() {
        Cluster.Builder b = Cluster.builder(node);
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> b.peer(70000, "tcp://10.0.0.2:7002"));
        assertThat(high.getMessage(), containsString("node id must be in 0..65535, was 70000"));
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> b.peer(-1, "tcp://10.0.0.2:7002"));
        assertThat(negative.getMessage(), containsString("node id must be in 0..65535, was -1"));
        IllegalArgumentException self = assertThrows(IllegalArgumentException.class,
                () -> b.peer(1, "tcp://10.0.0.2:7002"));
        assertThat(self.getMessage(), containsString("peer 1 is this node itself"));
        b.peer(65535, "tcp://10.0.0.2:7002"); // the largest id is a valid peer
    }

    @Test
    void shouldRejectCurveKeysOutsideZ85WithoutShowingThem() {
        String secretish = "x".repeat(39) + "\"";
        InvalidAddressException e = assertThrows(InvalidAddressException.class,
                () -> Cluster.builder(node).curve(secretish, secretish));
        assertThat(e.getMessage(), containsString("public key has a character outside Z85 at position 40"));
        assertThat(e.getMessage(), not(containsString(secretish)));
        InvalidAddressException shortKey = assertThrows(InvalidAddressException.class,
                () -> Cluster.builder(node).allowClient("abc"));
        assertThat(shortKey.getMessage(), containsString("allowed client key is 3 characters long"));
    }
}
