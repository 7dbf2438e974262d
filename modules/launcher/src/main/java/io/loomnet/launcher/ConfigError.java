package io.loomnet.launcher;

import java.util.List;
import java.util.Optional;

/**
 * A mistake in a launcher config file. The message reads
 * {@code chat.conf:4: loomnet.services[1].args: port: expected an integer in 0..65535, was 'x'}: the file, the
 * line (when known), the key path, and what was expected.
 *
 * <p>A file with several mistakes gives one {@code ConfigError} that holds them all, in file order:
 * {@link #problems()}. Its accessors ({@link #path()}, {@link #line()}, ...) describe the first, and its message has
 * one line per mistake.
 */
public final class ConfigError extends LaunchException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final String path;
    private final String problem;
    private final List<ConfigError> problems;

    /**
     * @param file the config file, as given
     * @param line the line, or -1 if unknown
     * @param path the key path, for example {@code loomnet.services[0].module}; empty for the whole file
     * @param problem what is wrong and what was expected
     * @param cause the underlying parser or module failure, or {@code null}
     */
    public ConfigError(String file, int line, String path, String problem, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + (path.isEmpty() ? "" : path + ": ") + problem, cause);
        this.file = file;
        this.line = line;
        this.path = path;
        this.problem = problem;
        this.problems = List.of(this);
    }

    private ConfigError(List<ConfigError> all) {
        super(String.join(System.lineSeparator(), all.stream().map(ConfigError::getMessage).toList()),
                all.get(0).getCause());
        ConfigError first = all.get(0);
        this.file = first.file;
        this.line = first.line;
        this.path = first.path;
        this.problem = first.problem;
        this.problems = List.copyOf(all);
        all.stream().skip(1).forEach(this::addSuppressed);
    }

    /**
     * @param all the mistakes of one file, at least one, in file order
     * @return {@code all.get(0)} if there is one, else an error holding all of them
     * @throws IllegalArgumentException if {@code all} is empty
     */
    public static ConfigError of(List<ConfigError> all) {
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no config errors to report");
        }
        return all.size() == 1 ? all.get(0) : new ConfigError(all);
    }

    /** @return every mistake this error reports (itself alone, for a single mistake) */
    public List<ConfigError> problems() {
        return problems;
    }

    /** @return the config file, as given */
    public String file() {
        return file;
    }

    /** @return the line, if known */
    public Optional<Integer> line() {
        return line > 0 ? Optional.of(line) : Optional.empty();
    }

    /** @return the key path ({@code loomnet.node-id}, {@code loomnet.services[0].args}); empty for the file */
    public String path() {
        return path;
    }

    /** @return what is wrong and what was expected */
    public String problem() {
        return problem;
    }
}
