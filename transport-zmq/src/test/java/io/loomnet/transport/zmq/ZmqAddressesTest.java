package io.loomnet.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.ZMQ;

/** The shared endpoint and CURVE key rules. */
@Timeout(10)
class ZmqAddressesTest {
    @Test
    void shouldAcceptAndRejectEndpoints() {
        assertEquals(Optional.empty(), ZmqAddresses.endpointProblem("tcp://127.0.0.1:5555", false));
        assertEquals(Optional.empty(), ZmqAddresses.endpointProblem("tcp://[::1]:5555", false));
        assertEquals(Optional.empty(), ZmqAddresses.endpointProblem("tcp://*:*", true));
        assertEquals(Optional.of("is 'tcp://*:7102', a wildcard"), ZmqAddresses.endpointProblem("tcp://*:7102", false));
        assertEquals(Optional.of("is 'tcp://h:*', a wildcard"), ZmqAddresses.endpointProblem("tcp://h:*", false));
        assertEquals(Optional.of("has port 70000"), ZmqAddresses.endpointProblem("tcp://h:70000", true));
        assertEquals(Optional.of("has port 0"), ZmqAddresses.endpointProblem("tcp://h:0", true));
        assertEquals(Optional.of("is 'ipc:///tmp/x'"), ZmqAddresses.endpointProblem("ipc:///tmp/x", true));
        assertEquals(Optional.of("is 'tcp://127.0.0.1'"), ZmqAddresses.endpointProblem("tcp://127.0.0.1", true));
        ZmqAddresses.InvalidAddressException e = assertThrows(ZmqAddresses.InvalidAddressException.class,
                () -> ZmqAddresses.requireEndpoint("cluster inbox", "tcp://h", true));
        assertEquals("cluster inbox is 'tcp://h'; expected " + ZmqAddresses.EXPECTED_BIND, e.getMessage());
    }

    @Test
    void shouldAcceptGeneratedKeysAndNeverEchoABadOne() {
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        assertEquals(pair.publicKey, ZmqAddresses.requireCurveKey("public key", pair.publicKey));
        assertEquals(pair.secretKey, ZmqAddresses.requireCurveKey("secret key", pair.secretKey));
        assertEquals(Optional.of("is 7 characters long"), ZmqAddresses.curveKeyProblem("hunter2"));
        String bad = pair.secretKey.substring(0, 39) + "~";
        ZmqAddresses.InvalidAddressException e = assertThrows(ZmqAddresses.InvalidAddressException.class,
                () -> ZmqAddresses.requireCurveKey("secret key", bad));
        assertEquals("secret key has a character outside Z85 at position 40; expected 40 characters of Z85",
                e.getMessage());
        assertFalse(e.getMessage().contains(bad.substring(0, 10)));
    }
}
