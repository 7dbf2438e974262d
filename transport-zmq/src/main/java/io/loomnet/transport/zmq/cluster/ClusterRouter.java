package io.loomnet.transport.zmq.cluster;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.loomnet.Handle;
import io.loomnet.MessageType;
import io.loomnet.Terminated;
import io.loomnet.spi.RemoteInbox;
import io.loomnet.spi.RemoteRouter;
import io.loomnet.transport.zmq.codec.Codec;

/**
 * Carries the node's messages for other nodes to the links. Runs on the sending thread: it encodes the payload
 * behind room for the message header, writes the header in place, and offers the result to the target node's
 * link; the link thread copies it into a batch once. Thread-safe; blocks only to apply back-pressure to tells and
 * requests (see {@link BackPressure}), and in {@link #lookup}.
 */
final class ClusterRouter implements RemoteRouter {
    private final int self;
    private final PeerLink[] links;
    private final Codec codec;
    private final ClusterConfig config;
    private volatile RemoteInbox inbox;

    ClusterRouter(int self, PeerLink[] links, Codec codec, ClusterConfig config) {
        this.self = self;
        this.links = links;
        this.codec = codec;
        this.config = config;
    }

    void attach(RemoteInbox in) {
        this.inbox = in;
    }

    private PeerLink link(int node) {
        return node >= 0 && node < links.length ? links[node] : null;
    }

    @Override
    public boolean route(Handle source, Handle target, MessageType type, long session, Object payload) {
        PeerLink link = link(target.node());
        if (link == null) {
            return false;
        }
        byte kind = Wire.kindOf(type);
        Codec.Framed enc = codec.encodeFramed(payload, Wire.MESSAGE_HEADROOM);
        int size = enc.length() - Wire.LENGTH_PREFIX;
        if (size > config.maxFrameBytes()) {
            throw new ClusterException(type + " " + (payload == null ? "null" : payload.getClass().getName())
                    + " from " + source + " to " + target + " is " + size + " bytes, over the cluster frame limit of "
                    + config.maxFrameBytes() + " bytes");
        }
        Wire.messageHeader(enc.bytes(), enc.length(), kind, source.value(), target.value(), session);
        return link.offer(new OutFrame(kind, source, target, session, type, payload, enc.bytes(), enc.length()));
    }

    @Override
    public void watch(Handle watcher, Handle target) {
        PeerLink link = link(target.node());
        if (link == null || !link.offer(control(Wire.WATCH, watcher, target))) {
            RemoteInbox in = inbox;
            if (in != null) {
                in.deliver(target, watcher, MessageType.SYSTEM, 0, new Terminated(target,
                        Terminated.Reason.NODE_UNREACHABLE, "node " + target.node() + " is unknown or down"));
            }
        }
    }

    @Override
    public void unwatch(Handle watcher, Handle target) {
        PeerLink link = link(target.node());
        if (link != null) {
            link.offer(control(Wire.UNWATCH, watcher, target));
        }
    }

    private static OutFrame control(byte kind, Handle source, Handle target) {
        byte[] b = new byte[Wire.MESSAGE_HEADROOM];
        Wire.messageHeader(b, b.length, kind, source.value(), target.value(), 0);
        return new OutFrame(kind, source, target, 0, null, null, b, b.length);
    }

    @Override
    public Optional<Handle> lookup(int node, String name, Duration timeout) {
        PeerLink link = link(node);
        if (link == null || node == self) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(link.lookup(name).get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }
}
