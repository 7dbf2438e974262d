package io.loomnet;
public final class Placeholder { private Placeholder() {} }
