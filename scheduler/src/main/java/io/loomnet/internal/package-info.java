/**
 * The runtime behind {@link io.loomnet.Node}. Not exported; nothing here is API.
 *
 * <pre>
 *   send ──► NodeRuntime.send ──► registry lookup ──► Mailbox.offer ──WAKE──► DispatcherRuntime.wake
 *                                   │ miss                 │ CLOSED/FULL
 *                                   ▼                      ▼
 *                              deadLetter (+ error reply to a request's caller)
 *
 *   driver thread ──► ServiceCell.drive: [start] [stop/restart control] poll ──► Service.onMessage
 *                          ▲                                                        │ call/sleep
 *                          └── handed to a new driver (VIRTUAL/PLATFORM thread, or ◄─┘ releases the
 *                              the POOLED global queue) while the handler waits         exclusion
 * </pre>
 *
 * <ul>
 *   <li>{@code Mailbox}: Skynet's per-service queue with the {@code scheduled} (in_global) flag and the seal;
 *   {@code MpscMailbox} (lock-free, two lanes) for unbounded services, {@code BoundedMailbox} (a locked ring) for
 *   bounded ones.</li>
 *   <li>{@code CellRegistry}: live cells indexed by handle sequence, lock-free lookup.</li>
 *   <li>{@code ServiceCell}: lifecycle state machine, exclusion lock, Context implementation.</li>
 *   <li>{@code ThreadPerServiceDispatcher} (VIRTUAL, PLATFORM) and {@code PooledDispatcher} (POOLED).</li>
 *   <li>{@code PendingCall}: one call/ask/sleep awaiting its reply, keyed by session in {@code NodeRuntime}.</li>
 *   <li>{@code ServiceMonitor}: Skynet's endless-loop monitor, and the retirement of idle services' threads.
 *   {@code timer}: the hashed timing wheel.</li>
 *   <li>{@code RemoteSide}: the inbox a transport delivers to; {@code RemoteWatches}: local watchers of remote
 *   services.</li>
 * </ul>
 */
package io.loomnet.internal;
