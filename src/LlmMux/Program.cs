using System.Reflection;
using LlmMux.Cli;
using LlmMux.Gateway.Configuration;

return await LlmMuxCli.RunAsync(args, Environment.GetEnvironmentVariable, Console.Out, Console.Error).ConfigureAwait(false);

namespace LlmMux.Cli
{
    /// <summary>Dispatches the commands of spec §1. Exit codes: 0 ok, 1 failed, 2 usage error.</summary>
    internal static class LlmMuxCli
    {
        public static async Task<int> RunAsync(IReadOnlyList<string> args, Func<string, string?> getVariable, TextWriter output, TextWriter error)
        {
            try
            {
                var line = CommandLine.Parse(args);
                if (line.Has("version"))
                {
                    output.WriteLine($"llm-mux {Version}");
                    return 0;
                }

                if (line.Has("help") || line.Command is "help")
                {
                    output.WriteLine(HelpText.Usage);
                    return 0;
                }

                switch (line.Command)
                {
                    case "serve":
                        return await ServeCommand.RunAsync(line, getVariable, output).ConfigureAwait(false);
                    case "models":
                        return ModelsCommand.Run(line, getVariable, output);
                    case "init":
                        return InitCommand.Run(line, getVariable, output);
                    case "login":
                        return await LoginCommand.RunAsync(line, getVariable, output, error, Console.In).ConfigureAwait(false);
                    case "accounts":
                        return await AccountsCommand.RunAsync(line, getVariable, output, error).ConfigureAwait(false);
                    default:
                        error.WriteLine(line.Command.Length == 0 ? "llm-mux: no command given." : $"llm-mux: unknown command '{line.Command}'.");
                        error.WriteLine(HelpText.Usage);
                        return 2;
                }
            }
            catch (UsageException ex)
            {
                error.WriteLine($"llm-mux: {ex.Message}");
                error.WriteLine(HelpText.Usage);
                return 2;
            }
            catch (ConfigException ex)
            {
                error.WriteLine($"llm-mux: invalid configuration:{Environment.NewLine}{ex.Message}");
                return 1;
            }
        }

        private static string Version =>
            typeof(LlmMuxCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
    }
}
