package io.loomnet.transport.zmq.cluster;

import java.util.ArrayList;
import java.util.List;

import io.loomnet.Handle;

/** Builds cluster wire frames by hand for hostile-input tests (the test side of {@link Wire}). */
final class WireFrames {
    private WireFrames() {
    }

    /** @return one message (length prefix included) of {@code kind} with {@code body} */
    static byte[] message(byte kind, Handle source, Handle target, long session, byte[] body) {
        byte[] b = new byte[Wire.MESSAGE_HEADROOM + body.length];
        System.arraycopy(body, 0, b, Wire.MESSAGE_HEADROOM, body.length);
        Wire.messageHeader(b, b.length, kind, source.value(), target.value(), session);
        return b;
    }

    /** @return a batch of the given messages, stamped for {@code incarnation} (0: unknown) */
    static byte[] batch(long incarnation, long epoch, int senderNode, byte[]... messages) {
        return batch(incarnation, epoch, senderNode, messages.length, messages);
    }

    /** @return a batch whose header claims {@code count} messages, whatever follows */
    static byte[] batch(long incarnation, long epoch, int senderNode, int count, byte[]... messages) {
        int n = Wire.BATCH_HEADER;
        for (byte[] m : messages) {
            n += m.length;
        }
        byte[] b = new byte[n];
        Wire.batchHeader(b, incarnation, epoch, senderNode, count);
        int at = Wire.BATCH_HEADER;
        for (byte[] m : messages) {
            System.arraycopy(m, 0, b, at, m.length);
            at += m.length;
        }
        return b;
    }

    static byte[] ping(int senderNode, long seq, long epoch) {
        return Wire.ping(Handle.of(senderNode, 0).value(), seq, epoch, 0);
    }

    /** A parsed PONG. */
    record Pong(long sequence, long incarnation, long received, long receivedPrevious) {
    }

    static Pong pong(byte[] f) {
        if (Wire.frameKind(f) != Wire.PONG || f.length != Wire.PONG_SIZE) {
            return null;
        }
        return new Pong(Wire.getLong(f, 4), Wire.getLong(f, 12), Wire.getLong(f, 20), Wire.getLong(f, 28));
    }

    static List<byte[]> all(byte[]... frames) {
        return new ArrayList<>(List.of(frames));
    }
}
