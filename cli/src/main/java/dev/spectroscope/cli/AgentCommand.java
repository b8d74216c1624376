package dev.spectroscope.cli;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.AgentSync;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spectroscope agent}: tools for the in-job agent's local state. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Send journals left by offline or crashed runs.",
        subcommands = {AgentCommand.Sync.class})
final class AgentCommand {

    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = "Send every journal in a spill directory to Kafka, exactly once, then remove it.")
    static final class Sync implements Callable<Integer> {

        @Option(names = "--spill-dir", defaultValue = "spectroscope-data/spill",
                description = "The agents' spill directory (default: ${DEFAULT-VALUE}).")
        Path spillDir;

        @Option(names = "--bootstrap-servers", required = true, description = "Kafka to send to.")
        String bootstrapServers;

        @Option(names = "--timeout", defaultValue = "PT2M",
                description = "How long to wait for Kafka per journal, ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            AgentConfig config = AgentConfig.defaults().withBootstrapServers(bootstrapServers).withSpillDir(spillDir);
            AgentSync.Result r = AgentSync.syncAll(spillDir, config, timeout);
            System.out.printf("Sent %d events from %d journal(s); %d still incomplete, %d in use by a running agent%n",
                    r.sent(), r.journals(), r.incomplete(), r.skippedBusy());
            return r.incomplete() == 0 ? 0 : 1;
        }
    }
}
