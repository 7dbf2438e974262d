package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HandleTest {
    @Test
    void shouldPrintSkynetStyleAndParseBack() {
        Handle h = Handle.of(1, 42);
        assertEquals(":0001:00000000002a", h.toString());
        assertEquals(h, Handle.parse(":0001:00000000002a"));
        assertEquals(h, Handle.parse(":1:2a"));
        Handle max = Handle.of(Handle.MAX_NODE, Handle.MAX_SEQUENCE);
        assertEquals(":ffff:ffffffffffff", max.toString());
        assertEquals(max, Handle.parse(max.toString()));
        assertEquals(max, Handle.ofValue(max.value()));
        assertEquals(0xFFFF, max.node());
        assertEquals(Handle.MAX_SEQUENCE, max.sequence());
    }

    @Test
    void shouldRejectBadInputWithTheTextInTheMessage() {
        for (String bad : new String[] {"", "0001:2a", ":0001:", "::2a", ":zz:2a", ":10000:1", ":1:1000000000000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Handle.parse(bad));
            assertEquals(true, e.getMessage().contains("'" + bad + "'") || e.getMessage().contains("must be in"),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Handle.of(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> Handle.of(0, -1));
    }
}
