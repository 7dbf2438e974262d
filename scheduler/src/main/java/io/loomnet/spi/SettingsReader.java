package io.loomnet.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Consumer;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import io.loomnet.InvalidSettingsException;

/**
 * Reads one config subtree into a builder with typed getters, collecting every problem; shared by the builders
 * that take a {@link Config} ({@code Node.builder().config(c)}, the ZeroMQ cluster's and gateway's). The reader
 * checks types and unknown keys; ranges are the builder's setters' own checks: {@link #apply} hands the typed value
 * to the setter and turns its {@link IllegalArgumentException} into a problem naming the key, so each rule is
 * written once. A key that is missing or {@code null} is skipped: the builder keeps its default.
 *
 * <p>Not thread-safe; use one reader for one subtree, from one thread.
 */
public final class SettingsReader {
    private final Config config;
    private final List<InvalidSettingsException.Problem> problems = new ArrayList<>();

    /**
     * Reads {@code config}; every top-level key not in {@code known} is recorded as an unknown key at once.
     *
     * @param config the subtree
     * @param known its allowed keys, in the order they are listed in errors
     */
    public SettingsReader(Config config, Collection<String> known) {
        this.config = config;
        for (String k : new TreeSet<>(config.root().keySet())) {
            if (!known.contains(k)) {
                problem(k, "unknown key", "one of " + String.join(", ", known));
            }
        }
    }

    /** @return the subtree being read */
    public Config config() {
        return config;
    }

    /**
     * @param key a key of the subtree
     * @return whether it is set to something other than {@code null}
     */
    public boolean isSet(String key) {
        return config.root().containsKey(key) && config.root().get(key).valueType() != ConfigValueType.NULL;
    }

    /**
     * Reads an integer and hands it to {@code setter}.
     *
     * @param key the key
     * @param expected what a valid value is, for example {@code an integer in 1..4096}
     * @param setter the builder's setter, whose {@link IllegalArgumentException} becomes a problem
     */
    public void integer(String key, String expected, Consumer<Integer> setter) {
        if (isSet(key)) {
            Integer v = typed(key, expected, () -> config.getInt(key));
            if (v != null) {
                apply(key, v, "is " + v, expected, setter);
            }
        }
    }

    /**
     * Reads a size in bytes ({@code 65536}, {@code 64KiB}, {@code 1MiB}) and hands it to {@code setter}.
     *
     * @param key the key
     * @param min the smallest value the reader lets through
     * @param max the largest value the reader lets through (at most {@link Integer#MAX_VALUE})
     * @param setter the builder's setter, whose {@link IllegalArgumentException} becomes a problem
     */
    public void bytes(String key, long min, long max, Consumer<Integer> setter) {
        if (isSet(key)) {
            String expected = "a size in " + min + ".." + max + " bytes, such as 65536, 64KiB or 1MiB";
            Long v = typed(key, expected, () -> config.getBytes(key));
            if (v == null) {
                return;
            }
            if (v < min || v > max) {
                problem(key, "is " + v + " bytes", expected);
                return;
            }
            apply(key, v.intValue(), "is " + v + " bytes", expected, setter);
        }
    }

    /**
     * Reads a positive duration ({@code 10s}, {@code 500ms}) and hands it to {@code setter}.
     *
     * @param key the key
     * @param setter the builder's setter, whose {@link IllegalArgumentException} becomes a problem
     */
    public void duration(String key, Consumer<Duration> setter) {
        if (isSet(key)) {
            String expected = POSITIVE_DURATION;
            Duration d = typed(key, expected, () -> config.getDuration(key));
            if (d != null) {
                apply(key, d, "is " + d, expected, setter);
            }
        }
    }

    /** What {@link #duration} expects. */
    public static final String POSITIVE_DURATION = "a positive duration such as 10s or 500ms";

    /**
     * Reads a string and hands it to {@code setter}.
     *
     * @param key the key
     * @param expected what a valid value is
     * @param setter the builder's setter, whose {@link IllegalArgumentException} becomes a problem
     */
    public void string(String key, String expected, Consumer<String> setter) {
        if (isSet(key)) {
            ConfigValue v = config.root().get(key);
            if (v.valueType() != ConfigValueType.STRING) {
                problem(key, "is " + describe(v), expected);
                return;
            }
            String s = (String) v.unwrapped();
            apply(key, s, "is '" + s + "'", expected, setter);
        }
    }

    /**
     * Hands a value to a setter; its {@link IllegalArgumentException} becomes the problem {@code found}.
     *
     * @param key the key
     * @param value the typed value
     * @param found the problem to record if the setter refuses it, for example {@code is 0}
     * @param expected what a valid value is
     * @param setter the builder's setter
     * @param <T> the value's type
     * @return whether the setter took it
     */
    public <T> boolean apply(String key, T value, String found, String expected, Consumer<T> setter) {
        try {
            setter.accept(value);
            return true;
        } catch (InvalidSettingsException e) {
            for (InvalidSettingsException.Problem p : e.problems()) {
                problems.add(new InvalidSettingsException.Problem(key + "." + p.key(), p.problem(), p.expected(),
                        p.line()));
            }
            return false;
        } catch (IllegalArgumentException e) {
            problem(key, found, expected);
            return false;
        }
    }

    /**
     * Records a problem at a key of the subtree.
     *
     * @param key the key
     * @param problem what was found
     * @param expected what was expected
     */
    public void problem(String key, String problem, String expected) {
        problems.add(new InvalidSettingsException.Problem(key, problem, expected, line(key)));
    }

    /** @return the problems recorded so far */
    public List<InvalidSettingsException.Problem> problems() {
        return List.copyOf(problems);
    }

    /**
     * @throws InvalidSettingsException listing every problem, if there is any
     */
    public void throwIfInvalid() {
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }

    /**
     * @param v a config value
     * @return how an error shows it: {@code the string 'abc'}, {@code the number 5}, {@code null}, {@code a list}
     */
    public static String describe(ConfigValue v) {
        return switch (v.valueType()) {
            case STRING -> "the string '" + v.unwrapped() + "'";
            case NUMBER, BOOLEAN -> "the " + v.valueType().name().toLowerCase(Locale.ROOT) + " " + v.unwrapped();
            case NULL -> "null";
            case LIST -> "a list";
            case OBJECT -> "an object";
        };
    }

    private interface Getter<T> {
        T get();
    }

    private <T> T typed(String key, String expected, Getter<T> getter) {
        try {
            return getter.get();
        } catch (ConfigException e) {
            problem(key, "is " + describe(config.root().get(key)), expected);
            return null;
        }
    }

    private int line(String key) {
        ConfigValue v = config.root().get(key);
        return v == null || v.origin() == null ? -1 : v.origin().lineNumber();
    }
}
