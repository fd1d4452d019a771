namespace LlmMux.Tests.Connect;

/// <summary>A TOML file is checked with Python's own parser (tomllib, Python 3.11+) where one is installed.</summary>
internal static class TomlChecks
{
    public static async Task AssertValidAsync(string path)
    {
        CliResult run;
        try
        {
            run = await CliProcess.RunRawAsync("python3", ["-c", "import sys, tomllib; tomllib.load(open(sys.argv[1], 'rb'))", path], Path.GetTempPath(), new Dictionary<string, string>());
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return; // no python3: the substring checks of the test still hold
        }

        if (run.Err.Contains("No module named 'tomllib'", StringComparison.Ordinal))
        {
            return;
        }

        Assert.True(run.Code == 0, $"{path} is not valid TOML:\n{run}\n{await File.ReadAllTextAsync(path)}");
    }
}
