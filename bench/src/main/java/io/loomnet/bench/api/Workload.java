package io.loomnet.bench.api;

/** The workloads, in report order. */
public enum Workload {
    PINGPONG("pingpong", "Ping-pong (Savina pingpong)"),
    THREADRING("threadring", "Thread ring, 503 actors (Savina threadring)"),
    FANIN("fanin", "Counting / fan-in, 32 senders to 1 actor"),
    SKYNET("skynet", "Skynet 1M: 10-ary tree of 1,111,111 actors"),
    CALLCHAIN("callchain", "Blocking call chain: 8 actors, 1 ms blocking per hop, 64 in flight"),
    CHURN("churn", "Spawn/stop churn"),
    REMOTE_TELL("remote-tell", "Remote tell, 100-byte payload, two nodes on loopback"),
    REMOTE_CALL("remote-call", "Remote call latency, 100-byte payload, two nodes on loopback");

    private final String id;
    private final String title;

    Workload(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public static Workload byId(String id) {
        for (Workload w : values()) {
            if (w.id.equals(id)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + id + "'");
    }
}
