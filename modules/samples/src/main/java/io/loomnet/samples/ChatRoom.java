package io.loomnet.samples;

import java.util.LinkedHashMap;
import java.util.Map;

import io.loomnet.Context;
import io.loomnet.Handle;
import io.loomnet.Message;
import io.loomnet.Service;
import io.loomnet.launcher.ModuleContext;
import io.loomnet.launcher.ServiceModule;
import io.loomnet.launcher.ServiceSpec;
import io.loomnet.launcher.gate.GateClosed;
import io.loomnet.launcher.gate.GateOpened;
import io.loomnet.launcher.gate.GatePacket;

/**
 * A chat room: the handler of a line-framed {@code gate}. Every line a client sends is broadcast to the others
 * as {@code <nick> text}; {@code /nick name} renames, {@code /who} lists who is here, {@code /quit} leaves.
 * It writes to a client by sending a {@code String} to that connection's agent (the source of its
 * {@link GatePacket}s).
 *
 * <p>Also the {@code chat-room} service module (no arguments), so configs can launch it by name.
 */
public final class ChatRoom implements Service {
    private final Map<Long, Member> members = new LinkedHashMap<>();

    private static final class Member {
        final Handle agent;
        String nick;

        Member(Handle agent, String nick) {
            this.agent = agent;
            this.nick = nick;
        }
    }

    @Override
    public void onMessage(Context ctx, Message msg) {
        switch (msg.payload()) {
            case GateOpened o -> {
                Member m = new Member(msg.source(), "guest" + o.connection());
                members.put(o.connection(), m);
                ctx.send(m.agent, "* welcome, " + m.nick + "; " + (members.size() - 1)
                        + " other(s) here. /nick <name>, /who, /quit");
                broadcast(ctx, o.connection(), "* " + m.nick + " joined");
            }
            case GatePacket p -> onLine(ctx, p.connection(), p.text().strip());
            case GateClosed c -> {
                Member m = members.remove(c.connection());
                if (m != null) {
                    broadcast(ctx, c.connection(), "* " + m.nick + " left");
                }
            }
            default -> ctx.log().warn("chat room ignores {} from {}", msg.payloadType(), msg.source());
        }
    }

    private void onLine(Context ctx, long connection, String line) {
        Member m = members.get(connection);
        if (m == null || line.isEmpty()) {
            return;
        }
        if (line.startsWith("/nick ")) {
            String old = m.nick;
            m.nick = line.substring(6).strip();
            broadcast(ctx, -1, "* " + old + " is now " + m.nick);
        } else if (line.equals("/who")) {
            StringBuilder sb = new StringBuilder("* here:");
            members.values().forEach(x -> sb.append(' ').append(x.nick));
            ctx.send(m.agent, sb.toString());
        } else if (line.equals("/quit")) {
            ctx.send(m.agent, "* bye");
            ctx.send(m.agent, new io.loomnet.launcher.gate.GateClose(connection));
        } else {
            broadcast(ctx, connection, "<" + m.nick + "> " + line);
        }
    }

    private void broadcast(Context ctx, long except, String text) {
        for (Map.Entry<Long, Member> e : members.entrySet()) {
            if (e.getKey() != except) {
                ctx.send(e.getValue().agent, text);
            }
        }
    }

    /** The {@code chat-room} module. Thread-safe (stateless). */
    public static final class Module implements ServiceModule {
        /** Called by {@link java.util.ServiceLoader}. */
        public Module() {
        }

        @Override
        public String name() {
            return "chat-room";
        }

        @Override
        public String description() {
            return "sample: a chat room, the handler of a line-framed gate";
        }

        @Override
        public ServiceSpec create(ModuleContext context) {
            context.args().allowOnly();
            return ServiceSpec.of(ChatRoom::new);
        }
    }
}
