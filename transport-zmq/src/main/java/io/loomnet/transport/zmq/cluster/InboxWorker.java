package io.loomnet.transport.zmq.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.DeadLetter;
import io.loomnet.Handle;
import io.loomnet.MessageType;
import io.loomnet.spi.ErrorKind;
import io.loomnet.spi.RemoteInbox;
import io.loomnet.spi.RemoteRouter;
import io.loomnet.transport.zmq.MachineRequest;
import io.loomnet.transport.zmq.MachineWorker;
import io.loomnet.transport.zmq.codec.Codec;
import io.loomnet.transport.zmq.codec.CodecException;

/**
 * The worker of this node's inbox machine, called on the machine's one loop thread (which owns the ROUTER, so a
 * frame crosses one thread on its way in): unpacks each batch from a peer's link and hands every message to the
 * node's {@link RemoteInbox} in order; answers PINGs with PONGs that carry this node's incarnation and how many
 * messages of the sender's epochs it has received; answers LOOKUPs and LEAVING.
 *
 * <p><b>Counting.</b> Every message of a well-formed batch is counted for its sender's epoch, whatever becomes of
 * it here (delivered, stale, undecodable, malformed): that count is what the sender's accounting settles against.
 *
 * <p><b>Hostile input never escapes.</b> A frame that is not exactly one part, has a bad preamble or header, an
 * inconsistent message length, an unknown kind, a target on another node, or a payload the codec cannot decode
 * is counted and dropped; if it was a request, the sender gets an error reply routed back. Never blocks: the
 * node's inbox only enqueues.
 */
final class InboxWorker implements MachineWorker {
    private static final Logger LOG = LoggerFactory.getLogger(InboxWorker.class);

    private final int self;
    private final long incarnation;
    private final ClusterConfig config;
    private final Codec codec;
    private final ClusterStats.Counters counters;
    private final Listener listener;
    /** Per sender node: its last two epochs and their counts. Loop thread only. */
    private final SenderCounts[] senders = new SenderCounts[Handle.MAX_NODE + 1];
    private volatile RemoteInbox inbox;
    private volatile RemoteRouter router;

    /** Told on the loop thread; must not block. */
    interface Listener {
        /** A PING or batch from {@code node} arrived: it is alive (and its inbox is bound). */
        void peerSeen(int node);

        /** {@code node} said it is leaving. */
        void peerLeaving(int node);
    }

    /** Messages received from one sender node, for its current and previous epoch. */
    private static final class SenderCounts {
        long epoch;
        long received;
        long previousEpoch;
        long previousReceived;

        void count(long e, int n) {
            if (e != epoch) {
                if (e == previousEpoch) {
                    previousReceived += n; // a late batch of the stream before; rare
                    return;
                }
                previousEpoch = epoch;
                previousReceived = received;
                epoch = e;
                received = 0;
            }
            received += n;
        }

        long receivedIn(long e) {
            return e == 0 ? 0 : e == epoch ? received : e == previousEpoch ? previousReceived : 0;
        }
    }

