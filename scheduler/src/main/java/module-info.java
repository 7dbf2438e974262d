/**
 * Loomnet's runtime: nodes, handles, services, mailboxes, dispatchers, timers and scopes.
 * Exports its API packages only; everything under {@code io.loomnet.internal} is private.
 */
module io.loomnet.scheduler {
    // Context.log() returns an org.slf4j.Logger: every module that reads this one must read SLF4J too.
    requires transitive org.slf4j;
    // Node.Builder.config takes a com.typesafe.config.Config (defaults: this module's reference.conf; ADR 0009).
    requires transitive typesafe.config;
    requires jdk.jfr;
    exports io.loomnet;
    exports io.loomnet.scope;
    exports io.loomnet.spi;
}
