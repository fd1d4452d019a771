namespace LlmMux.Tests.Connect;

/// <summary><c>llm-mux service install --no-start</c> in a temporary HOME: the systemd user unit it writes names this
/// config and binary, is hardened, and passes <c>systemd-analyze verify</c> where systemd is installed.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServiceCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("llm-mux-service-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private Dictionary<string, string> Environment() => new() { ["HOME"] = _home, ["XDG_CONFIG_HOME"] = Path.Combine(_home, ".config") };

    [Fact]
    public async Task Install_writes_a_hardened_user_unit_that_systemd_accepts_and_uninstall_removes_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var work = Directory.CreateDirectory(Path.Combine(_home, "my project")).FullName; // a space: quoting is exercised
        var config = Path.Combine(work, "llm-mux.yaml");
        await File.WriteAllTextAsync(config, "port: 8317\nauth-dir: ~/state/auth\n");

        var install = await CliProcess.RunAsync(work, Environment(), "service", "install", "--no-start");

        Assert.True(install.Code == 0, install.ToString());
        var unitPath = Path.Combine(_home, ".config", "systemd", "user", "llm-mux.service");
        Assert.Contains($"Wrote {unitPath}", install.Out, StringComparison.Ordinal);
        var unit = await File.ReadAllTextAsync(unitPath);
        Assert.Contains($"Environment=\"LLM_MUX_CONFIG={config}\"", unit, StringComparison.Ordinal);
        Assert.Contains($"Environment=LLM_MUX_AUTH_DIR={Path.Combine(_home, "state", "auth")}", unit, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^ExecStart=\S+ .*serve$", unit);
        Assert.Contains("ProtectSystem=strict", unit, StringComparison.Ordinal);
        Assert.Contains("NoNewPrivileges=yes", unit, StringComparison.Ordinal);
        Assert.Contains($"ReadWritePaths=\"{work}\" {Path.Combine(_home, "state", "auth")}", unit, StringComparison.Ordinal);
        Assert.Contains("WantedBy=default.target", unit, StringComparison.Ordinal);

        if (File.Exists("/usr/bin/systemd-analyze"))
        {
            var runtime = Directory.CreateDirectory(Path.Combine(_home, "run")).FullName;
            File.SetUnixFileMode(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var verify = await CliProcess.RunRawAsync("/usr/bin/systemd-analyze", ["verify", "--user", unitPath], _home,
                new Dictionary<string, string>(Environment()) { ["XDG_RUNTIME_DIR"] = runtime });
            Assert.True(verify.Code == 0 && verify.Err.Trim().Length == 0, $"{verify}\n--- unit\n{unit}");
        }

        var uninstall = await CliProcess.RunAsync(work, Environment(), "service", "uninstall", "--no-start");
        Assert.True(uninstall.Code == 0, uninstall.ToString());
        Assert.False(File.Exists(unitPath));
    }
}
