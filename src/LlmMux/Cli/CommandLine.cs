namespace LlmMux.Cli;

/// <summary>A parsed command line: the command, its positional arguments and its <c>--flags</c>.</summary>
internal sealed record CommandLine(string Command, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Flags)
{
    /// <summary>Flags that take a value; every other flag is a switch.</summary>
    private static readonly HashSet<string> ValueFlags = ["config", "host", "port", "name", "project"];

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var arguments = new List<string>();
        var flags = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var name = arg[2..];
                var eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    flags[name[..eq]] = name[(eq + 1)..];
                }
                else if (ValueFlags.Contains(name))
                {
                    flags[name] = i + 1 < args.Count ? args[++i] : throw new UsageException($"--{name} needs a value");
                }
                else
                {
                    flags[name] = null;
                }
            }
            else if (arg is "-h")
            {
                flags["help"] = null;
            }
            else
            {
                arguments.Add(arg);
            }
        }

        var command = arguments.Count > 0 ? arguments[0] : "";
        return new CommandLine(command, arguments.Skip(1).ToList(), flags);
    }

    public bool Has(string flag) => Flags.ContainsKey(flag);

    public string? Value(string flag) => Flags.GetValueOrDefault(flag);
}

/// <summary>The command line itself is wrong: print the message and the help, exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
