using System.Globalization;
using LlmMux.Gateway.Configuration;
using StackExchange.Redis;

namespace LlmMux.Gateway.Cluster;

/// <summary><c>redis://[user[:password]@]host[:port][/db]</c> and <c>rediss://</c> (TLS), as most Redis clients take them.</summary>
internal static class RedisUrl
{
    /// <summary>Why <paramref name="url"/> is not a Redis URL, or null when it is.</summary>
    public static string? Problem(string url)
        => !Uri.TryCreate(url, UriKind.Absolute, out var uri) ? "must be a redis:// or rediss:// URL"
            : uri.Scheme is not ("redis" or "rediss") ? $"must start with redis:// or rediss://, got '{uri.Scheme}://'"
            : uri.Host.Length == 0 ? "must name a host"
            : uri.AbsolutePath.Trim('/') is { Length: > 0 } db && !int.TryParse(db, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? "the path may only be a database number"
            : null;

    public static ConfigurationOptions ToConfiguration(ClusterOptions options)
    {
        var uri = new Uri(options.Redis);
        var config = new ConfigurationOptions
        {
            // Never fail start-up and never queue while disconnected: a replica without Redis serves on local state.
            AbortOnConnectFail = false,
            BacklogPolicy = BacklogPolicy.FailFast,
            ConnectTimeout = 2000,
            AsyncTimeout = 2000,
            SyncTimeout = 2000,
            ConnectRetry = 1,
            KeepAlive = 5,
            ReconnectRetryPolicy = new ExponentialRetry(250, 5000),
            Ssl = options.Tls || uri.Scheme == "rediss",
        };
        config.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            var password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (password is null)
            {
                // redis://secret@host: a lone user-info part is the password, as redis-cli -u reads it.
                config.Password = user;
            }
            else
            {
                config.User = user.Length > 0 ? user : null;
                config.Password = password;
            }
        }

        if (options.Password.Length > 0)
        {
            config.Password = options.Password;
        }

        if (int.TryParse(uri.AbsolutePath.Trim('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var database))
        {
            config.DefaultDatabase = database;
        }

        if (options.TlsCa.Length > 0)
        {
            config.Ssl = true;
            config.TrustIssuer(LlmMux.Gateway.Logins.LoginSettings.ExpandHome(options.TlsCa));
        }

        return config;
    }

    /// <summary>The URL without its user-info, for logs and the management API.</summary>
    public static string Display(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}:{(uri.Port < 0 ? 6379 : uri.Port)}" : "(invalid)";
}
