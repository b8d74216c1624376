package dev.spectroscope.cli;

import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option can also come from the environment, which is how containers are configured: {@code --foo-bar}
 * reads {@code SPECTROSCOPE_FOO_BAR} when it is not given on the command line (the same name in every
 * command, e.g. {@code SPECTROSCOPE_BOOTSTRAP_SERVERS}). The command line wins over the environment, the
 * environment over the built-in default.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    static final String PREFIX = "SPECTROSCOPE_";

    private final Function<String, String> environment;

    EnvironmentDefaults(Function<String, String> environment) {
        this.environment = environment;
    }

    /** The environment variable an option reads: {@code --http-port} → {@code SPECTROSCOPE_HTTP_PORT}. */
    static String variable(OptionSpec option) {
        String name = option.longestName().replaceFirst("^-+", "");
        return PREFIX + name.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String value = environment.apply(variable(option));
        return value == null || value.isBlank() ? null : value;
    }
}
