package io.loomnet.spi;

import java.time.Duration;
import java.util.Optional;

import io.loomnet.Handle;
import io.loomnet.MessageType;

/**
 * Implemented by a transport: carries messages to services on other nodes. Installed with
 * {@link io.loomnet.Node#attachRemote(RemoteRouter)}.
 *
 * <p><b>Threading.</b> Called from any thread (handlers, the timer, the closing thread), many at once.
 * {@link #route} queues the message for the link's owning thread and returns; it may block the caller only to
 * apply back-pressure to TELL and REQUEST messages (a transport's documented policy, bounded by its deadline), and
 * must never block for RESPONSE, ERROR or SYSTEM messages. Order per (source, target) pair must be kept on the
 * wire.
 */
public interface RemoteRouter {
    /**
     * Takes a message for a service on another node.
     *
     * @param source the sending service (or a node handle)
     * @param target the remote receiver
     * @param type TELL, REQUEST, SYSTEM, TIMER, RESPONSE or ERROR
     * @param session the request's session for REQUEST/RESPONSE/ERROR, else 0
     * @param payload the content; for ERROR an {@link ErrorPayload}
     * @return {@code false} if the target's node is unknown or known to be down (the node then dead-letters
     * the message and answers a request with an error); {@code true} once the transport has taken it, after which
     * it is delivered, or handed back through {@link RemoteInbox#undeliverable}, or counted by the transport as
     * lost with a peer that died
     * @throws io.loomnet.LoomnetException if the transport refuses the message for a reason the sender must see
     * (for example back-pressure past its deadline, or a payload it cannot encode); the message is then neither
     * sent nor dead-lettered
     */
    boolean route(Handle source, Handle target, MessageType type, long session, Object payload);

    /**
     * Asks the target's node to notify {@code watcher} (a local service) when {@code target} terminates,
     * with a SYSTEM {@code Terminated} message routed back. The node itself notifies watchers when the
     * target's node is declared down (see {@link RemoteInbox#nodeDown}).
     *
     * @param watcher the local watcher
     * @param target the remote service
     */
    void watch(Handle watcher, Handle target);

    /**
     * Cancels a {@link #watch}.
     *
     * @param watcher the local watcher
     * @param target the remote service
     */
    void unwatch(Handle watcher, Handle target);

    /**
     * Resolves {@code name@node}. May block the caller up to {@code timeout}.
     *
     * @param node the remote node id
     * @param name the name registered there
     * @param timeout how long to wait for the answer
     * @return the handle, or empty if unknown there or the node is unreachable
     */
    Optional<Handle> lookup(int node, String name, Duration timeout);

    /**
     * The payload of a routed ERROR reply.
     *
     * @param kind why the request failed
     * @param text the explanation, naming the service and the request
     */
    record ErrorPayload(ErrorKind kind, String text) {
    }
}
