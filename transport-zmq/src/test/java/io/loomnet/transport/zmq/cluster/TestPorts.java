package io.loomnet.transport.zmq.cluster;

import io.loomnet.transport.zmq.TestSupport;

/** Free loopback ports for tests: {@link TestSupport#freePort()} (below the ephemeral range, never twice). */
final class TestPorts {
    private TestPorts() {
    }

    static int free() {
        return TestSupport.freePort();
    }
}
