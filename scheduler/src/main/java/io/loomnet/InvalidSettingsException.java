package io.loomnet;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A config subtree given to a builder ({@link Node.Builder#config}, and the transport's builders) has wrong values
 * or unknown keys. Every problem of the subtree is listed, not only the first; each names its key (relative to the
 * subtree), what was found and what was expected. An {@link IllegalArgumentException}, as the builders' setters
 * throw for the same values.
 */
public final class InvalidSettingsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * One wrong setting.
     *
     * @param key its key path relative to the subtree, for example {@code throughput}
     * @param problem what was found, for example {@code is 0} or {@code unknown key}
     * @param expected what was expected, for example {@code an integer in 1..1000000}
     * @param line its line in the file it came from, or -1 if unknown
     */
    public record Problem(String key, String problem, String expected, int line) {
        /** Non-null parts. */
        public Problem {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(expected, "expected");
        }

        @Override
        public String toString() {
            return key + ": " + problem + "; expected " + expected;
        }
    }

    /** The problems; the list is immutable. */
    private final transient List<Problem> problems;

    /**
     * @param problems at least one
     */
    public InvalidSettingsException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        this.problems = List.copyOf(problems);
    }

    /** @return every problem, in the order the keys were checked */
    public List<Problem> problems() {
        return problems;
    }
}
