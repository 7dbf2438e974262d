package io.loomnet.transport.zmq.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** {@code loomnet.gateway} in the merged {@code reference.conf} files (this library's holds it, commented). */
final class GatewayDefaults {
    static final Config REFERENCE = ConfigFactory.defaultReference(GatewayDefaults.class.getClassLoader())
            .getConfig("loomnet.gateway");

    private GatewayDefaults() {
    }
}
