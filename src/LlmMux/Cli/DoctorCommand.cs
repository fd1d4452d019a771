using LlmMux.Accounts.Store;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Logins;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux doctor [--client NAME]</c>: one line per check (ok, warn, fail) with the reason in plain words; exit
/// code 1 when any check fails. Config, permissions and tokens from files (<see cref="DoctorFiles"/>), each provider's
/// base URL over the network (<see cref="DoctorNetwork"/>), and with <c>--client</c> the running gateway driven as that
/// client would drive it (<see cref="DoctorClient"/>).
/// </summary>
internal static class DoctorCommand
{
    public static async Task<int> RunAsync(DoctorFlags flags, Func<string, string?> getVariable, TextWriter output, CancellationToken ct)
    {
        var failed = false;
        void Print(DoctorCheck check)
        {
            failed |= check.Level == DoctorLevel.Fail;
            output.WriteLine(check.ToString());
        }

        ConfigSource source;
        LlmMuxOptions options;
        try
        {
            source = ConfigLocator.Locate(flags.Config, getVariable);
            options = ConfigLocator.Load(source, getVariable);
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
        {
            Print(DoctorCheck.Fail("config", e.Message.Replace(Environment.NewLine, "; ", StringComparison.Ordinal)));
            return 1; // the other checks all depend on it
        }

        Print(DoctorCheck.Ok("config", source.FilePath is { } path ? $"{path} loads and validates" : $"no config file found; using the {source.DisplayName}"));
        if (source.FilePath is { } file)
        {
            foreach (var check in DoctorFiles.ConfigPermissions(file, options))
            {
                Print(check);
            }
        }

        var dir = Path.GetFullPath(LoginSettings.ExpandHome(options.AuthDir));
        using (var store = new AccountStore(dir))
        {
            if (Directory.Exists(dir))
            {
                store.Load();
            }

            foreach (var check in DoctorFiles.AuthDir(dir, store, DateTimeOffset.UtcNow))
            {
                Print(check);
            }
        }

        if ((flags.Secret ?? getVariable(ManagementClient.SecretVariable)) is { Length: > 0 } secret)
        {
            foreach (var check in await DoctorGatewayAccounts.CheckAsync(flags.Url, secret, flags.Config, getVariable, ct).ConfigureAwait(false))
            {
                Print(check);
            }
        }

        foreach (var provider in options.Providers)
        {
            Print(await DoctorNetwork.BaseUrlAsync(provider, flags.Timeout, ct).ConfigureAwait(false));
        }

        if (flags.Client is { } client)
        {
            var url = (flags.Url ?? ConnectCommand.DefaultUrl(options)).TrimEnd('/');
            var key = flags.Key ?? options.ApiKeys.FirstOrDefault();
            await foreach (var check in DoctorClient.RunAsync(client, url, key, ct).ConfigureAwait(false))
            {
                Print(check);
            }
        }

        output.WriteLine(failed ? "Some checks failed (see the fail lines above)." : "No check failed.");
        return failed ? 1 : 0;
    }
}
