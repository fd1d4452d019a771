using System.Xml.Linq;
using LlmMux.Cli;

namespace LlmMux.Tests.Connect;

/// <summary>
/// The launchd agent <c>llm-mux service install</c> writes on macOS, read back as launchd reads a property list (no
/// macOS here to run <c>launchctl</c>): well formed, a dict of key/value pairs as Apple's DTD has it, the same command,
/// config and auth dir as the systemd unit from the same spec, paths with XML's special characters kept exactly.
/// </summary>
public sealed class LaunchdAgentTests
{
    [Fact]
    public void The_agent_is_a_property_list_that_runs_the_same_command_as_the_systemd_unit()
    {
        var spec = new ServiceSpec(["/Users/ana/My Tools/llm-mux", "serve"], "/Users/ana/R&D <gateway>/llm-mux.yaml", "/Users/ana/.llm-mux/auth \"main\"");

        var plist = Read(ServiceUnits.Launchd(spec, "/Users/ana/Library/Logs/llm-mux.log"));

        Assert.Equal(ServiceUnits.LaunchdLabel, plist["Label"]);
        Assert.Equal(spec.Command, plist["ProgramArguments"]);
        var environment = Assert.IsType<Dictionary<string, object>>(plist["EnvironmentVariables"]);
        Assert.Equal(spec.ConfigPath, environment["LLM_MUX_CONFIG"]);
        Assert.Equal(spec.AuthDir, environment["LLM_MUX_AUTH_DIR"]);
        Assert.Equal(true, plist["RunAtLoad"]);
        // Restarted when it fails, not after a clean stop (launchctl bootout).
        Assert.Equal(false, Assert.IsType<Dictionary<string, object>>(plist["KeepAlive"])["SuccessfulExit"]);
        Assert.Equal(63L, plist["Umask"]); // 0077: files it writes are the user's alone
        Assert.Equal("/Users/ana/Library/Logs/llm-mux.log", plist["StandardOutPath"]);
        Assert.Equal(plist["StandardOutPath"], plist["StandardErrorPath"]);

        // The systemd unit from the same spec names the same config and auth dir.
        var unit = ServiceUnits.Systemd(spec);
        Assert.Contains("LLM_MUX_CONFIG=/Users/ana/R&D <gateway>/llm-mux.yaml", unit, StringComparison.Ordinal);
        Assert.Contains("serve", unit.Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_config_the_agent_sets_only_the_auth_dir()
    {
        var plist = Read(ServiceUnits.Launchd(new ServiceSpec(["/usr/local/bin/llm-mux", "serve"], null, "/Users/ana/.llm-mux/auth"), "/tmp/l.log"));

        Assert.Equal(["LLM_MUX_AUTH_DIR"], Assert.IsType<Dictionary<string, object>>(plist["EnvironmentVariables"]).Keys);
    }

    /// <summary>The plist subset launchd agents use: dict, array, string, integer, true, false.</summary>
    private static Dictionary<string, object> Read(string xml)
    {
        var document = XDocument.Parse(xml, LoadOptions.None);
        Assert.Equal("plist", document.DocumentType?.Name);
        Assert.Equal("1.0", document.Root!.Attribute("version")?.Value);
        return Assert.IsType<Dictionary<string, object>>(Value(Assert.Single(document.Root.Elements())));
    }

    private static object Value(XElement element) => element.Name.LocalName switch
    {
        "dict" => Dict(element),
        "array" => element.Elements().Select(Value).Cast<string>().ToList(),
        "string" => element.Value,
        "integer" => long.Parse(element.Value, System.Globalization.CultureInfo.InvariantCulture),
        "true" => true,
        "false" => false,
        var other => throw new Xunit.Sdk.XunitException($"not a plist value: <{other}>"),
    };

    private static Dictionary<string, object> Dict(XElement dict)
    {
        var children = dict.Elements().ToList();
        Assert.True(children.Count % 2 == 0, $"a dict of unpaired keys and values: {dict}");
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < children.Count; i += 2)
        {
            Assert.Equal("key", children[i].Name.LocalName);
            Assert.True(result.TryAdd(children[i].Value, Value(children[i + 1])), $"key {children[i].Value} twice");
        }

        return result;
    }
}
