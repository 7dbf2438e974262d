package io.loomnet.transport.zmq.cluster;

import io.loomnet.MessageType;

/**
 * The cluster wire format, version 2 (documented in {@code docs/cluster.md}). Every ZeroMQ frame a cluster sends
 * starts with a 4-byte preamble: magic {@code 'L'}, version, kind, flags (0). All integers are big-endian.
 *
 * <pre>
 *  BATCH (link → inbox, data connection): preamble, then
 *    4   8  receiver incarnation the sender addresses (0 before it knows one)
 *    12  8  epoch: the sender's data stream, new on every new data connection
 *    20  2  sender node id
 *    22  2  reserved (0)
 *    24  4  message count n
 *    28  n × [u32 length][message]
 *  message:
 *    0   1  kind (TELL..TIMER, WATCH, UNWATCH, LOOKUP, LEAVING)
 *    1   8  source handle
 *    9   8  target handle
 *    17  8  session (requests and replies), correlation id (LOOKUP), or 0
 *    25  …  body: codec bytes (messages), UTF-8 name (LOOKUP), empty otherwise
 *
 *  PING (link → inbox, heartbeat connection): preamble, sender node handle (8), sequence (8),
 *                                             current epoch (8), previous epoch (8)
 *  PONG (inbox → link):   preamble, sequence (8), receiver incarnation (8),
 *                         messages received in the current epoch (8), in the previous epoch (8)
 *  LOOKUP_REPLY (inbox → link, data connection): preamble, correlation (8), handle (8, 0 if unknown)
 *  LEFT (inbox → link, data connection): preamble, messages received in the epoch (8), epoch (8)
 *  A reply of the inbox to a batch (LOOKUP_REPLY, LEFT) may carry several such frames as one multipart message.
 * </pre>
 *
 * Parsing never throws on hostile input: every reader checks lengths first, and the caller counts and drops
 * anything malformed.
 */
final class Wire {
    static final byte MAGIC = 0x4C;
    static final byte VERSION = 2;
    static final int PREAMBLE = 4;
    static final int BATCH_HEADER = 28;
    static final int MESSAGE_HEADER = 25;
    /** Length prefix of each message in a batch. */
    static final int LENGTH_PREFIX = 4;
    /** What a sender reserves in front of a message's codec bytes: the length prefix and the message header. */
    static final int MESSAGE_HEADROOM = LENGTH_PREFIX + MESSAGE_HEADER;
    static final int PING_SIZE = PREAMBLE + 32;
    static final int PONG_SIZE = PREAMBLE + 32;
    static final int LOOKUP_REPLY_SIZE = PREAMBLE + 16;
    static final int LEFT_SIZE = PREAMBLE + 16;

    /** Frame kinds (the preamble's third byte). Codes are part of the wire format; never renumber. */
    static final byte BATCH = 0x20;
    static final byte PING = 16;
    static final byte PONG = 17;
    static final byte LOOKUP_REPLY = 21;
    static final byte LEFT = 23;

    /** Message kinds inside a batch. Codes are part of the wire format; never renumber. */
    static final byte TELL = 1;
    static final byte REQUEST = 2;
    static final byte RESPONSE = 3;
    static final byte ERROR = 4;
    static final byte SYSTEM = 5;
    static final byte TIMER = 6;
    static final byte WATCH = 18;
    static final byte UNWATCH = 19;
    static final byte LOOKUP = 20;
    static final byte LEAVING = 22;

    private static final MessageType[] TYPES = new MessageType[7];
    private static final byte[] CODES = new byte[MessageType.values().length];

    static {
        TYPES[TELL] = MessageType.TELL;
        TYPES[REQUEST] = MessageType.REQUEST;
        TYPES[RESPONSE] = MessageType.RESPONSE;
        TYPES[ERROR] = MessageType.ERROR;
        TYPES[SYSTEM] = MessageType.SYSTEM;
        TYPES[TIMER] = MessageType.TIMER;
        for (int code = 1; code < TYPES.length; code++) {
            CODES[TYPES[code].ordinal()] = (byte) code;
        }
    }

    private Wire() {
    }

    /** @return the message kind that carries {@code type}; a table lookup, no allocation */
    static byte kindOf(MessageType type) {
        return CODES[type.ordinal()];
    }

    /** @return the message type a message kind carries, or {@code null} if the kind is not a message type */
    static MessageType typeOf(byte kind) {
        return kind > 0 && kind < TYPES.length ? TYPES[kind] : null;
    }

    /** @return whether the kind may be refused under back-pressure (TELL and REQUEST); replies and notices never */
    static boolean throttled(byte kind) {
        return kind == TELL || kind == REQUEST;
    }

    static void preamble(byte[] b, byte kind) {
        b[0] = MAGIC;
        b[1] = VERSION;
        b[2] = kind;
        b[3] = 0;
    }

    /** @return the frame kind, or 0 if the frame is too short or not ours */
    static byte frameKind(byte[] b) {
        return b != null && b.length >= PREAMBLE && b[0] == MAGIC && b[1] == VERSION ? b[2] : 0;
    }

    /** Writes a message header (and its length prefix) into the headroom of an encoded frame. */
    static void messageHeader(byte[] b, int length, byte kind, long source, long target, long session) {
        putInt(b, 0, length - LENGTH_PREFIX);
        b[LENGTH_PREFIX] = kind;
        putLong(b, LENGTH_PREFIX + 1, source);
        putLong(b, LENGTH_PREFIX + 9, target);
        putLong(b, LENGTH_PREFIX + 17, session);
    }

    static byte[] ping(long senderNode, long sequence, long epoch, long previousEpoch) {
        byte[] b = new byte[PING_SIZE];
        preamble(b, PING);
        putLong(b, 4, senderNode);
        putLong(b, 12, sequence);
        putLong(b, 20, epoch);
        putLong(b, 28, previousEpoch);
        return b;
    }

    static byte[] pong(long sequence, long incarnation, long received, long receivedPrevious) {
        byte[] b = new byte[PONG_SIZE];
        preamble(b, PONG);
        putLong(b, 4, sequence);
        putLong(b, 12, incarnation);
        putLong(b, 20, received);
        putLong(b, 28, receivedPrevious);
        return b;
    }

    static byte[] lookupReply(long correlation, long handle) {
        byte[] b = new byte[LOOKUP_REPLY_SIZE];
        preamble(b, LOOKUP_REPLY);
        putLong(b, 4, correlation);
        putLong(b, 12, handle);
        return b;
    }

    static byte[] left(long received, long epoch) {
        byte[] b = new byte[LEFT_SIZE];
        preamble(b, LEFT);
        putLong(b, 4, received);
        putLong(b, 12, epoch);
        return b;
    }

    /** Writes a batch header; the messages follow at {@link #BATCH_HEADER}. */
    static void batchHeader(byte[] b, long incarnation, long epoch, int senderNode, int count) {
        preamble(b, BATCH);
        putLong(b, 4, incarnation);
        putLong(b, 12, epoch);
        b[20] = (byte) (senderNode >>> 8);
        b[21] = (byte) senderNode;
        b[22] = 0;
        b[23] = 0;
        putInt(b, 24, count);
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }
}
