package io.loomnet.transport.zmq.cluster;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.Handle;
import io.loomnet.spi.ErrorKind;
import io.loomnet.spi.RemoteInbox;
import io.loomnet.spi.RemoteRouter;
import io.loomnet.transport.zmq.MachineRequest;
import io.loomnet.transport.zmq.MachineWorker;
import io.loomnet.transport.zmq.codec.Codec;
import io.loomnet.transport.zmq.codec.CodecException;

/**
 * The worker side of this node's inbox machine: turns each frame from a peer into a call on the node's
 * {@link RemoteInbox}. Runs on the machine's single worker loop thread, so frames are handed to the node in
 * the order they arrived (one loop keeps per-sender order). Never blocks: the inbox only enqueues.
 *
 * <p>Hostile input never escapes: a frame that is not exactly one part, is over the size limit, has a bad
 * header, an unknown kind, a target on another node, or a payload the codec cannot decode is counted and
 * dropped; if it was a request, the sender gets an error reply routed back.
 */
final class InboxWorker implements MachineWorker {
    private static final Logger LOG = LoggerFactory.getLogger(InboxWorker.class);

    private final int self;
    /** This cluster's incarnation, sent in every PONG so peers notice a restart. */
    private final byte[] incarnationBytes;
    private final long incarnation;
    private final ClusterConfig config;
    private final Codec codec;
    private final ClusterStats.Counters counters;
    private volatile RemoteInbox inbox;
    private volatile RemoteRouter router;

    InboxWorker(int self, long incarnation, ClusterConfig config, Codec codec, ClusterStats.Counters counters) {
        this.incarnation = incarnation;
        this.incarnationBytes = java.nio.ByteBuffer.allocate(8).putLong(incarnation).array();
        this.self = self;
        this.config = config;
        this.codec = codec;
        this.counters = counters;
    }

    void attach(RemoteInbox inbox, RemoteRouter router) {
        this.inbox = inbox;
        this.router = router;
    }

    @Override
    public void onRequest(MachineRequest request) {
        counters.framesIn.increment();
        List<byte[]> frames = request.frames();
        if (frames.size() != 1) {
            drop("wrong frame count " + frames.size(), null);
            return;
        }
        byte[] bytes = frames.get(0);
        if (bytes.length > config.maxFrameBytes()) {
            counters.oversize.increment();
            Frame header = Frame.parse(bytes);
            LOG.debug("frame of {} bytes over the {}-byte limit dropped", bytes.length, config.maxFrameBytes());
            if (header != null && header.kind() == Frame.Kind.REQUEST) {
                errorBack(header, ErrorKind.HANDLER_FAILED, "request of " + bytes.length + " bytes to " + header.target()
                        + " is over node " + self + "'s frame limit of " + config.maxFrameBytes() + " bytes");
            }
            return;
        }
        Frame f = Frame.parse(bytes);
        if (f == null) {
            drop("malformed header (" + bytes.length + " bytes)", null);
            return;
        }
        RemoteInbox in = inbox;
        if (in == null) {
            drop("cluster not attached yet", f);
            return;
        }
        switch (f.kind()) {
            case PING -> request.reply(List.of(Frame.encode(Frame.Kind.PONG, Handle.of(self, 0), f.source(),
                    f.session(), incarnationBytes)));
            case PONG, LOOKUP_REPLY -> drop("reply kind " + f.kind() + " sent to an inbox", f);
            case LOOKUP -> {
                String name = utf8(f);
                Handle h = name == null ? null : in.lookupLocal(name);
                request.reply(List.of(Frame.encode(Frame.Kind.LOOKUP_REPLY, Handle.of(self, 0),
                        h == null ? Handle.ofValue(0) : h, f.session(), null)));
            }
            case WATCH -> {
                if (local(f)) {
                    in.watch(f.source(), f.target());
                }
            }
            case UNWATCH -> {
                if (local(f)) {
                    in.unwatch(f.source(), f.target());
                }
            }
            default -> deliver(in, f);
        }
    }

    private void deliver(RemoteInbox in, Frame f) {
        if (!local(f)) {
            return;
        }
        if (f.incarnation() != 0 && f.incarnation() != incarnation) {
            counters.stale.increment();
            LOG.debug("frame {} from {} to {} for an earlier incarnation of node {} dropped", f.kind(), f.source(),
                    f.target(), self);
            if (f.kind() == Frame.Kind.REQUEST) {
                errorBack(f, ErrorKind.UNAVAILABLE, "node " + self + " restarted; service " + f.target()
                        + " of its earlier run is gone");
            }
            return;
        }
        Object payload;
        try {
            payload = codec.decode(f.body(), f.bodyOffset(), f.bodyLength());
        } catch (CodecException e) {
            counters.undecodable.increment();
            LOG.debug("frame {} from {} to {} with an undecodable payload dropped: {}", f.kind(), f.source(),
                    f.target(), e.getMessage());
            if (f.kind() == Frame.Kind.REQUEST) {
                errorBack(f, ErrorKind.HANDLER_FAILED, "node " + self + " could not decode request to " + f.target()
                        + ": " + e.getMessage());
            }
            return;
        }
        counters.delivered.increment();
        in.deliver(f.source(), f.target(), f.kind().messageType(), f.session(), payload);
    }

    private boolean local(Frame f) {
        if (f.target().node() != self) {
            drop("target " + f.target() + " is not on node " + self, f);
            return false;
        }
        return true;
    }

    private String utf8(Frame f) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(f.body(), f.bodyOffset(), f.bodyLength())).toString();
        } catch (CharacterCodingException e) {
            drop("lookup name is not UTF-8", f);
            return null;
        }
    }

    private void drop(String why, Frame f) {
        counters.malformed.increment();
        LOG.debug("inbox of node {} dropped a frame: {}", self, why);
        if (f != null && f.kind() == Frame.Kind.REQUEST) {
            errorBack(f, ErrorKind.UNAVAILABLE, "node " + self + " refused request to " + f.target() + ": " + why);
        }
    }

    private void errorBack(Frame f, ErrorKind kind, String text) {
        RemoteRouter r = router;
        if (r != null && f.source().node() != self) {
            r.route(f.target(), f.source(), io.loomnet.MessageType.ERROR, f.session(),
                    new RemoteRouter.ErrorPayload(kind, text));
        }
    }
}
