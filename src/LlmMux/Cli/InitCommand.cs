using System.Security.Cryptography;
using LlmMux.Gateway.Configuration;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux init</c>: writes a commented config and the auth dir (0700), and a fresh management secret that is
/// printed once and stored only as its SHA-256 hash.
/// </summary>
internal static class InitCommand
{
    public static int Run(string? config, bool force, Func<string, string?> getVariable, TextWriter output)
    {
        // Absolute in every message: under `dotnet run` or a service the working directory is not always obvious.
        var path = Path.GetFullPath(config ?? "llm-mux.yaml");
        if (File.Exists(path) && !force)
        {
            output.WriteLine($"{path} already exists; use --force to overwrite it.");
            return 1;
        }

        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var hash = LlmMux.Gateway.Management.ManagementSecret.Hash(secret);
        var yaml = ConfigTemplate().Replace("secret-key: \"\"", $"secret-key: \"{hash}\"", StringComparison.Ordinal);
        ConfigLoader.Parse(yaml, path); // the template must always be a valid config
        // 0600 from the start: the user adds keys to this file next (AtomicFile writes owner-only).
        LlmMux.Accounts.Store.AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(yaml));

        var authDir = Path.GetFullPath(ExpandHome(getVariable("LLM_MUX_AUTH_DIR") ?? "~/.config/llm-mux/auth"));
        Directory.CreateDirectory(authDir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(authDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        output.WriteLine($"Wrote {path} (mode 0600) and the auth dir {authDir} (mode 0700).");
        output.WriteLine($"Management secret (shown once, stored only as a hash): {secret}");
        output.WriteLine($"Next: add a provider to {path} (or `llm-mux login claude`), run `llm-mux serve`, then `llm-mux connect claude-code --write`.");
        return 0;
    }

    internal static string ExpandHome(string path)
        => path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;

    private static string ConfigTemplate()
    {
        using var stream = typeof(InitCommand).Assembly.GetManifestResourceStream("LlmMux.config-template.yaml")
            ?? throw new InvalidOperationException("config template is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
