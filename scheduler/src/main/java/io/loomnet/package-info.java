/**
 * Loomnet's API: Skynet's service model with an Akka-style surface, on Java virtual threads.
 *
 * <p>A {@link io.loomnet.Node} runs {@link io.loomnet.Service}s addressed by 64-bit {@link io.loomnet.Handle}s.
 * Services talk through their {@link io.loomnet.Context}: {@code send} (one-way), {@code call} (request/response
 * that blocks only the calling handler while the service keeps going), {@code ask} (asynchronous),
 * {@code reply} and deferred {@link io.loomnet.ReplyToken}s, {@code spawn}, {@code watch}, timers and names.
 *
 * <p><b>Guarantees.</b> One service's hooks never run concurrently. Messages from one sender to one receiver
 * are handled in send order. Every message accepted by a send is either handled or counted as a
 * {@link io.loomnet.DeadLetter}; a request among dead letters is answered with an error at once, so no call
 * waits past its timeout. Handles are never reused, so a stale handle never reaches a newer service.
 *
 * <p>Failures are unchecked {@link io.loomnet.LoomnetException}s whose messages name the service, the
 * message type and the timeout. See {@code docs/guide.md} for a walk-through and {@code docs/architecture.md}
 * for how it works.
 */
package io.loomnet;
