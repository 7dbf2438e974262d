module io.loomnet.scheduler {
    requires org.slf4j;
    exports io.loomnet;
}
