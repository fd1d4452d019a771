using System.Net;
using LlmMux.Gateway.Configuration;
using Microsoft.Extensions.Logging;

namespace LlmMux.Gateway.Hosting;

/// <summary>What the operator should hear once at start: settings that expose accounts, files others can read.</summary>
internal static class StartupChecks
{
    public static void Warn(ILogger logger, GatewayConfigStore store)
    {
        WarnAboutExposure(logger, store.Current.Options);
        // A config without a secret in it (the repository's commented example) is no one's business but the user's.
        WarnAboutFileModes(logger, PrivateFiles.HoldsSecrets(store.Current.Options) ? store.Source.FilePath : null,
            Logins.LoginSettings.ExpandHome(store.Current.Options.AuthDir));
    }

    /// <summary>Settings that open accounts to a network say so once at start, where the operator looks.</summary>
    private static void WarnAboutExposure(ILogger logger, LlmMuxOptions options)
    {
        if (options.Host is "localhost" || (IPAddress.TryParse(options.Host, out var address) && IPAddress.IsLoopback(address)))
        {
            return;
        }

        if (options.AllowUnauthenticatedRemote && options.ApiKeys.Count == 0)
        {
            Logging.Log.OpenToRemote(logger, options.Host);
        }

        if (options.Management.AllowRemote && options.Management.SecretKey.Length > 0)
        {
            Logging.Log.ManagementRemote(logger, options.Host);
        }
    }

    /// <summary>The config (client and upstream keys) and the auth dir (tokens) should be the user's alone; say so if not.</summary>
    private static void WarnAboutFileModes(ILogger logger, string? configPath, string authDir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (configPath is not null && File.Exists(configPath) && File.GetUnixFileMode(configPath) is var configMode && PrivateFiles.OpenToOthers(configMode))
        {
            Logging.Log.LooseFileMode(logger, configPath, PrivateFiles.Octal(configMode), "600");
        }

        if (Directory.Exists(authDir) && File.GetUnixFileMode(authDir) is var dirMode && PrivateFiles.OpenToOthers(dirMode))
        {
            Logging.Log.LooseFileMode(logger, authDir, PrivateFiles.Octal(dirMode), "700");
        }
    }
}
