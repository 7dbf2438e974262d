package io.loomnet.transport.zmq.internal;

import java.util.Arrays;

import org.zeromq.ZMQ;

/**
 * The commands a machine's frontend loop obeys on its PAIR control socket: JeroMQ's own proxy command words
 * ({@code PAUSE}, {@code RESUME}, {@code TERMINATE}), so a client written for {@code ZMQ.proxy} steers a Loomnet
 * machine the same way. Anything else is counted and ignored, never fatal (JeroMQ's proxy asserts on it).
 */
enum ControlCommands {
    /** Stop taking requests from clients; queued replies are still sent. */
    PAUSE,
    /** Take requests again. */
    RESUME,
    /** End the loop; it closes its sockets on its own thread. */
    TERMINATE,
    /** Not a command. */
    UNKNOWN;

    static ControlCommands parse(byte[] frame) {
        if (frame == null) {
            return UNKNOWN;
        }
        if (Arrays.equals(frame, ZMQ.PROXY_TERMINATE)) {
            return TERMINATE;
        }
        if (Arrays.equals(frame, ZMQ.PROXY_PAUSE)) {
            return PAUSE;
        }
        if (Arrays.equals(frame, ZMQ.PROXY_RESUME)) {
            return RESUME;
        }
        return UNKNOWN;
    }
}
