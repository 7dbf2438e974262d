package io.loomnet.launcher;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;

/**
 * A module's settings: a config subtree, the service entry's {@code args} (an object in a config file, or
 * {@code key=value} tokens after {@code launch <module>} in the console) over the module's defaults
 * ({@code loomnet.modules.<module>} in a {@code reference.conf}, which the config file may override).
 *
 * <p>Typed getters read through Typesafe Config (so {@code port = 7001} and the token {@code port=7001} read
 * alike) and fail with a {@link ModuleArgumentException} naming the module, the key, what was expected and what
 * was given. When the module has defaults, a key the defaults do not name is rejected when the arguments are
 * made, so a typo never passes silently; a module without defaults lists its keys with {@link #allowOnly}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ModuleArgs {
    private final String module;
    private final Config config;

    private ModuleArgs(String module, Config config) {
        this.module = module;
        this.config = config;
    }

    /**
     * @param module the module the arguments are for (named in errors)
     * @param tokens {@code key=value} tokens; keys are unique
     * @return the arguments, without defaults
     * @throws ModuleArgumentException if a token is not {@code key=value} or a key repeats
     */
    public static ModuleArgs parse(String module, List<String> tokens) {
        return of(module, tokens(module, tokens), ConfigFactory.empty());
    }

    /**
     * @param module the module the arguments are for
     * @param given what the entry (or command) wrote
     * @param defaults the module's defaults; empty if it has none
     * @return {@code given} over {@code defaults}
     * @throws ModuleArgumentException naming the first key of {@code given} that {@code defaults} does not have,
     *                                 when {@code defaults} is not empty
     */
    public static ModuleArgs of(String module, Config given, Config defaults) {
        Objects.requireNonNull(module, "module");
        if (!defaults.isEmpty()) {
            for (String key : new TreeSet<>(given.root().keySet())) {
                if (!defaults.root().containsKey(key)) {
                    throw new ModuleArgumentException(module, key, "unknown argument; expected one of "
                            + new TreeSet<>(defaults.root().keySet()));
                }
            }
        }
        return new ModuleArgs(module, given.withFallback(defaults));
    }

    /**
     * Turns {@code key=value} tokens into a config with string values (the typed getters convert them).
     *
     * @param module named in errors
     * @param tokens {@code key=value} tokens
     * @return the config
     * @throws ModuleArgumentException if a token is not {@code key=value}, a key is not a valid config key, or a
     *                                 key repeats
     */
    public static Config tokens(String module, List<String> tokens) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String t : List.copyOf(tokens)) {
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new ModuleArgumentException(module, "'" + t + "'", "expected key=value");
            }
            String key = t.substring(0, eq).trim();
            if (!key.matches("[A-Za-z0-9_-]+")) {
                throw new ModuleArgumentException(module, "'" + key + "'", "expected a key of letters, digits, '-' "
                        + "and '_'");
            }
            if (values.put(key, t.substring(eq + 1).trim()) != null) {
                throw new ModuleArgumentException(module, key, "given more than once");
            }
        }
        return ConfigFactory.parseMap(values, "arguments of module '" + module + "'");
    }

    /** @return the module the arguments are for */
    public String module() {
        return module;
    }

    /** @return the settings, given over defaults, for modules that read nested settings themselves */
    public Config config() {
        return config;
    }

    /**
     * @param key a key
     * @return {@code true} if it has a value (given, or a default other than {@code null})
     */
    public boolean has(String key) {
        return config.hasPath(key);
    }

    /**
     * For modules without defaults: fails on keys not in {@code known}; call it first in
     * {@link ServiceModule#create}.
     *
     * @param known the keys the module understands
     * @return this
     * @throws ModuleArgumentException naming the first unknown key
     */
    public ModuleArgs allowOnly(String... known) {
        Set<String> k = new TreeSet<>(Arrays.asList(known));
        for (String key : new TreeSet<>(config.root().keySet())) {
            if (!k.contains(key)) {
                throw new ModuleArgumentException(module, key, "unknown argument; expected one of " + k);
            }
        }
        return this;
    }

    /**
     * @param key a key
     * @return its value as text, if it has one
     * @throws ModuleArgumentException if it is an object or a list
     */
    public Optional<String> optional(String key) {
        if (!config.hasPath(key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(config.getString(key));
        } catch (ConfigException e) {
            throw new ModuleArgumentException(module, key, "expected a string, was " + was(key));
        }
    }

    /**
     * @param key a key
     * @param fallback the value when it has none
     * @return the value
     */
    public String string(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    /**
     * @param key a key that must have a value
     * @return its value
     * @throws ModuleArgumentException if it is missing or empty
     */
    public String required(String key) {
        String v = optional(key).orElse("");
        if (v.isEmpty()) {
            throw new ModuleArgumentException(module, key, "required argument is missing (give " + key + "=...)");
        }
        return v;
    }

    /**
     * @param key a key whose default is in the module's {@code reference.conf}, or that must be given
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     * @throws ModuleArgumentException if it is missing, or not an integer in range
     */
    public int integer(String key, int min, int max) {
        if (!config.hasPath(key)) {
            throw new ModuleArgumentException(module, key, "required argument is missing (give " + key
                    + "=<an integer in " + min + ".." + max + ">)");
        }
        try {
            int i = config.getInt(key);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (ConfigException e) {
            // reported below, with the range
        }
        throw new ModuleArgumentException(module, key, "expected an integer in " + min + ".." + max + ", was "
                + was(key));
    }

    /**
     * @param key a key
     * @param fallback the value when it has none
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     * @throws ModuleArgumentException if it is not an integer in range
     */
    public int integer(String key, int fallback, int min, int max) {
        return config.hasPath(key) ? integer(key, min, max) : fallback;
    }

    /**
     * @param key a key
     * @param fallback the value when it has none
     * @return the value ({@code true}/{@code false}, {@code yes}/{@code no}, {@code on}/{@code off})
     * @throws ModuleArgumentException if it is not a boolean
     */
    public boolean bool(String key, boolean fallback) {
        if (!config.hasPath(key)) {
            return fallback;
        }
        try {
            return config.getBoolean(key);
        } catch (ConfigException e) {
            throw new ModuleArgumentException(module, key, "expected true or false, was " + was(key));
        }
    }

    /**
     * @param key a key
     * @param fallback the value when it has none
     * @return a positive duration ({@code 500ms}, {@code 10s}; a bare number is milliseconds)
     * @throws ModuleArgumentException if it is not a positive duration
     */
    public Duration duration(String key, Duration fallback) {
        if (!config.hasPath(key)) {
            return fallback;
        }
        try {
            Duration d = config.getDuration(key);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (ConfigException e) {
            // reported below
        }
        throw new ModuleArgumentException(module, key, "expected a positive duration such as 500ms or 10s, was "
                + was(key));
    }

    /**
     * @param key a key
     * @param fallback the value when it has none
     * @param <E> the enum
     * @return the constant whose name matches the value, ignoring case, with '-' read as '_'
     * @throws ModuleArgumentException listing the choices if none matches
     */
    public <E extends Enum<E>> E choice(String key, E fallback) {
        if (!config.hasPath(key)) {
            return fallback;
        }
        String v = optional(key).orElseThrow();
        E[] all = fallback.getDeclaringClass().getEnumConstants();
        for (E e : all) {
            if (e.name().equalsIgnoreCase(v.replace('-', '_'))) {
                return e;
            }
        }
        throw new ModuleArgumentException(module, key, "expected one of " + Arrays.stream(all)
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", "))
                + ", was '" + v + "'");
    }

    /**
     * @param key a key whose default is in the module's {@code reference.conf}, or that must be given
     * @param type the enum
     * @param <E> the enum
     * @return the constant whose name matches the value, ignoring case, with '-' read as '_'
     * @throws ModuleArgumentException if it is missing, or listing the choices if none matches
     */
    public <E extends Enum<E>> E choice(String key, Class<E> type) {
        E[] all = type.getEnumConstants();
        if (!config.hasPath(key)) {
            throw new ModuleArgumentException(module, key, "required argument is missing (give " + key + "=...)");
        }
        return choice(key, all[0]);
    }

    /**
     * {@link #address(String, String)} for a key whose default is in the module's {@code reference.conf}.
     *
     * @param key a key
     * @return the address
     * @throws ModuleArgumentException if it is missing or cannot be resolved
     */
    public InetAddress address(String key) {
        return address(key, required(key));
    }

    /**
     * Resolves a host to bind or connect to. Resolution happens here, when the arguments are checked, so a typo
     * fails the launch (and {@code loomnet check}) rather than the service's start.
     *
     * @param key a key
     * @param fallback the host when it has none, for example {@code 127.0.0.1}
     * @return the address
     * @throws ModuleArgumentException if the host cannot be resolved
     */
    public InetAddress address(String key, String fallback) {
        String v = string(key, fallback);
        if (v.isEmpty()) {
            throw new ModuleArgumentException(module, key, "expected a host name or IP address, was empty");
        }
        try {
            return InetAddress.getByName(v);
        } catch (UnknownHostException e) {
            throw new ModuleArgumentException(module, key, "expected a host name or IP address, '" + v
                    + "' does not resolve");
        }
    }

    /**
     * @param key the argument at fault
     * @param problem what was expected and what was given
     * @return an exception to throw, in this class's format
     */
    public ModuleArgumentException error(String key, String problem) {
        return new ModuleArgumentException(module, key, problem);
    }

    private String was(String key) {
        ConfigValue v = config.getValue(key);
        return switch (v.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            default -> "'" + v.unwrapped() + "'";
        };
    }

    @Override
    public String toString() {
        return module + " " + config.root().render(com.typesafe.config.ConfigRenderOptions.concise());
    }
}
