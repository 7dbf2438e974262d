package io.loomnet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.LoggerFactory;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Finds live threads by name prefix, virtual threads included. {@link Thread#getAllStackTraces()} lists
 * platform threads only, so this takes a JSON thread dump (JDK 21+), which lists virtual threads too.
 *
 * <p><b>Threading.</b> Thread-safe; each call takes its own dump (a few milliseconds; do not call it in a hot
 * loop).
 */
public final class LiveThreads {
    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private LiveThreads() {
    }

    /**
     * @param prefix a thread name prefix, for example {@code "loomnet-7-"}
     * @return the names of live threads (platform and virtual) that start with it
     * @throws UncheckedIOException if the dump could not be written or read
     */
    public static List<String> named(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        Path dir = null;
        Path file = null;
        try {
            dir = Files.createTempDirectory("loomnet-dump");
            file = dir.resolve("threads.json");
            HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            bean.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            String json = Files.readString(file);
            List<String> out = new ArrayList<>();
            Matcher m = NAME.matcher(json);
            while (m.find()) {
                if (m.group(1).startsWith(prefix)) {
                    out.add(m.group(1));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("thread dump into " + file + " failed", e);
        } finally {
            try {
                if (file != null) {
                    Files.deleteIfExists(file);
                }
                if (dir != null) {
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                // A leftover temp file must not hide the dump's result; say where it is.
                LoggerFactory.getLogger(LiveThreads.class).warn("could not delete thread dump {}", file, e);
            }
        }
    }
}
