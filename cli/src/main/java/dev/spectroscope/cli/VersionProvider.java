package dev.spectroscope.cli;

import picocli.CommandLine;

/** The version from the jar's manifest, so that it is written in one place (the pom). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = SpectroscopeCommand.class.getPackage().getImplementationVersion();
        return new String[] {"spectroscope " + (version == null ? "(development build)" : version),
                "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch")};
    }
}
