package io.loomnet.launcher;

import java.util.Optional;

/**
 * A mistake in a launcher config file. The message reads
 * {@code chat.conf:4: loomnet.services[1].args: port: expected an integer in 0..65535, was 'x'}: the file, the
 * line (when known), the key path, and what was expected.
 */
public final class ConfigError extends LaunchException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final String path;
    private final String problem;

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
