package io.loomnet.transport.zmq.cluster;

import io.loomnet.Handle;
import io.loomnet.MessageType;

/**
 * One message on its way to a peer: its encoded bytes (length prefix and message header written in place in front
 * of the codec output, so the link copies it into a batch once) and what the node needs to dead-letter it if it
 * never leaves. It is also the node of {@link LinkOutbox}'s queue, so queueing allocates nothing more.
 *
 * <p>Written by the sending thread before it is queued; read, then cleared, by the link thread. The queue's
 * release/acquire hand-off orders the two.
 */
final class OutFrame {
    byte kind;
    Handle source;
    Handle target;
    long session;
    /** The routed message type, or {@code null} for a control message (watch, lookup, leaving). */
    MessageType type;
    /** The payload as routed, kept only to dead-letter the message if it is never sent. */
    Object payload;
    byte[] bytes;
    /** Bytes of {@link #bytes} in use: length prefix, header and body. */
    int length;
    volatile OutFrame next;

    OutFrame() {
    }

    OutFrame(byte kind, Handle source, Handle target, long session, MessageType type, Object payload, byte[] bytes,
             int length) {
        this.kind = kind;
        this.source = source;
        this.target = target;
        this.session = session;
        this.type = type;
        this.payload = payload;
        this.bytes = bytes;
        this.length = length;
    }

    /** @return whether back-pressure applies to this message (tells and requests) */
    boolean throttled() {
        return Wire.throttled(kind);
    }
}
