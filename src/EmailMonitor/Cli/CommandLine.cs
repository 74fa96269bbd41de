using System.Reflection;

namespace EmailMonitor.Cli;

/// <summary>The options of CONTRACT §2, parsed from the arguments.</summary>
internal sealed record CommandLine(bool Debug, string? ConfigPath, bool TestEmail, bool ShowVersion, bool ShowHelp, string? Problem, bool Health = false)
{
    public const int Success = 0;
    public const int RuntimeFailure = 1;
    public const int UsageError = 2;

    private static readonly string[] InformationalVersion =
        (typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+', 2);

    /// <summary>X.Y.Z: what <c>--version</c> prints, exactly (CONTRACT §2).</summary>
    public static string Version { get; } = InformationalVersion[0];

    /// <summary>The commit the build came from (12 hex digits), or empty when it was built outside git.</summary>
    public static string Commit { get; } = InformationalVersion.Length > 1 ? InformationalVersion[1][..Math.Min(12, InformationalVersion[1].Length)] : string.Empty;

    /// <summary>The version and, when known, the commit: for --help and the start-up log.</summary>
    public static string Build { get; } = Commit.Length > 0 ? $"{Version} (commit {Commit})" : Version;

    public static string Usage { get; } = $"""
        email-monitor {Build}: real-time email monitoring over WebSocket.

        Usage: email-monitor [options]

        Options:
          --debug          Debug level logging, also to the console
          --config PATH    read settings from PATH (dotenv format) instead of ./.env
          --test-email     connect and log in to every configured mailbox, report each step, exit
          --health         ask the service running with these settings whether it is alive
                           (GET /health/live over loopback); exit 0 if it is, 1 if not
          --version        print the version and exit
          --help           show this help and exit

        Settings come from the environment, then the --config file (or ./.env), then defaults;
        .env.example lists every variable. Exit codes: 0 success, 1 runtime failure,
        2 usage or configuration error.

        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new CommandLine(false, null, false, false, false, null);
        for (var i = 0; i < args.Count; i++)
        {
            result = args[i] switch
            {
                "--debug" => result with { Debug = true },
                "--test-email" => result with { TestEmail = true },
                "--health" => result with { Health = true },
                "--version" => result with { ShowVersion = true },
                "--help" or "-h" => result with { ShowHelp = true },
                "--config" when i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) =>
                    result with { ConfigPath = args[++i] },
                "--config" => result with { Problem = "--config needs a file path" },
                var arg when arg.StartsWith("--config=", StringComparison.Ordinal) && arg.Length > "--config=".Length =>
                    result with { ConfigPath = arg["--config=".Length..] },
                var other => result with { Problem = $"unknown option '{other}'" },
            };

            if (result.Problem is not null)
            {
                return result;
            }
        }

        return result;
    }
}
