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
        WarnAboutFileModes(logger, store.Source.FilePath, Logins.LoginSettings.ExpandHome(store.Current.Options.AuthDir));
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

        const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if (configPath is not null && File.Exists(configPath) && (File.GetUnixFileMode(configPath) & Others) != 0)
        {
            Logging.Log.LooseFileMode(logger, configPath, Octal(File.GetUnixFileMode(configPath)), "600");
        }

        if (Directory.Exists(authDir) && (File.GetUnixFileMode(authDir) & Others) != 0)
        {
            Logging.Log.LooseFileMode(logger, authDir, Octal(File.GetUnixFileMode(authDir)), "700");
        }

        static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8);
    }
}
