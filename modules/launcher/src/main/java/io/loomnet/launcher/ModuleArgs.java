package io.loomnet.launcher;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A module's arguments: {@code key=value} tokens, as written in a config's {@code args} list or after
 * {@code launch <module>} in the console. Typed getters validate and fail with a
 * {@link ModuleArgumentException} naming the module, the key, what was expected and what was given.
 * Immutable and thread-safe.
 */
public final class ModuleArgs {
    private final String module;
    private final List<String> tokens;
    private final Map<String, String> values;

    private ModuleArgs(String module, List<String> tokens, Map<String, String> values) {
        this.module = module;
        this.tokens = tokens;
        this.values = values;
    }

    /**
     * @param module the module the arguments are for (named in errors)
     * @param tokens {@code key=value} tokens; keys are unique
     * @return the arguments
     * @throws ModuleArgumentException if a token is not {@code key=value} or a key repeats
     */
    public static ModuleArgs parse(String module, List<String> tokens) {
        Objects.requireNonNull(module, "module");
        List<String> copy = List.copyOf(tokens);
        Map<String, String> values = new LinkedHashMap<>();
        for (String t : copy) {
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new ModuleArgumentException(module, "'" + t + "'", "expected key=value");
            }
            String key = t.substring(0, eq).trim();
            if (values.put(key, t.substring(eq + 1).trim()) != null) {
                throw new ModuleArgumentException(module, key, "given more than once");
            }
        }
        return new ModuleArgs(module, copy, Collections.unmodifiableMap(values));
    }

    /** @return the module the arguments are for */
    public String module() {
        return module;
    }

    /** @return the tokens as given */
    public List<String> tokens() {
        return tokens;
    }

    /** @return the arguments as an ordered, unmodifiable map */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * @param key a key
     * @return {@code true} if it was given
     */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /**
     * Fails on keys not in {@code known}, listing the known ones; call it first in {@link ServiceModule#create}.
     *
     * @param known the keys the module understands
     * @return this
     * @throws ModuleArgumentException naming the first unknown key
     */
    public ModuleArgs allowOnly(String... known) {
        Set<String> k = new TreeSet<>(Arrays.asList(known));
        for (String key : values.keySet()) {
            if (!k.contains(key)) {
                throw new ModuleArgumentException(module, key, "unknown argument; expected one of " + k);
            }
        }
        return this;
    }

    /**
     * @param key a key
     * @return its value, if given
     */
    public Optional<String> optional(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * @param key a key
     * @param fallback the value when it is not given
     * @return the value
     */
    public String string(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /**
     * @param key a key that must be given
     * @return its value
     * @throws ModuleArgumentException if it is missing or empty
     */
    public String required(String key) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            throw new ModuleArgumentException(module, key, "required argument is missing (give " + key + "=...)");
        }
        return v;
    }

    /**
     * @param key a key
     * @param fallback the value when it is not given
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     * @throws ModuleArgumentException if it is not an integer in range
     */
    public int integer(String key, int fallback, int min, int max) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw new ModuleArgumentException(module, key, "expected an integer in " + min + ".." + max + ", was '" + v
                + "'");
    }

    /**
     * @param key a key
     * @param fallback the value when it is not given
     * @return the value ({@code true}/{@code false}, {@code yes}/{@code no}, {@code on}/{@code off})
     * @throws ModuleArgumentException if it is not a boolean
     */
    public boolean bool(String key, boolean fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ModuleArgumentException(module, key, "expected true or false, was '" + v + "'");
        };
    }

    /**
     * @param key a key
     * @param fallback the value when it is not given
     * @param <E> the enum
     * @return the constant whose name matches the value, ignoring case, with '-' read as '_'
     * @throws ModuleArgumentException listing the choices if none matches
     */
    public <E extends Enum<E>> E choice(String key, E fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
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
     * Resolves a host to bind or connect to. Resolution happens here, at launch, so a typo fails the launch
     * rather than the service's start.
     *
     * @param key a key
     * @param fallback the host when it is not given, for example {@code 127.0.0.1}
     * @return the address
     * @throws ModuleArgumentException if the host cannot be resolved
     */
    public InetAddress address(String key, String fallback) {
        String v = values.getOrDefault(key, fallback);
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

    @Override
    public String toString() {
        return module + " " + String.join(" ", tokens);
    }
}
