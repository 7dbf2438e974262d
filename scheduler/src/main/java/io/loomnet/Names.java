package io.loomnet;

/** Rules for local service names. */
final class Names {
    private Names() {
    }

    /** Longest allowed name. */
    static final int MAX_LENGTH = 128;

    static String validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("service name must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("service name longer than " + MAX_LENGTH + " characters: '"
                    + name.substring(0, 32) + "...'");
        }
        if (name.startsWith(":") || name.indexOf('@') >= 0 || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("service name '" + name
                    + "' must not start with ':' (handles do) nor contain '@' (name@node) or whitespace");
        }
        return name;
    }
}
