package io.loomnet.launcher.gate;

/** How the gate cuts a TCP byte stream into packets. */
public enum Framing {
    /** One packet per line: bytes up to '\n' (a '\r' before it is dropped); writes get a '\n' appended. */
    LINE,
    /** Each packet is a 2-byte big-endian length followed by that many bytes (so at most 65535 bytes). */
    LENGTH
}
