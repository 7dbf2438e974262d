package io.loomnet.spi;

import io.loomnet.DeadLetter;
import io.loomnet.Handle;
import io.loomnet.MessageType;

/**
 * Implemented by the node, used by a transport: hands inbound traffic, peer failures and undeliverable messages to
 * the node. Returned by {@link io.loomnet.Node#attachRemote(RemoteRouter)}. Thread-safe; never blocks.
 */
public interface RemoteInbox {
    /**
     * Delivers a message that arrived from another node, exactly as a local send would: TELL, REQUEST,
     * SYSTEM and TIMER go to the target's mailbox (or are dead-lettered, with an error routed back for a
     * request); RESPONSE and ERROR ({@link RemoteRouter.ErrorPayload}) complete the local caller's pending call.
     *
     * @param source the remote sender
     * @param target a local service
     * @param type the message type
     * @param session the session for requests and replies
     * @param payload the decoded content
     */
    void deliver(Handle source, Handle target, MessageType type, long session, Object payload);

    /**
     * A remote service asks to watch a local one; when it terminates, a SYSTEM {@code Terminated} is routed
     * to the remote watcher (at once if the local service is unknown or gone).
     *
     * @param remoteWatcher the watcher on the other node
     * @param localTarget the local service
     */
    void watch(Handle remoteWatcher, Handle localTarget);

    /**
     * @param remoteWatcher the watcher on the other node
     * @param localTarget the local service
     */
    void unwatch(Handle remoteWatcher, Handle localTarget);

    /**
     * Resolves a local name for a remote lookup.
     *
     * @param name a local name
     * @return the handle, or {@code null}
     */
    Handle lookupLocal(String name);

    /**
     * A peer node was declared unreachable: pending calls to its services fail at once, local watchers of its
     * services receive {@code Terminated} with reason NODE_UNREACHABLE. Messages routed to it afterwards
     * are dead-lettered as long as the router's {@link RemoteRouter#route} refuses them.
     *
     * @param node the peer's id
     * @param reason why, for messages and logs
     */
    void nodeDown(int node, String reason);

    /**
     * A peer node closed cleanly and said so: like {@link #nodeDown}, but pending calls fail saying the node left
     * and local watchers of its services receive {@code Terminated} with reason NODE_LEFT.
     *
     * @param node the peer's id
     * @param reason why, for messages and logs
     */
    void nodeLeft(int node, String reason);

    /**
     * A message the transport accepted from {@link RemoteRouter#route} but then could not send (its peer went down
     * or the link closed before it left): the node dead-letters it exactly as if {@code route} had refused it. It is
     * counted among the node's sent messages and dead letters, published to the node listener, and a request among
     * them is answered with an error so its caller fails now.
     *
     * @param source the local sender
     * @param target the remote receiver
     * @param type the message type
     * @param session the request's session, or 0
     * @param payload the content as it was routed
     * @param reason why it was not delivered
     */
    void undeliverable(Handle source, Handle target, MessageType type, long session, Object payload,
                       DeadLetter.Reason reason);
}
