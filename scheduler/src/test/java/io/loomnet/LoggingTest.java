package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/** A service's log lines carry its handle in the MDC key {@code loomnet.handle}, on every dispatcher. */
@Timeout(30)
class LoggingTest {
    static final class Chatty implements Service {
        @Override
        public void onMessage(Context ctx, Message msg) {
            ctx.log().info("handling {}", msg.payload());
            ctx.reply("logged");
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldPutTheHandleInTheMdc(Dispatcher d) {
        Logger logger = (Logger) LoggerFactory.getLogger(Chatty.class);
        // Captures the MDC on the logging thread: a logback event reads the MDC lazily, from whichever thread
        // asks, so a plain ListAppender read later on the test thread would see the test thread's MDC.
        List<String[]> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                seen.add(new String[] {e.getFormattedMessage(), e.getMDCPropertyMap().get("loomnet.handle")});
            }
        };
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false); // capture only; keep the build output quiet
        try (Node node = Node.builder().dispatcher(d).pooledWorkers(1).start()) {
            Handle a = node.spawn(Chatty::new);
            Handle b = node.spawn(Chatty::new);
            for (int i = 0; i < 3; i++) {
                assertEquals("logged", node.call(a, "a" + i, Duration.ofSeconds(5)));
                assertEquals("logged", node.call(b, "b" + i, Duration.ofSeconds(5)));
            }
            assertEquals(6, seen.size());
            for (String[] e : seen) {
                String expected = e[0].contains(" a") ? a.toString() : b.toString();
                assertEquals(expected, e[1], e[0]);
            }
        } finally {
            logger.detachAppender(appender);
            logger.setAdditive(true);
        }
    }
}
