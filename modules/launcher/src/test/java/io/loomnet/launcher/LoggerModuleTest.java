package io.loomnet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.loomnet.Handle;
import io.loomnet.Node;
import io.loomnet.testkit.LoomnetExtension;
import io.loomnet.testkit.Probe;

/** The logger module writes what it receives through SLF4J, under the sender's handle or a fixed name. */
@Timeout(30)
@ExtendWith(LoomnetExtension.class)
class LoggerModuleTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private Level oldLevel;
    private ch.qos.logback.core.Appender<ILoggingEvent> console;

    @BeforeEach
    void capture() {
        appender.start();
        root.addAppender(appender);
        console = root.getAppender("STDOUT"); // keep the build output quiet while the level is lowered
        if (console != null) {
            root.detachAppender(console);
        }
        oldLevel = root.getLevel();
        root.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        root.detachAppender(appender);
        root.setLevel(oldLevel);
        if (console != null) {
            root.addAppender(console);
        }
    }

    private List<ILoggingEvent> events(String logger) {
        return appender.list.stream().filter(e -> e.getLoggerName().equals(logger)).toList();
    }

    @Test
    void shouldLogUnderTheSendersHandle(Node node, Probe sender) {
        Handle log = Launcher.create().launch(node, "logger", "log", List.of());
        sender.send(log, "hello");
        sender.send(log, "bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        node.call(log, "flush", WAIT); // requests are answered after logging: everything before is written
        List<ILoggingEvent> mine = events(sender.handle().toString());
        assertEquals(List.of("hello", "bytes"), mine.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertEquals(Level.INFO, mine.get(0).getLevel());
        node.stop(log);
    }

    @Test
    void shouldUseAFixedLoggerAndLevel(Node node) {
        Handle log = Launcher.create().launch(node, "logger", List.of("logger=app.audit", "level=warn"));
        node.call(log, 42, WAIT);
        List<ILoggingEvent> mine = events("app.audit");
        assertEquals(1, mine.size());
        assertEquals("42", mine.get(0).getFormattedMessage());
        assertEquals(Level.WARN, mine.get(0).getLevel());
        node.stop(log);
    }
}
