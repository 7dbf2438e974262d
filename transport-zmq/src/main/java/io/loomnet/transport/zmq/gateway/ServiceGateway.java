package io.loomnet.transport.zmq.gateway;

import java.util.Objects;

import io.loomnet.Node;
import io.loomnet.scope.CloseReport;
import io.loomnet.transport.zmq.Machine;
import io.loomnet.transport.zmq.MachineManager;
import io.loomnet.transport.zmq.MachineSpec;

/**
 * Exposes a node's services to ZeroMQ clients in any language: a machine bound to a TCP endpoint whose
 * worker calls services through {@link NodeGatewayTarget} (wire format in {@code docs/protocol.md}).
 *
 * <pre>{@code
 * ServiceGateway gw = ServiceGateway.bind(node, "tcp://127.0.0.1:5555", GatewayConfig.defaults());
 * // a Python REQ client: sock.send_multipart([b"upper", b"hello"]) -> [b"ok", b"HELLO"]
 * }</pre>
 *
 * <p>The gateway owns its {@link MachineManager} and registers itself in the node's transport stage, so
 * closing the node closes it (machine first, ZeroMQ context last). {@link #close()} may also be called
 * directly and is idempotent. Thread-safe.
 */
public final class ServiceGateway implements AutoCloseable {
    private final MachineManager machines;
    private final Machine machine;
    private final GatewayWorker worker;

    private ServiceGateway(MachineManager machines, Machine machine, GatewayWorker worker) {
        this.machines = machines;
        this.machine = machine;
        this.worker = worker;
    }

    /**
     * Binds a gateway for {@code node}'s services.
     *
     * @param node the node
     * @param endpoint {@code tcp://host:port} ({@code :*} for a free port; read it back with {@link #endpoint()})
     * @param config timeouts and limits
     * @return the running gateway
     */
    public static ServiceGateway bind(Node node, String endpoint, GatewayConfig config) {
        Objects.requireNonNull(node, "node");
        GatewayWorker worker = new GatewayWorker(new NodeGatewayTarget(node), config);
        MachineManager machines = new MachineManager();
        try {
            Machine m = machines.create("gateway", MachineSpec.builder(endpoint, worker)
                    .maxMessageBytes(frameLimit(config)).build());
            ServiceGateway g = new ServiceGateway(machines, m, worker);
            node.addTransport("gateway " + m.endpoint(), deadline -> g.shutdown().clean());
            return g;
        } catch (RuntimeException e) {
            machines.close();
            throw e;
        }
    }

    /**
     * The largest frame the gateway's socket takes: room for the largest payload and target plus a margin, so a
     * payload somewhat over the limit still gets a {@code payload too large} answer; a much larger one (or a hostile
     * declared size) makes ZeroMQ drop the connection instead of allocating it.
     */
    static int frameLimit(GatewayConfig config) {
        long limit = (long) config.maxPayloadBytes() + config.maxTargetBytes() + OVERSIZE_MARGIN;
        return (int) Math.min(limit, MachineSpec.MAX_MESSAGE_BYTES_LIMIT);
    }

    /** Bytes beyond the payload limit that are still read, to answer {@code payload too large}: 1 MiB. */
    static final int OVERSIZE_MARGIN = 1 << 20;

    /** @return the bound endpoint, resolved */
    public String endpoint() {
        return machine.endpoint();
    }

    /** @return request, error and limit counters */
    public GatewayStats stats() {
        return worker.stats();
    }

    /** @return the counters of the gateway's machine: dropped replies, refused hostile frames, JeroMQ errors */
    public io.loomnet.transport.zmq.MachineStats machineStats() {
        return machine.stats();
    }

    /** @return live client connections */
    public int peerCount() {
        return machine.peerCount();
    }

    /**
     * Destroys the machine and closes the ZeroMQ context. Idempotent.
     *
     * @return what stopped
     */
    public CloseReport shutdown() {
        return machines.shutdown();
    }

    @Override
    public void close() {
        machines.close();
    }
}
