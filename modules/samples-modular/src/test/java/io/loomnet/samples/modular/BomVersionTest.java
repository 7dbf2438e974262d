package io.loomnet.samples.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * loomnet-bom has no parent (so that importing it pins only Loomnet's artifacts), so its versions are written
 * out: they must all be the reactor's version, and it must list every published library.
 */
@Timeout(10)
class BomVersionTest {
    private static final Pattern VERSION = Pattern.compile("<version>([^<]+)</version>");

    @Test
    void shouldPinEveryLoomnetArtifactToTheReactorVersion() throws Exception {
        String root = Files.readString(Path.of("../../pom.xml"));
        String bom = Files.readString(Path.of("../bom/pom.xml"));
        Matcher rm = VERSION.matcher(root.substring(root.indexOf("<artifactId>loomnet-parent</artifactId>")));
        assertTrue(rm.find());
        String reactor = rm.group(1);
        List<String> versions = new ArrayList<>();
        Matcher m = VERSION.matcher(bom);
        while (m.find()) {
            versions.add(m.group(1));
        }
        assertEquals(6, versions.size(), "the BOM's own version and five artifacts");
        versions.forEach(v -> assertEquals(reactor, v, "a version in modules/bom/pom.xml"));
        for (String artifact : List.of("loomnet-scheduler", "loomnet-transport-zmq", "loomnet-launcher",
                "loomnet-testkit", "loomnet-micrometer")) {
            assertTrue(bom.contains("<artifactId>" + artifact + "</artifactId>"), artifact + " in the BOM");
        }
    }
}
