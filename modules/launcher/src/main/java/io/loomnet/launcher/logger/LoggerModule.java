package io.loomnet.launcher.logger;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import io.loomnet.Context;
import io.loomnet.Message;
import io.loomnet.Service;
import io.loomnet.launcher.ModuleArgs;
import io.loomnet.launcher.ModuleContext;
import io.loomnet.launcher.ServiceModule;
import io.loomnet.launcher.ServiceSpec;

/**
 * {@code logger}: a service that logs every message it receives through SLF4J.
 *
 * <p>Payloads: a {@link String} is logged as is, a {@code byte[]} as UTF-8, anything else with
 * {@code toString()}. The SLF4J logger is named after the sender's handle ({@code :0001:00000000002a}) unless
 * {@code logger=<name>} fixes one name for all. A request is logged, then answered with {@code null} (so a
 * caller can wait until its line was written).
 *
 * <p>Arguments: {@code logger} (a fixed SLF4J logger name; default: the sender's handle), {@code level}
 * ({@code trace}, {@code debug}, {@code info} (default), {@code warn}, {@code error}).
 *
 * <p><b>Threading.</b> Stateless and thread-safe; the service it describes is an ordinary service.
 */
public final class LoggerModule implements ServiceModule {
    /** Creates the module; called by {@link java.util.ServiceLoader}. */
    public LoggerModule() {
    }

    @Override
    public String name() {
        return "logger";
    }

    @Override
    public String description() {
        return "logs the text it receives to SLF4J; args: logger=<name> (default: sender's handle), level=info";
    }

    @Override
    public ServiceSpec create(ModuleContext context) {
        // Defaults and meanings: loomnet.modules.logger in the launcher's reference.conf.
        ModuleArgs args = context.args();
        String fixed = args.optional("logger").orElse(null);
        if (fixed != null && fixed.isBlank()) {
            throw args.error("logger", "expected a logger name, was empty");
        }
        Level level = args.choice("level", Level.class);
        return ServiceSpec.of(() -> new LoggerService(fixed, level));
    }

    /** Logs what it receives. */
    static final class LoggerService implements Service {
        private final String fixed;
        private final Level level;

        LoggerService(String fixed, Level level) {
            this.fixed = fixed;
            this.level = level;
        }

        @Override
        public void onMessage(Context ctx, Message msg) {
            String name = fixed != null ? fixed : msg.source().toString();
            // Not cached here: handles are never reused, so a cache keyed by sender would only grow.
            Logger log = LoggerFactory.getLogger(name);
            log.atLevel(level).log(text(msg.payload()));
            if (msg.isRequest()) {
                ctx.reply(null);
            }
        }

        static String text(Object payload) {
            if (payload instanceof byte[] b) {
                return new String(b, StandardCharsets.UTF_8);
            }
            if (payload instanceof Object[] a) {
                return Arrays.deepToString(a);
            }
            return String.valueOf(payload);
        }

        @Override
        public String toString() {
            return "logger(" + (fixed == null ? "by sender" : fixed) + ", " + level.name().toLowerCase(Locale.ROOT)
                    + ")";
        }
    }
}
