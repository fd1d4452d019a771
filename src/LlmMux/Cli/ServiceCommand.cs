using System.Diagnostics;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux service install | uninstall | status | logs</c>: runs <c>llm-mux serve</c> as the user's own service, a
/// systemd user unit on Linux, a launchd agent on macOS (<see cref="ServiceUnits"/>). <c>install</c> writes the unit for
/// the config found now (absolute path) and this executable, then enables and starts it unless <c>--no-start</c>;
/// when the service manager cannot be reached the commands to run are printed instead.
/// </summary>
internal static class ServiceCommand
{
    public static int Run(string action, string? config, bool noStart, Func<string, string?> getVariable, TextWriter output, TextWriter error)
    {
        var home = getVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Launchd(action, config, noStart, home, getVariable, output, error);
        }

        if (!OperatingSystem.IsLinux())
        {
            error.WriteLine("llm-mux: `service` knows systemd (Linux) and launchd (macOS); run `llm-mux serve` under your own supervisor here.");
            return 1;
        }

        var configHome = getVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(home, ".config");
        var unitPath = Path.Combine(configHome, "systemd", "user", $"{ServiceUnits.Name}.service");
        switch (action)
        {
            case "install":
                var spec = Spec(config, home, getVariable);
                Directory.CreateDirectory(Path.GetDirectoryName(unitPath)!);
                Directory.CreateDirectory(spec.AuthDir);
                File.WriteAllText(unitPath, ServiceUnits.Systemd(spec));
                output.WriteLine($"Wrote {unitPath} (runs {string.Join(' ', spec.Command)}, config {spec.ConfigPath ?? "embedded default"}).");
                if (noStart)
                {
                    output.WriteLine("Start it with: systemctl --user daemon-reload && systemctl --user enable --now llm-mux");
                    return 0;
                }

                return Systemctl(output, error, ["daemon-reload"], ["enable", "--now", ServiceUnits.Name]) ? Started(output) : 1;
            case "uninstall":
                if (!noStart)
                {
                    Systemctl(output, error, ["disable", "--now", ServiceUnits.Name]);
                }

                if (File.Exists(unitPath))
                {
                    File.Delete(unitPath);
                    output.WriteLine($"Removed {unitPath}.");
                }
                else
                {
                    output.WriteLine($"No unit at {unitPath}.");
                }

                return 0;
            case "status":
                return Pass("systemctl", ["--user", "status", "--no-pager", ServiceUnits.Name], output, error);
            default: // logs
                return Pass("journalctl", ["--user", "-u", ServiceUnits.Name, "-n", "200", "--no-pager"], output, error);
        }
    }

    private static int Started(TextWriter output)
    {
        output.WriteLine("Started llm-mux as a user service. `llm-mux service status` and `llm-mux service logs` show it.");
        return 0;
    }

    internal static ServiceSpec Spec(string? config, string home, Func<string, string?> getVariable)
    {
        var source = ConfigLocator.Locate(config, getVariable);
        var options = LlmMux.Gateway.Configuration.ConfigOverrides.FromEnvironment(getVariable)
            .ApplyTo(LlmMux.Gateway.Configuration.ConfigLoader.Parse(source.ReadText(), source.DisplayName));
        var authDir = options.AuthDir.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, options.AuthDir[2..]) : Path.GetFullPath(options.AuthDir);
        return new ServiceSpec(ThisExecutable(), source.FilePath, authDir);
    }

    /// <summary>This program's own command line: the apphost or AOT binary, or <c>dotnet llm-mux.dll</c> under the JIT host.</summary>
    private static IReadOnlyList<string> ThisExecutable()
    {
        var process = Environment.ProcessPath ?? "llm-mux";
        var dll = Path.Combine(AppContext.BaseDirectory, "llm-mux.dll");
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && File.Exists(dll) ? [process, dll, "serve"] : [process, "serve"];
    }

    private static bool Systemctl(TextWriter output, TextWriter error, params string[][] commands)
    {
        foreach (var command in commands)
        {
            if (Pass("systemctl", ["--user", .. command], output, error) != 0)
            {
                error.WriteLine($"llm-mux: `systemctl --user {string.Join(' ', command)}` failed (is a user manager running? `loginctl enable-linger` keeps it after logout).");
                return false;
            }
        }

        return true;
    }

    private static int Launchd(string action, string? config, bool noStart, string home, Func<string, string?> getVariable, TextWriter output, TextWriter error)
    {
        var plistPath = Path.Combine(home, "Library", "LaunchAgents", $"{ServiceUnits.LaunchdLabel}.plist");
        var log = Path.Combine(home, "Library", "Logs", "llm-mux.log");
        var domain = $"gui/{getVariable("UID") ?? Pass("id", ["-u"]).Trim()}";
        switch (action)
        {
            case "install":
                var spec = Spec(config, home, getVariable);
                Directory.CreateDirectory(Path.GetDirectoryName(plistPath)!);
                Directory.CreateDirectory(Path.GetDirectoryName(log)!);
                Directory.CreateDirectory(spec.AuthDir);
                File.WriteAllText(plistPath, ServiceUnits.Launchd(spec, log));
                output.WriteLine($"Wrote {plistPath}.");
                return noStart ? 0 : Pass("launchctl", ["bootstrap", domain, plistPath], output, error);
            case "uninstall":
                if (!noStart)
                {
                    Pass("launchctl", ["bootout", $"{domain}/{ServiceUnits.LaunchdLabel}"], output, error);
                }

                File.Delete(plistPath);
                output.WriteLine($"Removed {plistPath}.");
                return 0;
            case "status":
                return Pass("launchctl", ["print", $"{domain}/{ServiceUnits.LaunchdLabel}"], output, error);
            default:
                return Pass("tail", ["-n", "200", log], output, error);
        }
    }

    private static string Pass(string command, string[] args)
    {
        using var output = new StringWriter();
        Pass(command, args, output, TextWriter.Null);
        return output.ToString();
    }

    /// <summary>Runs a service manager command, its output passed on; 127 when it is not installed.</summary>
    private static int Pass(string command, string[] args, TextWriter output, TextWriter error)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            output.Write(process.StandardOutput.ReadToEnd());
            process.WaitForExit();
            error.Write(stderr.GetAwaiter().GetResult());
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            error.WriteLine($"llm-mux: {command} is not installed.");
            return 127;
        }
    }
}
