/**
 * Loomnet's testkit: {@link io.loomnet.testkit.Probe}s with {@code expect...} assertions and a JUnit 5
 * extension, {@link io.loomnet.testkit.LoomnetExtension}, that gives each test a fresh node and fails the test
 * if that node leaves anything behind.
 */
module io.loomnet.testkit {
    requires transitive io.loomnet.scheduler;
    requires transitive org.junit.jupiter.api;
    requires org.slf4j;
    // Thread dumps in JSON list virtual threads too; they come from the HotSpot diagnostic bean.
    requires java.management;
    requires jdk.management;

    exports io.loomnet.testkit;
}
