package io.loomnet.samples;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.loomnet.Context;
import io.loomnet.Message;
import io.loomnet.Service;
import io.loomnet.launcher.ModuleContext;
import io.loomnet.launcher.ServiceModule;
import io.loomnet.launcher.ServiceSpec;

/**
 * Upper-cases text: a request of UTF-8 bytes (what a service gateway delivers) or a {@code String} is answered
 * with the upper-cased {@code String}, which the gateway sends back as UTF-8. The service behind
 * {@code gateway.conf}, called by {@code upper_client.py}.
 *
 * <p>Also the {@code upper} service module (no arguments).
 */
public final class Upper implements Service {
    @Override
    public void onMessage(Context ctx, Message msg) {
        if (!msg.isRequest()) {
            ctx.log().warn("upper ignores {} {} from {}; send a request", msg.type(), msg.payloadType(), msg.source());
            return;
        }
        String text = switch (msg.payload()) {
            case byte[] b -> new String(b, StandardCharsets.UTF_8);
            case String s -> s;
            default -> throw new IllegalArgumentException("upper expects text (byte[] or String), got "
                    + msg.payloadType());
        };
        ctx.reply(text.toUpperCase(Locale.ROOT));
    }

    /** The {@code upper} module. Thread-safe (stateless). */
    public static final class Module implements ServiceModule {
        /** Called by {@link java.util.ServiceLoader}. */
        public Module() {
        }

        @Override
        public String name() {
            return "upper";
        }

        @Override
        public String description() {
            return "sample: answers a text request (UTF-8 bytes or String) with it upper-cased";
        }

        @Override
        public ServiceSpec create(ModuleContext context) {
            context.args().allowOnly();
            return ServiceSpec.of(Upper::new);
        }
    }
}
