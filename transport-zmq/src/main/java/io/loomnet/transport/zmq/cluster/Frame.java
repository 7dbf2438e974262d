package io.loomnet.transport.zmq.cluster;

import java.nio.ByteBuffer;

import io.loomnet.Handle;
import io.loomnet.MessageType;

/**
 * One cluster frame: a fixed 35-byte header and a body. Every cluster message is a single ZeroMQ frame.
 *
 * <pre>
 *  offset size field
 *  0      1    magic 0x4C ('L')
 *  1      1    version (1)
 *  2      1    kind (see {@link Kind})
 *  3      8    source handle (big-endian)
 *  11     8    target handle
 *  19     8    session (requests/replies), correlation id (lookup, ping), or 0
 *  27     8    incarnation of the receiving node that the sender addresses, or 0 if not known yet
 *  35     n    body: codec bytes for messages, UTF-8 name for LOOKUP, empty otherwise
 * </pre>
 *
 * Immutable. {@link #parse(byte[])} never throws on hostile input: it returns {@code null} for anything
 * malformed, and the caller counts and drops it.
 */
record Frame(Kind kind, Handle source, Handle target, long session, long incarnation, byte[] body, int bodyOffset) {
    static final int HEADER = 35;
    private static final int INCARNATION_OFFSET = 27;
    static final byte MAGIC = 0x4C;
    static final byte VERSION = 1;

    /** What a frame carries. Codes are part of the wire format; never renumber. */
    enum Kind {
        TELL(1), REQUEST(2), RESPONSE(3), ERROR(4), SYSTEM(5), TIMER(6),
        /** Link liveness probe; answered by PONG with the same session. */
        PING(16), PONG(17),
        /** source watches target (target lives on the receiving node). */
        WATCH(18), UNWATCH(19),
        /** Resolve the UTF-8 name in the body; answered by LOOKUP_REPLY (target = handle, or 0 if unknown). */
        LOOKUP(20), LOOKUP_REPLY(21);

        final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }

        static Kind of(byte code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }

        static Kind of(MessageType t) {
            return switch (t) {
                case TELL -> TELL;
                case REQUEST -> REQUEST;
                case RESPONSE -> RESPONSE;
                case ERROR -> ERROR;
                case SYSTEM -> SYSTEM;
                case TIMER -> TIMER;
            };
        }

        MessageType messageType() {
            return switch (this) {
                case TELL -> MessageType.TELL;
                case REQUEST -> MessageType.REQUEST;
                case RESPONSE -> MessageType.RESPONSE;
                case ERROR -> MessageType.ERROR;
                case SYSTEM -> MessageType.SYSTEM;
                case TIMER -> MessageType.TIMER;
                default -> null;
            };
        }
    }

    static byte[] encode(Kind kind, Handle source, Handle target, long session, byte[] body) {
        int n = body == null ? 0 : body.length;
        ByteBuffer b = ByteBuffer.allocate(HEADER + n);
        b.put(MAGIC).put(VERSION).put(kind.code);
        b.putLong(source.value()).putLong(target.value()).putLong(session).putLong(0);
        if (n > 0) {
            b.put(body);
        }
        return b.array();
    }

    /**
     * @param bytes a received frame
     * @return the frame, or {@code null} if the header is truncated, has a bad magic/version or an unknown kind
     */
    static Frame parse(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER || bytes[0] != MAGIC || bytes[1] != VERSION) {
            return null;
        }
        Kind kind = Kind.of(bytes[2]);
        if (kind == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(3);
        Handle source = Handle.ofValue(b.getLong());
        Handle target = Handle.ofValue(b.getLong());
        long session = b.getLong();
        long incarnation = b.getLong();
        return new Frame(kind, source, target, session, incarnation, bytes, HEADER);
    }

    /**
     * Writes the receiver's incarnation into an encoded frame. Done by the link thread just before sending,
     * when it knows which incarnation of the peer it is talking to.
     */
    static void stamp(byte[] frame, long incarnation) {
        ByteBuffer.wrap(frame).putLong(INCARNATION_OFFSET, incarnation);
    }

    int bodyLength() {
        return body.length - bodyOffset;
    }
}
