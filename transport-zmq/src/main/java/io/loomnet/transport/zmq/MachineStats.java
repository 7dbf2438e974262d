package io.loomnet.transport.zmq;

/**
 * Counters of one machine, read with {@link Machine#stats()}; individually accurate, not a consistent cut.
 *
 * @param requests requests handed to the worker
 * @param droppedReplies replies that could not be sent: the client had disconnected, was not reading (its queue at
 *                       the high-water mark), or the machine was being deleted
 * @param refusedFrames frames refused by the hostile-frame guard: a negative declared size, or one over
 *                      {@link MachineSpec#maxMessageBytes()} that JeroMQ's own check let through
 * @param heldRequests times a request had to wait because every worker's queue was full (proxy machines only)
 * @param unknownControlFrames frames on the control socket that were not PAUSE, RESUME or TERMINATE
 * @param jeromqErrors exceptions JeroMQ reported on the machine's own I/O and reaper threads
 */
public record MachineStats(long requests, long droppedReplies, long refusedFrames, long heldRequests,
                           long unknownControlFrames, long jeromqErrors) {
}
