package io.loomnet;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Finds live threads by name prefix, virtual threads included: {@link Thread#getAllStackTraces()} lists
 * platform threads only, so this takes a JSON thread dump (JDK 21+), which lists virtual threads too.
 */
final class ThreadLeaks {
    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");

    private ThreadLeaks() {
    }

    static List<String> liveThreadsNamed(String prefix) {
        try {
            Path dir = Files.createTempDirectory("loomnet-dump");
            Path file = dir.resolve("threads.json");
            HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            bean.dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            String json = Files.readString(file);
            Files.delete(file);
            Files.delete(dir);
            List<String> out = new ArrayList<>();
            Matcher m = NAME.matcher(json);
            while (m.find()) {
                if (m.group(1).startsWith(prefix)) {
                    out.add(m.group(1));
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("thread dump failed", e);
        }
    }
}
