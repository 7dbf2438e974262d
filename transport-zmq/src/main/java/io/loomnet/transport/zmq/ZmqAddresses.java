package io.loomnet.transport.zmq;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.loomnet.LoomnetException;

/**
 * The one set of rules for the addresses and keys that the ZeroMQ transport accepts, shared by the builders
 * ({@code Cluster.Builder}, gateways) and by config readers (the launcher), so that a value valid in one place is
 * valid in all of them.
 *
 * <ul>
 *   <li>An <b>endpoint</b> is {@code tcp://host:port}. The host is a name, an IPv4 address, an IPv6 address in
 *   brackets, or (to bind only) {@code *}; the port is 1..65535, or (to bind only) {@code *} for any free
 *   port.</li>
 *   <li>A <b>CURVE key</b> is 40 characters of Z85 (ZeroMQ's RFC 32 alphabet), the text form of 32 bytes.</li>
 * </ul>
 *
 * <p>Each rule has a {@code ...Problem} form that returns what is wrong (for messages that add their own
 * context, such as a file and key path) and a {@code require...} form that throws. A problem never contains the
 * value of a key, which may be a secret.
 *
 * <p><b>Threading.</b> Stateless and thread-safe.
 */
public final class ZmqAddresses {
    /** Z85's 85 characters, in value order (ZeroMQ RFC 32). */
    public static final String Z85_ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    /** Length of a CURVE key in Z85. */
    public static final int CURVE_KEY_LENGTH = 40;
    /** What a bind endpoint looks like, for messages. */
    public static final String EXPECTED_BIND = "a TCP endpoint to bind such as \"tcp://127.0.0.1:5555\" "
            + "(port 1..65535, or * for any free port)";
    /** What a connect endpoint looks like, for messages. */
    public static final String EXPECTED_CONNECT = "a TCP endpoint to connect to such as \"tcp://127.0.0.1:7102\" "
            + "(a host, and a port in 1..65535)";

    private static final Pattern ENDPOINT = Pattern.compile(
            "tcp://(\\*|\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\\*|\\d{1,5})");

    private ZmqAddresses() {
    }

    /**
     * An address or key that breaks the rules. {@link #getMessage()} reads {@code problem; expected ...}.
     */
    public static final class InvalidAddressException extends LoomnetException {
        private static final long serialVersionUID = 1L;
        private final String problem;
        private final String expected;

        InvalidAddressException(String what, String problem, String expected) {
            super(what + " " + problem + "; expected " + expected);
            this.problem = problem;
            this.expected = expected;
        }

        /** @return what is wrong, without the value if it may be secret */
        public String problem() {
            return problem;
        }

        /** @return what a valid value looks like */
        public String expected() {
            return expected;
        }
    }

    /**
     * @param endpoint a candidate endpoint
     * @param bind {@code true} for an endpoint to bind (wildcards allowed), {@code false} to connect to
     * @return what is wrong with it (for example {@code is 'tcp://127.0.0.1'}, {@code has port 70000},
     *         {@code is 'tcp://*:7102', a wildcard}), or empty if it is valid
     */
    public static Optional<String> endpointProblem(String endpoint, boolean bind) {
        Objects.requireNonNull(endpoint, "endpoint");
        Matcher m = ENDPOINT.matcher(endpoint);
        if (!m.matches()) {
            return Optional.of("is '" + endpoint + "'");
        }
        String host = m.group(1);
        String port = m.group(2);
        if (!bind && (host.equals("*") || port.equals("*"))) {
            return Optional.of("is '" + endpoint + "', a wildcard");
        }
        if (!port.equals("*") && (Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
            return Optional.of("has port " + port);
        }
        return Optional.empty();
    }

    /**
     * @param bind as for {@link #endpointProblem}
     * @return {@link #EXPECTED_BIND} or {@link #EXPECTED_CONNECT}
     */
    public static String expectedEndpoint(boolean bind) {
        return bind ? EXPECTED_BIND : EXPECTED_CONNECT;
    }

    /**
     * @param what what the endpoint is for, for the message (for example {@code "cluster inbox"})
     * @param endpoint the endpoint
     * @param bind {@code true} to bind, {@code false} to connect
     * @return {@code endpoint}
     * @throws InvalidAddressException naming {@code what}, the problem and what was expected
     */
    public static String requireEndpoint(String what, String endpoint, boolean bind) {
        Optional<String> problem = endpointProblem(endpoint, bind);
        if (problem.isPresent()) {
            throw new InvalidAddressException(what, problem.get(), expectedEndpoint(bind));
        }
        return endpoint;
    }

    /**
     * @param key a candidate CURVE key in Z85
     * @return what is wrong with it ({@code is 7 characters long}, {@code has a character outside Z85 at
     *         position 40}), never the key itself; or empty if it is valid
     */
    public static Optional<String> curveKeyProblem(String key) {
        Objects.requireNonNull(key, "key");
        if (key.length() != CURVE_KEY_LENGTH) {
            return Optional.of("is " + key.length() + " characters long");
        }
        for (int i = 0; i < key.length(); i++) {
            if (Z85_ALPHABET.indexOf(key.charAt(i)) < 0) {
                return Optional.of("has a character outside Z85 at position " + (i + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * @param what whose key this is, for the message (for example {@code "public key of peer 2"})
     * @param key the key, Z85
     * @return {@code key}
     * @throws InvalidAddressException naming {@code what} and the problem, never the key
     */
    public static String requireCurveKey(String what, String key) {
        Optional<String> problem = curveKeyProblem(key);
        if (problem.isPresent()) {
            throw new InvalidAddressException(what, problem.get(), CURVE_KEY_LENGTH + " characters of Z85");
        }
        return key;
    }
}
