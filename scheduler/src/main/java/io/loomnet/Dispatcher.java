package io.loomnet;

/**
 * How mailboxes get threads. All three give the same semantics (mutual exclusion per service, FIFO per
 * sender/receiver pair, call suspension, lifecycle); they differ in cost. Chosen per node and overridable
 * per service. See {@code docs/guide.md#dispatchers}.
 */
public enum Dispatcher {
    /**
     * Default. Each service's mailbox loop runs on a virtual thread that parks while the mailbox is empty.
     * Handlers may block freely.
     */
    VIRTUAL,
    /** The same loop on platform threads: the baseline to compare with. One OS thread per live service. */
    PLATFORM,
    /**
     * Skynet's two-level queue: a global queue of non-empty mailboxes served by N platform workers with
     * per-worker batch weights. Fast for handlers that never block. A handler that blocks in {@code call} or
     * {@code sleep} detaches its worker and a replacement worker is started, so semantics hold, at the price
     * of one platform thread per blocked handler; a handler blocking in other ways holds its worker.
     */
    POOLED
}
