using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using LlmMux.Tests.Agents.Upstreams;
using LlmMux.Tests.Connect;

namespace LlmMux.Tests.Agents;

/// <summary>
/// The README's quick start, step by step, as a new user runs it (issue 18): install the dotnet tool, <c>llm-mux
/// init</c>, a provider key added to the config it wrote, <c>llm-mux service install</c>, <c>llm-mux connect
/// claude-code --write</c>, then the real Claude Code answers through llm-mux. This container has no user systemd, so
/// the unit is installed with <c>--no-start</c> and its own <c>ExecStart</c> and <c>Environment</c> lines are run as
/// systemd would run them: the service the unit describes is the one that answers.
/// </summary>
[Collection(AgentRuns.Name)]
public sealed partial class QuickStartTests
{
    [AgentFact]
    public async Task From_nothing_to_claude_code_answering_with_the_readmes_commands()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(_ => new Reply.Text("Hello from the quick start"));
        using var sandbox = new AgentSandbox("quick-start");
        var user = new Dictionary<string, string> { ["HOME"] = sandbox.Home, ["XDG_CONFIG_HOME"] = Path.Combine(sandbox.Home, ".config") };

        // install
        var installEnv = new Dictionary<string, string> { ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? sandbox.Home, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        var llmMux = await ToolInstall.InstallAsync(Path.Combine(sandbox.Home, ".dotnet", "tools"), sandbox.Temp, installEnv);

        // llm-mux init
        var init = await CliProcess.RunRawAsync(llmMux, ["init"], sandbox.Work, user);
        Assert.True(init.Code == 0, init.ToString());
        var config = Path.Combine(sandbox.Work, "llm-mux.yaml");
        Assert.Contains($"Wrote {config}", init.Out, StringComparison.Ordinal);

        // "or add a provider with api-keys to llm-mux.yaml" (and a free port: 8317 may be taken on a test machine)
        var port = FreePort();
        var yaml = await File.ReadAllTextAsync(config);
        yaml = PortLine().Replace(yaml, $"port: {port}", 1);
        yaml = ProvidersLine().Replace(yaml, $"providers:\n  - name: anthropic\n    type: anthropic\n    base-url: {upstream.BaseUrl}\n    api-keys: [{ScriptedUpstream.Key}]\n", 1);
        await File.WriteAllTextAsync(config, yaml);

        // llm-mux service install
        var service = await CliProcess.RunRawAsync(llmMux, ["service", "install", "--no-start"], sandbox.Work, user);
        Assert.True(service.Code == 0, service.ToString());
        var unit = await File.ReadAllTextAsync(Path.Combine(sandbox.Home, ".config", "systemd", "user", "llm-mux.service"));
        using var serve = StartAsSystemdWould(unit, sandbox);
        try
        {
            await WaitForHealthAsync(port, serve);

            // llm-mux connect claude-code --write
            var connect = await CliProcess.RunRawAsync(llmMux, ["connect", "claude-code", "--write"], sandbox.Work, user);
            Assert.True(connect.Code == 0, connect.ToString());

            var run = await sandbox.RunAsync(AgentInstallation.Bin("claude"), ["-p", "Say hello", "--output-format", "text"], new Dictionary<string, string>
            {
                ["DISABLE_AUTOUPDATER"] = "1",
                ["DISABLE_TELEMETRY"] = "1",
                ["DISABLE_ERROR_REPORTING"] = "1",
            });
            Assert.True(run.ExitCode == 0, $"{run}\n--- connect\n{connect}\n--- upstream\n{string.Join('\n', upstream.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"))}");
            Assert.Contains("Hello from the quick start", run.Stdout, StringComparison.Ordinal);
            Assert.Contains(upstream.Requests, r => r.PathAndQuery == "/v1/messages");
        }
        finally
        {
            if (!serve.HasExited)
            {
                serve.Kill(entireProcessTree: true);
                await serve.WaitForExitAsync();
            }
        }
    }

    /// <summary>The unit's <c>ExecStart</c> with its <c>Environment</c> lines, in an environment otherwise empty but PATH and HOME.</summary>
    private static Process StartAsSystemdWould(string unit, AgentSandbox sandbox)
    {
        var command = Words(unit.Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..]);
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        start.Environment["HOME"] = sandbox.Home;
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot)
        {
            start.Environment["DOTNET_ROOT"] = dotnetRoot;
        }

        foreach (var line in unit.Split('\n').Where(l => l.StartsWith("Environment=", StringComparison.Ordinal)))
        {
            var assignment = Words(line["Environment=".Length..]).Single();
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            start.Environment[assignment[..equals]] = assignment[(equals + 1)..];
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + command[0]);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>systemd's command-line splitting, as far as the unit uses it: spaces, double quotes, backslash escapes.</summary>
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false, any = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
                any = true;
            }
            else if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                }

                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static async Task WaitForHealthAsync(int port, Process serve)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 600; i++)
        {
            Assert.False(serve.HasExited, "the service's command exited at start");
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("the service never answered /healthz");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"(?m)^port: \d+")]
    private static partial Regex PortLine();

    [GeneratedRegex(@"(?m)^providers: \[\]\s*$")]
    private static partial Regex ProvidersLine();
}
