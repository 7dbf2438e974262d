package io.loomnet.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.DeadLetter;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.MessageType;
import io.loomnet.Terminated;
import io.loomnet.spi.ErrorKind;
import io.loomnet.spi.RemoteInbox;
import io.loomnet.spi.RemoteRouter;

/**
 * The node's side of a transport: the {@link RemoteInbox} the transport delivers other nodes' traffic to, from
 * {@code NodeRuntime.attachRemote}. Replies complete pending calls; messages go through the node's normal send
 * path (so they are counted and dead-lettered like local ones); a lost node fails the calls to it and notifies
 * the local watchers of its services ({@link RemoteWatches}).
 *
 * <p>Threading: called from the transport's threads, any number at once; holds no state of its own.
 */
final class RemoteSide implements RemoteInbox {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSide.class);

    private final NodeRuntime node;
    private final RemoteWatches watches;

    RemoteSide(NodeRuntime node, RemoteWatches watches) {
        this.node = node;
        this.watches = watches;
    }

    @Override
    public void deliver(Handle source, Handle target, MessageType type, long session, Object payload) {
        switch (type) {
            case RESPONSE -> node.completeRemote(target, session, payload, null);
            case ERROR -> node.completeRemote(target, session, null, payload instanceof RemoteRouter.ErrorPayload e
                    ? e : new RemoteRouter.ErrorPayload(ErrorKind.HANDLER_FAILED, String.valueOf(payload)));
            default -> {
                if (type == MessageType.SYSTEM && payload instanceof Terminated t) {
                    watches.remove(t.service(), target); // the watched service reported its own end
                }
                node.send(source, target, type, session, payload);
            }
        }
    }

    @Override
    public void watch(Handle remoteWatcher, Handle localTarget) {
        node.watch(remoteWatcher, localTarget);
    }

    @Override
    public void unwatch(Handle remoteWatcher, Handle localTarget) {
        node.unwatch(remoteWatcher, localTarget);
    }

    @Override
    public Handle lookupLocal(String name) {
        return node.localName(name);
    }

    @Override
    public void nodeDown(int lost, String reason) {
        nodeLost(lost, Terminated.Reason.NODE_UNREACHABLE, "is unreachable (" + reason + ")");
    }

    @Override
    public void nodeLeft(int lost, String reason) {
        nodeLost(lost, Terminated.Reason.NODE_LEFT, "left the cluster (" + reason + ")");
    }

    private void nodeLost(int lost, Terminated.Reason why, String what) {
        node.failCallsTo(lost, what);
        watches.takeNode(lost, (target, watchers) -> {
            Terminated notice = new Terminated(target, why, "node " + lost + " " + what);
            for (Handle w : watchers) {
                node.sendSystem(target, w, notice);
            }
        });
    }

    @Override
    public void undeliverable(Handle source, Handle target, MessageType type, long session, Object payload,
                              DeadLetter.Reason reason) {
        if (type == MessageType.RESPONSE || type == MessageType.ERROR) {
            LOG.debug("{} for session {} to {} dropped: {}", type, session, target, reason);
            return; // a reply is not a message anyone sent to a service; like a late reply, it is only logged
        }
        node.undeliverableFromRemote(new Message(source, session, type, payload), target, reason);
    }
}
