package io.loomnet.bench.peers.zmq;

import io.loomnet.bench.api.BenchRuntime;
import io.loomnet.bench.api.RemoteCall;
import io.loomnet.bench.api.RemoteTell;

import java.util.ArrayList;
import java.util.List;

/**
 * Raw JeroMQ, the floor for Loomnet's transport: PUSH/PULL for one-way messages, REQ/REP for calls,
 * over {@code tcp://127.0.0.1} on random ports. Each side is a "node" with its own {@code ZContext}
 * (its own I/O thread); every socket is used by one platform thread only, the one that created it.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
public final class ZmqRawRuntime implements BenchRuntime {
    private final List<AutoCloseable> open = new ArrayList<>();

    @Override
    public RemoteTell remoteTell(int payloadBytes) throws Exception {
        ZmqPushPull t = new ZmqPushPull(payloadBytes);
        open.add(t);
        return t;
    }

    @Override
    public RemoteCall remoteCall(int payloadBytes) throws Exception {
        ZmqReqRep c = new ZmqReqRep(payloadBytes);
        open.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (AutoCloseable c : open) {
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
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
