using System.Globalization;
using LlmMux.Gateway.Configuration;
using LlmMux.Gateway.Connect;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux connect &lt;client&gt; [--write]</c>: prints what a client needs to use this gateway (content from
/// <see cref="ClientSetups"/>); with <c>--write</c> merges it into the client's settings files, each changed file first
/// copied to <c>FILE.bak-&lt;UTC time&gt;</c>. The URL and key default to the config's <c>host</c>/<c>port</c> and first
/// <c>api-keys</c> entry (environment overrides included).
/// </summary>
internal static class ConnectCommand
{
    public static int Run(ConnectFlags flags, Func<string, string?> getVariable, TextWriter output, TextWriter error, TimeProvider? clock = null)
    {
        var options = ConfigLocator.Load(ConfigLocator.Locate(flags.Config, getVariable), getVariable);
        var target = new ConnectTarget(flags.Url ?? DefaultUrl(options), flags.Key ?? options.ApiKeys.FirstOrDefault(), flags.Model);
        var setup = ClientSetups.For(flags.Client, target)!; // the parser admits only known clients
        var home = getVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

        output.WriteLine($"# {setup.Title} through llm-mux at {target.BaseUrl}");
        if (setup.Environment.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("# environment");
            foreach (var v in setup.Environment)
            {
                output.WriteLine($"export {v.Name}={ShellQuote(v.Value)}");
            }
        }

        foreach (var file in setup.Files)
        {
            output.WriteLine();
            output.WriteLine($"# {Resolve(home, file.Path)} ({(flags.Write ? "merged into the file" : "merge into the file, or run again with --write")})");
            output.Write(file.Content);
        }

        foreach (var snippet in setup.Snippets)
        {
            output.WriteLine();
            output.WriteLine($"# {snippet.Language}");
            output.WriteLine(snippet.Code);
        }

        if (setup.Notes.Count > 0)
        {
            output.WriteLine();
            foreach (var note in setup.Notes)
            {
                output.WriteLine($"- {note}");
            }
        }

        if (!flags.Write)
        {
            return 0;
        }

        if (setup.Files.Count == 0)
        {
            error.WriteLine($"llm-mux: {setup.Title} has no settings file to write; set it up as printed above.");
            return 1;
        }

        output.WriteLine();
        var stamp = (clock ?? TimeProvider.System).GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        foreach (var file in setup.Files)
        {
            var path = Resolve(home, file.Path);
            var existing = File.Exists(path) ? File.ReadAllText(path) : null;
            string merged;
            try
            {
                merged = SettingsMerge.Merge(file.Format, existing, file.Content);
            }
            catch (FormatException e)
            {
                error.WriteLine($"llm-mux: {path} is {e.Message}; left unchanged. Fix it or move it away, then run again.");
                return 1;
            }

            if (merged == existing)
            {
                output.WriteLine($"Unchanged {path} (already set up).");
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (existing is not null)
            {
                var backup = $"{path}.bak-{stamp}";
                File.Copy(path, backup, overwrite: false);
                output.WriteLine($"Backed up {path} to {backup}.");
            }

            // Owner-only: these files hold the client key.
            LlmMux.Accounts.Store.AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(merged));
            output.WriteLine($"Wrote {path}.");
        }

        return 0;
    }

    internal static string DefaultUrl(LlmMuxOptions options)
    {
        var host = options.Host is "0.0.0.0" or "::" or "[::]" or "" ? "127.0.0.1" : options.Host;
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }

        return $"http://{host}:{options.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string Resolve(string home, string path) =>
        path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : Path.GetFullPath(path);

    private static string ShellQuote(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or '@' or '+' or ',')
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
