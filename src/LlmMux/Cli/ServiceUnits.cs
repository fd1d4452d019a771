using System.Security;
using System.Text;

namespace LlmMux.Cli;

/// <summary>What a service runs: the command line, the config, the auth dir; one set of data for both unit formats.</summary>
internal sealed record ServiceSpec(IReadOnlyList<string> Command, string? ConfigPath, string AuthDir);

/// <summary>
/// The systemd user unit (hardened like deploy/llm-mux.service, within what a user manager may apply: no User=, no
/// capability sets, the home read-only except the config's folder and the auth dir) and the launchd agent, both
/// generated from one <see cref="ServiceSpec"/>.
/// </summary>
internal static class ServiceUnits
{
    public const string Name = "llm-mux";
    public const string LaunchdLabel = "dev.llm-mux";

    public static string Systemd(ServiceSpec spec)
    {
        var unit = new StringBuilder();
        unit.Append("# Written by `llm-mux service install`; `llm-mux service uninstall` removes it.\n");
        unit.Append("[Unit]\nDescription=llm-mux LLM gateway\nAfter=network-online.target\n\n[Service]\nType=simple\n");
        if (spec.ConfigPath is { } config)
        {
            unit.Append($"Environment={SystemdQuote($"LLM_MUX_CONFIG={config}")}\n");
        }

        unit.Append($"Environment={SystemdQuote($"LLM_MUX_AUTH_DIR={spec.AuthDir}")}\n");
        unit.Append($"ExecStart={string.Join(' ', spec.Command.Select(SystemdQuote))}\n");
        unit.Append("""
            Restart=on-failure
            RestartSec=2
            # SIGTERM drains in-flight requests before exit.
            KillSignal=SIGTERM
            TimeoutStopSec=120

            NoNewPrivileges=yes
            ProtectSystem=strict
            ProtectHome=read-only

            """);
        var writable = new[] { spec.ConfigPath is null ? null : Path.GetDirectoryName(spec.ConfigPath), spec.AuthDir }.OfType<string>().Distinct().ToList();
        unit.Append($"ReadWritePaths={string.Join(' ', writable.Select(SystemdQuote))}\n");
        unit.Append("""
            PrivateTmp=yes
            RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
            RestrictNamespaces=yes
            RestrictRealtime=yes
            RestrictSUIDSGID=yes
            LockPersonality=yes
            SystemCallArchitectures=native
            UMask=0077

            [Install]
            WantedBy=default.target

            """);
        return unit.ToString();
    }

    public static string Launchd(ServiceSpec spec, string logPath)
    {
        var plist = new StringBuilder();
        plist.Append("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>

            """);
        plist.Append($"  <key>Label</key><string>{LaunchdLabel}</string>\n  <key>ProgramArguments</key>\n  <array>\n");
        foreach (var arg in spec.Command)
        {
            plist.Append($"    <string>{SecurityElement.Escape(arg)}</string>\n");
        }

        plist.Append("  </array>\n  <key>EnvironmentVariables</key>\n  <dict>\n");
        if (spec.ConfigPath is { } config)
        {
            plist.Append($"    <key>LLM_MUX_CONFIG</key><string>{SecurityElement.Escape(config)}</string>\n");
        }

        plist.Append($"    <key>LLM_MUX_AUTH_DIR</key><string>{SecurityElement.Escape(spec.AuthDir)}</string>\n  </dict>\n");
        plist.Append("""
              <key>RunAtLoad</key><true/>
              <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
              <key>Umask</key><integer>63</integer>

            """);
        plist.Append($"  <key>StandardOutPath</key><string>{SecurityElement.Escape(logPath)}</string>\n");
        plist.Append($"  <key>StandardErrorPath</key><string>{SecurityElement.Escape(logPath)}</string>\n</dict>\n</plist>\n");
        return plist.ToString();
    }

    /// <summary>A systemd word: quoted when it holds a space, quote or backslash; % doubled (specifier).</summary>
    private static string SystemdQuote(string word)
    {
        var escaped = word.Replace("%", "%%", StringComparison.Ordinal);
        return escaped.Any(c => c is ' ' or '"' or '\\' or '\'' or '\t')
            ? "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : escaped;
    }
}
