package io.loomnet.transport.zmq;

import java.util.List;

/**
 * One request received by a machine, with its routing envelope already removed.
 *
 * <p><b>Thread safety.</b> {@link #frames()} and {@link #machineName()} may be read from any thread.
 * {@link #reply(List)} may be called from any thread; only the first call takes effect. The reply itself is sent
 * by the worker loop thread that owns the socket, which is woken if the caller is another thread.
 */
public interface MachineRequest {
    /** @return the machine that received the request */
    String machineName();

    /** @return the request's body frames (after the envelope and its empty delimiter), never {@code null} */
    List<byte[]> frames();

    /**
     * Queues the reply for sending to the client that made the request, behind the same routing envelope.
     *
     * @param frames at least one reply frame; the arrays must not be modified afterwards
     * @return {@code true} if the reply was queued; {@code false} if the request was already answered or the
     *         machine is being deleted (the reply is then dropped and counted)
     * @throws IllegalArgumentException if {@code frames} is empty
     */
    boolean reply(List<byte[]> frames);
}