    InboxWorker(int self, long incarnation, ClusterConfig config, Codec codec, ClusterStats.Counters counters,
                Listener listener) {
        this.self = self;
        this.incarnation = incarnation;
        this.config = config;
        this.codec = codec;
        this.counters = counters;
        this.listener = listener;
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
            malformed("wrong frame count " + frames.size());
            return;
        }
        byte[] f = frames.get(0);
        switch (Wire.frameKind(f)) {
            case Wire.PING -> ping(request, f);
            case Wire.BATCH -> batch(request, f);
            default -> malformed("unknown frame (" + f.length + " bytes)");
        }
    }

    private void ping(MachineRequest request, byte[] f) {
        if (f.length != Wire.PING_SIZE) {
            malformed("PING of " + f.length + " bytes");
            return;
        }
        int node = Handle.ofValue(Wire.getLong(f, 4)).node();
        long seq = Wire.getLong(f, 12);
        long epoch = Wire.getLong(f, 20);
        long previous = Wire.getLong(f, 28);
        SenderCounts c = senders[node];
        long received = c == null ? 0 : c.receivedIn(epoch);
        long receivedPrevious = c == null ? 0 : c.receivedIn(previous);
        request.reply(List.of(Wire.pong(seq, incarnation, received, receivedPrevious)));
        if (node != self) {
            listener.peerSeen(node);
        }
    }

    private void batch(MachineRequest request, byte[] f) {
        if (f.length < Wire.BATCH_HEADER) {
            malformed("batch header truncated (" + f.length + " bytes)");
            return;
        }
        long addressed = Wire.getLong(f, 4);
        long epoch = Wire.getLong(f, 12);
        int node = (f[20] & 0xff) << 8 | (f[21] & 0xff);
        int count = Wire.getInt(f, 24);
        if (count < 0 || node == self) {
            malformed("batch header with count " + count + " from node " + node);
            return;
        }
        RemoteInbox in = inbox;
        if (in == null) {
            malformed("cluster not attached yet");
            return;
        }
        SenderCounts c = senders[node];
        if (c == null) {
            c = new SenderCounts();
            senders[node] = c;
        }
        boolean stale = addressed != 0 && addressed != incarnation;
        List<byte[]> replies = null;
        int at = Wire.BATCH_HEADER;
        int seen = 0;
        for (; seen < count; seen++) {
            if (f.length - at < Wire.LENGTH_PREFIX) {
                break;
            }
            int len = Wire.getInt(f, at);
            at += Wire.LENGTH_PREFIX;
            if (len < Wire.MESSAGE_HEADER || len > f.length - at) {
                break;
            }
            if (len > config.maxFrameBytes()) {
                counters.oversize.increment();
            } else {
                byte[] reply = message(in, f, at, len, stale, epoch, c, seen + 1);
                if (reply != null) {
                    if (replies == null) {
                        replies = new ArrayList<>(2);
                    }
                    replies.add(reply);
                }
            }
            at += len;
        }
        c.count(epoch, seen);
        if (seen < count || at != f.length) {
            malformed("batch from node " + node + " inconsistent after " + seen + " of " + count + " messages");
        }
        listener.peerSeen(node);
        if (replies != null) {
            request.reply(replies);
        }
    }

    /** @return a control reply for the sender's link, or {@code null} */
    private byte[] message(RemoteInbox in, byte[] f, int at, int len, boolean stale, long epoch, SenderCounts c,
                           int seenSoFar) {
        byte kind = f[at];
        Handle source = Handle.ofValue(Wire.getLong(f, at + 1));
        Handle target = Handle.ofValue(Wire.getLong(f, at + 9));
        long session = Wire.getLong(f, at + 17);
        int body = at + Wire.MESSAGE_HEADER;
        int bodyLength = len - Wire.MESSAGE_HEADER;
        switch (kind) {
            case Wire.LOOKUP -> {
                String name = utf8(f, body, bodyLength);
                Handle h = name == null || stale ? null : in.lookupLocal(name);
                return Wire.lookupReply(session, h == null ? 0 : h.value());
            }
            case Wire.LEAVING -> {
                listener.peerLeaving(source.node());
                // Everything this epoch carried up to and including LEAVING has been received.
                return Wire.left(c.receivedIn(epoch) + seenSoFar, epoch);
            }
            case Wire.WATCH, Wire.UNWATCH -> {
                if (local(target, kind, source, session) && !stale) {
                    if (kind == Wire.WATCH) {
                        in.watch(source, target);
                    } else {
                        in.unwatch(source, target);
                    }
                } else if (stale) {
                    counters.stale.increment();
                }
                return null;
            }
            default -> {
                MessageType type = Wire.typeOf(kind);
                if (type == null) {
                    malformed("unknown message kind " + kind);
                    return null;
                }
                deliver(in, type, source, target, session, f, body, bodyLength, stale);
                return null;
            }
        }
    }

    private void deliver(RemoteInbox in, MessageType type, Handle source, Handle target, long session, byte[] f,
                         int body, int bodyLength, boolean stale) {
        if (!local(target, type == MessageType.REQUEST ? Wire.REQUEST : 0, source, session)) {
            return;
        }
        Object payload = null;
        CodecException undecodable = null;
        try {
            payload = codec.decode(f, body, bodyLength);
        } catch (CodecException e) {
            undecodable = e;
        }
        if (stale) {
            // Addressed to an earlier run of this node, whose handles this run reuses: never delivered. The node
            // dead-letters it (a request gets its error reply) like a message to an unknown service.
            counters.stale.increment();
            LOG.debug("{} from {} to {} for an earlier incarnation of node {} dropped", type, source, target, self);
            in.undeliverable(source, target, type, session, payload, DeadLetter.Reason.UNKNOWN_TARGET);
            return;
        }
        if (undecodable != null) {
            counters.undecodable.increment();
            LOG.debug("{} from {} to {} with an undecodable payload dropped: {}", type, source, target,
                    undecodable.getMessage());
            if (type == MessageType.REQUEST) {
                errorBack(target, source, session, ErrorKind.HANDLER_FAILED, "node " + self
                        + " could not decode request to " + target + ": " + undecodable.getMessage());
            }
            return;
        }
        counters.delivered.increment();
        in.deliver(source, target, type, session, payload);
    }

    private boolean local(Handle target, byte kind, Handle source, long session) {
        if (target.node() != self) {
            malformed("target " + target + " is not on node " + self);
            if (kind == Wire.REQUEST) {
                errorBack(target, source, session, ErrorKind.UNAVAILABLE, "node " + self + " refused request to "
                        + target + ": not on this node");
            }
            return false;
        }
        return true;
    }

    private String utf8(byte[] f, int at, int len) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(f, at, len)).toString();
        } catch (CharacterCodingException e) {
            malformed("lookup name is not UTF-8");
            return null;
        }
    }

    private void malformed(String why) {
        counters.malformed.increment();
        LOG.debug("inbox of node {} dropped input: {}", self, why);
    }

    private void errorBack(Handle from, Handle to, long session, ErrorKind kind, String text) {
        RemoteRouter r = router;
        if (r != null && to.node() != self && session != 0) {
            r.route(from, to, MessageType.ERROR, session, new RemoteRouter.ErrorPayload(kind, text));
        }
    }
}
