package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/** The opt-in JFR handler event records the service, message type and payload type. */
@Timeout(60)
class JfrEventTest {
    @Test
    void shouldRecordHandlerEventsWhenEnabled() throws Exception {
        Path file = Files.createTempFile("loomnet", ".jfr");
        try (Recording r = new Recording(); Node node = Node.builder().start()) {
            r.enable("io.loomnet.Handler");
            r.start();
            Handle h = node.spawn(() -> (ctx, msg) -> ctx.reply("ok"));
            for (int i = 0; i < 5; i++) {
                assertEquals("ok", node.call(h, 42, Duration.ofSeconds(5)));
            }
            // The reply reaches the caller before the handler returns; the event is committed on return, before
            // the service's handled count moves, so wait for the count.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (node.stats(h).orElseThrow().handled() < 5) {
                assertTrue(System.nanoTime() < deadline, "handler did not return");
                Thread.onSpinWait();
            }
            r.stop();
            r.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("io.loomnet.Handler")).toList();
            assertEquals(5, events.size());
            for (RecordedEvent e : events) {
                assertEquals(h.toString(), e.getString("service"));
                assertEquals("REQUEST", e.getString("messageType"));
                assertEquals("java.lang.Integer", e.getString("payloadType"));
                assertTrue(!e.getDuration().isNegative());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
