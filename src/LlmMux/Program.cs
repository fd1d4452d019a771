using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using LlmMux.Cli;
using LlmMux.Gateway.Configuration;

return await LlmMuxCli.RunAsync(args, Environment.GetEnvironmentVariable, Console.Out, Console.Error).ConfigureAwait(false);

namespace LlmMux.Cli
{
    /// <summary>Parses and runs the commands of spec §1 (<see cref="CommandTree"/>). Exit codes: 0 ok, 1 failed, 2 usage error.</summary>
    internal static class LlmMuxCli
    {
        public static async Task<int> RunAsync(IReadOnlyList<string> args, Func<string, string?> getVariable, TextWriter output, TextWriter error)
        {
            var root = CommandTree.Build(getVariable, output, error, Console.In);
            // No @response-files: an argument starting with @ is a value, never a file to expand.
            var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            if (result.Action is ParseErrorAction)
            {
                error.WriteLine($"llm-mux: {UsageError(result, root)}");
                error.WriteLine(HelpText.Usage);
                return 2;
            }

            try
            {
                return await result.InvokeAsync(new InvocationConfiguration
                {
                    Output = output,
                    Error = error,
                    // Our catch below prints ConfigException; anything else is a bug and should crash with its trace.
                    EnableDefaultExceptionHandler = false,
                    // serve drains on Ctrl-C and login ends cleanly on it; System.CommandLine must not kill the process first.
                    ProcessTerminationTimeout = null,
                }).ConfigureAwait(false);
            }
            catch (ConfigException ex)
            {
                error.WriteLine($"llm-mux: invalid configuration:{Environment.NewLine}{ex.Message}");
                return 1;
            }
        }

        internal static string Version =>
            typeof(LlmMuxCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

        /// <summary>The first error only: one wrong token often causes a second (`--prot 9000` leaves 9000 unmatched too).</summary>
        private static string UsageError(ParseResult result, RootCommand root) =>
            result.CommandResult.Command == root && result.UnmatchedTokens is [var first, ..] && !first.StartsWith('-')
                ? $"unknown command '{first}'."
                : result.Errors[0].Message;
    }
}
