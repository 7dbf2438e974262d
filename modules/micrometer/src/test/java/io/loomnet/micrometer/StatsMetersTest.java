package io.loomnet.micrometer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.NodeStats;
import io.loomnet.ServiceStats;
import io.loomnet.transport.zmq.cluster.ClusterStats;
import io.loomnet.transport.zmq.gateway.GatewayStats;

/**
 * Every numeric component of each stats record has exactly one meter line, and every line names a component that
 * exists: a field added to a record in the scheduler or the transport fails here until it gets its line.
 */
@Timeout(10)
class StatsMetersTest {
    /** Components that are not numbers: they are tags ({@code nodeId}, handle, name) or have their own meter. */
    private static final Set<String> NOT_METERED = Set.of("NodeStats.nodeId", "ServiceStats.handle",
            "ServiceStats.name", "ServiceStats.state", "ServiceStats.dispatcher", "ClusterStats.links",
            "LinkStats.peer", "LinkStats.state");

    @Test
    void shouldHaveOneLinePerNumericField() {
        check(NodeStats.class, StatsMeters.NODE);
        check(ServiceStats.class, StatsMeters.SERVICE);
        check(ClusterStats.class, StatsMeters.CLUSTER);
        check(io.loomnet.transport.zmq.cluster.LinkStats.class, StatsMeters.LINK);
        check(GatewayStats.class, StatsMeters.GATEWAY);
    }

    @Test
    void shouldUseDistinctMeterNames() {
        List<String> all = java.util.stream.Stream.of(StatsMeters.NODE, StatsMeters.SERVICE, StatsMeters.CLUSTER,
                StatsMeters.LINK, StatsMeters.GATEWAY).flatMap(List::stream).map(StatsMeters.Field::name).toList();
        assertThat(all.toString(), new HashSet<>(all).size(), is(all.size()));
    }

    private static void check(Class<? extends Record> type, List<? extends StatsMeters.Field<?>> table) {
        Set<String> numeric = new TreeSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            String key = type.getSimpleName() + "." + c.getName();
            boolean number = c.getType() == long.class || c.getType() == int.class || c.getType() == double.class;
            if (NOT_METERED.contains(key)) {
                continue;
            }
            if (number) {
                numeric.add(c.getName());
            } else {
                assertThat(key + " is not a number: add it to NOT_METERED with the reason, or give it a meter",
                        NOT_METERED.contains(key), is(true));
            }
        }
        Set<String> lines = table.stream().map(StatsMeters.Field::component).collect(Collectors.toCollection(TreeSet::new));
        assertThat(type.getSimpleName() + " lines " + lines + " vs numeric components " + numeric
                + " (components: " + Arrays.toString(type.getRecordComponents()) + ")", lines, is(numeric));
        assertThat(type.getSimpleName() + " has a duplicate line", lines.size(), is(table.size()));
    }
}
