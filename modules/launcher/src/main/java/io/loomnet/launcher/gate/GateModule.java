package io.loomnet.launcher.gate;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;

import io.loomnet.Handle;
import io.loomnet.launcher.ModuleArgs;
import io.loomnet.launcher.ModuleContext;
import io.loomnet.launcher.ServiceModule;
import io.loomnet.launcher.ServiceSpec;

/**
 * {@code gate}: a TCP gateway; see the {@linkplain io.loomnet.launcher.gate package} for the protocol.
 *
 * <p>Arguments:
 * <ul>
 *   <li>{@code port} (required, 0..65535; 0 picks a free port, ask it with
 *   {@link io.loomnet.launcher.ListenerQuery});</li>
 *   <li>{@code handler} (required): the service that receives the connections' messages, by local name
 *   (looked up at each connection, so it may start after the gate) or by printed handle;</li>
 *   <li>{@code host} (default {@code 127.0.0.1}; any other address must be written out);</li>
 *   <li>{@code framing}: {@code line} (default) or {@code length};</li>
 *   <li>{@code max-connections} (default 1024): a client beyond it gets the error packet
 *   {@code error: too many connections (max N)} and is disconnected;</li>
 *   <li>{@code max-packet} in bytes (default 8192; at most 65535 with {@code length} framing): a client that
 *   sends a longer packet gets {@code error: packet too large (max N bytes)} and is disconnected.</li>
 * </ul>
 *
 * <p><b>Threading.</b> Stateless and thread-safe.
 */
public final class GateModule implements ServiceModule {
    /** Creates the module; called by {@link java.util.ServiceLoader}. */
    public GateModule() {
    }

    @Override
    public String name() {
        return "gate";
    }

    @Override
    public String description() {
        return "TCP gateway: one agent per client, packets to a handler; args: port=, handler=, framing=line|length";
    }

    @Override
    public ServiceSpec create(ModuleContext context) {
        // Defaults and meanings: loomnet.modules.gate in the launcher's reference.conf.
        ModuleArgs args = context.args();
        if (!args.has("port")) {
            throw args.error("port", "required argument is missing (give port=7002, or port=0 for any free port)");
        }
        int port = args.integer("port", 0, 65535);
        InetAddress host = args.address("host");
        String handler = args.required("handler");
        Handle handlerHandle = null;
        if (handler.startsWith(":")) {
            try {
                handlerHandle = Handle.parse(handler);
            } catch (IllegalArgumentException e) {
                throw args.error("handler", "expected a service name or a handle like :0001:00000000002a, was '"
                        + handler + "'");
            }
        }
        Framing framing = args.choice("framing", Framing.class);
        int maxConnections = args.integer("max-connections", 1, 1_000_000);
        int maxPacket = args.integer("max-packet", 1, framing == Framing.LENGTH ? 65535 : 16 << 20);
        GateSettings settings = new GateSettings(host, port, handler, handlerHandle, framing, maxConnections,
                maxPacket);
        CompletableFuture<Object> started = new CompletableFuture<>();
        return ServiceSpec.of(() -> new GateService(settings, started)).withStartSignal(started);
    }

    /**
     * The gate's validated arguments.
     *
     * @param handlerHandle the handler's handle if {@code handler} was a handle, else {@code null}
     */
    record GateSettings(InetAddress host, int port, String handler, Handle handlerHandle, Framing framing,
                        int maxConnections, int maxPacket) {
    }
}
