package io.loomnet.bench.api;

/**
 * One runtime under test, opened for one JMH trial and closed after it.
 *
 * <p>An adapter opens whatever the runtime needs for the whole trial in its constructor (an actor
 * system, a node, a ZeroMQ context) and releases every thread and socket in {@link #close()}. The
 * JMH benchmark classes ask it for one workload each; a runtime that does not take part in a
 * workload keeps the default, which throws, and leaves that workload out of
 * {@link RuntimeInfo#workloads()}.
 *
 * <p>Every workload implementation must <em>count on the receiving side</em> and return what it
 * counted; the benchmark compares that with the expected figure and fails the trial on a mismatch,
 * so a broken run cannot look fast.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
public interface BenchRuntime extends AutoCloseable {

    default PingPong pingPong() {
        throw unsupported(Workload.PINGPONG);
    }

    default ThreadRing threadRing() {
        throw unsupported(Workload.THREADRING);
    }

    default FanIn fanIn() {
        throw unsupported(Workload.FANIN);
    }

    default Skynet skynet() {
        throw unsupported(Workload.SKYNET);
    }

    default CallChain callChain() {
        throw unsupported(Workload.CALLCHAIN);
    }

    default Churn churn() {
        throw unsupported(Workload.CHURN);
    }

    /** Opens a sender on one node and a receiver on another, over TCP on loopback. */
    default RemoteTell remoteTell(int payloadBytes) throws Exception {
        throw unsupported(Workload.REMOTE_TELL);
    }

    /** Opens a caller on one node and an echo service on another, over TCP on loopback. */
    default RemoteCall remoteCall(int payloadBytes) throws Exception {
        throw unsupported(Workload.REMOTE_CALL);
    }

    /** Stops every actor, thread, socket and context this runtime started. */
    @Override
    void close() throws Exception;

    private UnsupportedOperationException unsupported(Workload w) {
        return new UnsupportedOperationException(getClass().getSimpleName() + " does not implement " + w.id());
    }
}
