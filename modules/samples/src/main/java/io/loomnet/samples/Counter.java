package io.loomnet.samples;

import io.loomnet.Context;
import io.loomnet.Message;
import io.loomnet.Service;
import io.loomnet.launcher.ModuleContext;
import io.loomnet.launcher.ServiceModule;
import io.loomnet.launcher.ServiceSpec;

/**
 * A counter: answers every request with the next number, a {@code Long} starting at 1. It is the service node 2
 * runs in the two-node cluster sample ({@code cluster-node2.conf}); a fresh node 2 counts from 1 again, so a
 * client can tell a restarted node from the old one.
 *
 * <p>Also the {@code counter} service module (no arguments).
 */
public final class Counter implements Service {
    private long count;

    @Override
    public void onMessage(Context ctx, Message msg) {
        if (msg.isRequest()) {
            ctx.reply(++count);
        } else {
            ctx.log().warn("counter ignores {} {} from {}; send a request", msg.type(), msg.payloadType(),
                    msg.source());
        }
    }

    /** The {@code counter} module. Thread-safe (stateless). */
    public static final class Module implements ServiceModule {
        /** Called by {@link java.util.ServiceLoader}. */
        public Module() {
        }

        @Override
        public String name() {
            return "counter";
        }

        @Override
        public String description() {
            return "sample: answers every request with the next number (a Long from 1)";
        }

        @Override
        public ServiceSpec create(ModuleContext context) {
            context.args().allowOnly();
            return ServiceSpec.of(Counter::new);
        }
    }
}
