package io.loomnet.bench.loomnet;

import io.loomnet.Dispatcher;
import io.loomnet.Node;
import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.CallChain;
import io.loomnet.bench.api.Churn;
import io.loomnet.bench.api.FanIn;
import io.loomnet.bench.api.PingPong;
import io.loomnet.bench.api.RemoteCall;
import io.loomnet.bench.api.RemoteTell;
import io.loomnet.bench.api.Skynet;
import io.loomnet.bench.api.ThreadRing;
import io.loomnet.scope.CloseReport;

import java.util.ArrayList;
import java.util.List;

/**
 * Loomnet on one dispatcher, with the node's defaults otherwise: throughput 64, and for POOLED one
 * platform worker per available processor. One node (id 1) per trial for the local workloads; the
 * remote workloads open a pair of clustered nodes of their own ({@link ClusterPair}). {@link #close()}
 * closes every node and fails if one did not close cleanly.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
public final class LoomnetRuntime implements BenchRuntime {
    private final Dispatcher dispatcher;
    private final Node node;
    private final List<AutoCloseable> remotes = new ArrayList<>();

    public LoomnetRuntime(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.node = Node.builder().nodeId(1).dispatcher(dispatcher).start();
    }

    /** The node settings every Loomnet node in the bench uses. */
    static Node.Builder nodeBuilder(int id, Dispatcher dispatcher) {
        return Node.builder().nodeId(id).dispatcher(dispatcher);
    }

    @Override
    public PingPong pingPong() {
        return new LoomnetPingPong(node);
    }

    @Override
    public ThreadRing threadRing() {
        return new LoomnetThreadRing(node);
    }

    @Override
    public FanIn fanIn() {
        return new LoomnetFanIn(node);
    }

    @Override
    public Skynet skynet() {
        return new LoomnetSkynet(node);
    }

    @Override
    public CallChain callChain() {
        return new LoomnetCallChain(node);
    }

    @Override
    public Churn churn() {
        return new LoomnetChurn(node);
    }

    @Override
    public RemoteTell remoteTell(int payloadBytes) throws Exception {
        LoomnetRemoteTell t = new LoomnetRemoteTell(dispatcher, payloadBytes);
        remotes.add(t);
        return t;
    }

    @Override
    public RemoteCall remoteCall(int payloadBytes) throws Exception {
        LoomnetRemoteCall c = new LoomnetRemoteCall(dispatcher, payloadBytes);
        remotes.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (AutoCloseable c : remotes) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        remotes.clear();
        CloseReport r = node.shutdown();
        if (!r.clean()) {
            IllegalStateException e = new IllegalStateException("node did not close cleanly: " + r);
            if (first != null) {
                e.addSuppressed(first);
            }
            throw e;
        }
        if (first != null) {
            throw first;
        }
    }
}
