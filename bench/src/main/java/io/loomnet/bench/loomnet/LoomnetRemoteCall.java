package io.loomnet.bench.loomnet;

import io.loomnet.Dispatcher;
import io.loomnet.Handle;
import io.loomnet.bench.api.RemoteCall;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * {@code Node.call} from the benchmark thread on the sender node to an echo service on the receiver
 * node ({@code ctx.reply(msg.payload())}). Each request carries a fresh sequence number; the reply
 * must be byte-for-byte the request.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
final class LoomnetRemoteCall implements RemoteCall {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final int payloadBytes;
    private final ClusterPair pair;
    private final Handle echo;
    private long seq;
    private boolean closed;

    LoomnetRemoteCall(Dispatcher dispatcher, int payloadBytes) throws Exception {
        if (payloadBytes < Long.BYTES) {
            throw new IllegalArgumentException("payload must hold a sequence number");
        }
        this.payloadBytes = payloadBytes;
        this.pair = new ClusterPair(dispatcher);
        try {
            this.echo = pair.receiver.spawn(() -> (ctx, msg) -> ctx.reply(msg.payload()));
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    @Override
    public void call() {
        byte[] payload = new byte[payloadBytes];
        ByteBuffer.wrap(payload).putLong(0, ++seq);
        Object reply = pair.sender.call(echo, payload, TIMEOUT);
        if (!(reply instanceof byte[] b) || !Arrays.equals(b, payload)) {
            throw new IllegalStateException("reply to call " + seq + " is not its echo");
        }
        pair.failures.check("remote-call");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pair.close();
    }
}
