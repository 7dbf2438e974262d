package io.loomnet.transport.zmq;

/**
 * The worker side of a machine: turns request frames into reply frames.
 *
 * <p><b>Threading.</b> {@link #onRequest(MachineRequest)} is called on a worker loop thread, a platform thread
 * that owns the loop's ZeroMQ socket. It must return promptly and must never block: a blocked call holds up
 * every request behind it on that loop. Slow work is handed off and answered later with
 * {@link MachineRequest#reply(java.util.List)}, which may be called from any thread. With
 * {@link MachineSpec.Builder#workerThreads(int)} above one, the same instance is called concurrently from
 * several loops and must be thread-safe.
 *
 * <p><b>Ordering.</b> Requests reach one loop in the order the proxy forwards them; replies are sent in the
 * order they are {@linkplain MachineRequest#reply(java.util.List) handed in}, not in request order.
 */
@FunctionalInterface
public interface MachineWorker {
    /**
     * Handles one request. Answer it exactly once through {@link MachineRequest#reply(java.util.List)}, now or
     * later, from any thread. A request never answered leaves a REQ client waiting, so only drop one on purpose.
     * An exception thrown here is logged and counted; the loop keeps running and the request gets no reply.
     *
     * @param request the request; valid until answered
     */
    void onRequest(MachineRequest request);

    /**
     * Called once on each worker loop thread after that loop has closed its socket. The default does nothing.
     *
     * @param machineName the machine being deleted
     */
    default void onClose(String machineName) {
    }
}
