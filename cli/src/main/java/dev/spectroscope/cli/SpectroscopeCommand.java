package dev.spectroscope.cli;

import dev.spectroscope.events.EventTypes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code spectroscope} command: every service and tool is a subcommand of it. */
@Command(name = "spectroscope",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Live SLT spectroscopy of neural-network training runs, over Kafka.",
        subcommands = {
                DemoCommand.class,
                BrokerCommand.class,
                ProcessCommand.class,
                ProbeWorkerCommand.class,
                EstimateCommand.class,
                SinksCommand.class,
                ReplayCommand.class,
                InspectCommand.class,
                TopicsCommand.class,
                ValidateCommand.class,
                CalibrateCommand.class,
                TrainCommand.class,
                AgentCommand.class,
                CommandLine.HelpCommand.class
        },
        footer = {"", "Run 'spectroscope help COMMAND' for a command's options."})
public final class SpectroscopeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code: 0 fine, 1 failed, 2 bad usage. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, for {@link #main} and for tests that capture its output. */
    static CommandLine commandLine() {
        return commandLine(System::getenv);
    }

    /** The command line with options defaulting to {@code SPECTROSCOPE_*} variables of this environment. */
    static CommandLine commandLine(java.util.function.Function<String, String> environment) {
        EventTypes.init();
        CommandLine cli = new CommandLine(new SpectroscopeCommand());
        cli.setDefaultValueProvider(new EnvironmentDefaults(environment));
        cli.setExecutionExceptionHandler(new FailureHandler());
        cli.setParameterExceptionHandler(SpectroscopeCommand::badUsage);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    /** A wrong flag or argument: say which, and where to look, without the whole usage text. */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        String command = cli.getCommandSpec().qualifiedName();
        cli.getErr().println(command + ": " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, cli.getErr());
        cli.getErr().println("Run '" + command + " --help' for the options.");
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Expected failures (a port in use, a broker that is down) print one line, not a stack trace. */
    private static final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
            cli.getErr().println(cli.getColorScheme().errorText("spectroscope " + cli.getCommandName() + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage())));
            return 1;
        }
    }
}
