package io.loomnet.transport.zmq.internal;

import java.util.concurrent.atomic.LongAdder;

import zmq.Msg;
import zmq.msg.MsgAllocator;

/**
 * The hostile-frame armour of every socket Loomnet binds: a JeroMQ {@link MsgAllocator} (installed with
 * {@code setMsgAllocator}, so the decoder of every connection of that socket calls it) that refuses the two frame
 * shapes JeroMQ 0.6.0's decoder cannot survive. See {@code docs/decisions/0007-hostile-frame-guard.md}.
 *
 * <ol>
 *   <li><b>Negative or oversize declared sizes.</b> {@code Decoder.sizeReady(long)} checks a ZMTP long frame's
 *   64-bit size against {@code maxMsgSize} and {@code Integer.MAX_VALUE}, both of which a size with its top bit set
 *   passes, then allocates {@code (int) size}: a negative int throws {@code NegativeArraySizeException} on the I/O
 *   thread, and a positive one can be far above {@code maxMsgSize}. Either way the connection's engine is left
 *   wedged (every later read throws again) and the context can no longer terminate. The guard refuses any size
 *   below zero or above the socket's limit.</li>
 *   <li><b>Truncated PING commands.</b> A command frame of 5 or 6 bytes that starts with {@code \4PING} reaches
 *   {@code StreamEngine.processHeartbeatMessage}, which reads a TTL at offset 5 and a context at offset 7:
 *   {@code IndexOutOfBoundsException} on the I/O thread, the same wedge. The guard allocates frames shorter
 *   than a valid PING as a message that reports size 0 while it is a command, so JeroMQ sees an unknown command
 *   and discards it; as a data frame it is unchanged.</li>
 * </ol>
 *
 * <p>A refused frame becomes an empty command frame, which JeroMQ discards without passing it on. JeroMQ offers
 * no way to fail the connection from an allocator (an exception would wedge it as above), so its declared body,
 * if the peer sends one, is then read as further frames: bytes that peer could have sent as frames anyway, and
 * that meet the same guard. The refusal is counted in {@link #refused()}.
 *
 * <p><b>Threading.</b> Called on the context's I/O thread; {@link #refused()} may be read from any thread.
 */
public final class FrameGuard implements MsgAllocator {
    /** A valid PING command is at least 7 bytes: {@code \4PING} and a 2-byte TTL. */
    static final int MIN_PING = 7;

    private final int limit;
    private final LongAdder refused = new LongAdder();

    /**
     * @param limit the largest frame body accepted, in bytes (the socket's {@code maxMsgSize} should be the same)
     */
    public FrameGuard(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("frame limit must not be negative, was " + limit);
        }
        this.limit = limit;
    }

    /** @return the largest frame body accepted */
    public int limit() {
        return limit;
    }

    /** @return frames refused for a negative or oversize declared size */
    public long refused() {
        return refused.sum();
    }

    @Override
    public Msg allocate(int size) {
        if (size < 0 || size > limit) {
            refused.increment();
            return new RefusedFrame();
        }
        return size < MIN_PING ? new ShortFrame(size) : new Msg(size);
    }

    /** What a refused frame becomes: empty and marked as a command, which JeroMQ's session discards. */
    private static final class RefusedFrame extends Msg {
        RefusedFrame() {
            super(0);
            super.setFlags(COMMAND);
        }

        @Override
        public void setFlags(int flags) {
            super.setFlags(flags | COMMAND); // the decoder adds the wire flags; it stays a command
        }
    }

    /** A frame too short to be a valid PING: as a command it reports size 0, so it is never parsed as one. */
    private static final class ShortFrame extends Msg {
        ShortFrame(int size) {
            super(size);
        }

        @Override
        public int size() {
            return isCommand() ? 0 : super.size();
        }
    }
}
