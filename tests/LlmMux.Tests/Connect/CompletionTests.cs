namespace LlmMux.Tests.Connect;

/// <summary><c>llm-mux completion</c>: the bash script, sourced into a real bash, completes commands, sub-commands,
/// options and argument values from the command tree.</summary>
public sealed class CompletionTests
{
    private static async Task<string> CompleteInBashAsync(string script, params string[] words)
    {
        var temp = Directory.CreateTempSubdirectory("llm-mux-completion-").FullName;
        try
        {
            var file = Path.Combine(temp, "llm-mux.bash");
            await File.WriteAllTextAsync(file, script);
            var array = string.Join(' ', words.Select(w => $"'{w}'"));
            var run = await CliProcess.RunRawAsync("bash", ["-c", $"source {file}; COMP_WORDS=({array}); COMP_CWORD={words.Length - 1}; _llm_mux; echo \"${{COMPREPLY[*]}}\""], temp, new Dictionary<string, string>());
            Assert.True(run.Code == 0, run.ToString());
            return run.Out.Trim();
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public async Task The_bash_script_completes_commands_subcommands_options_and_values()
    {
        var run = await CliProcess.RunAsync(Path.GetTempPath(), new Dictionary<string, string>(), "completion", "bash");
        Assert.True(run.Code == 0, run.ToString());

        Assert.Equal("connect completion", await CompleteInBashAsync(run.Out, "llm-mux", "co"));
        Assert.Equal("codex", await CompleteInBashAsync(run.Out, "llm-mux", "connect", "cod"));
        Assert.Equal("--write", await CompleteInBashAsync(run.Out, "llm-mux", "connect", "codex", "--w"));
        Assert.Equal("remove", await CompleteInBashAsync(run.Out, "llm-mux", "accounts", "rem"));
        Assert.Equal("--port", await CompleteInBashAsync(run.Out, "llm-mux", "serve", "--config", "x.yaml", "--po"));
        Assert.Equal("status", await CompleteInBashAsync(run.Out, "llm-mux", "stat"));
        Assert.Equal("--secret", await CompleteInBashAsync(run.Out, "llm-mux", "status", "--se"));
        Assert.Equal("doctor", await CompleteInBashAsync(run.Out, "llm-mux", "doc"));
        Assert.Equal("claude-code codex", await CompleteInBashAsync(run.Out, "llm-mux", "doctor", "--client", "c"));
    }

    [Theory]
    [InlineData("zsh", "bashcompinit")]
    [InlineData("fish", "complete -c llm-mux -n '__fish_seen_subcommand_from connect' -l write")]
    [InlineData("fish", "complete -c llm-mux -n '__fish_seen_subcommand_from doctor' -l client")]
    public async Task Zsh_and_fish_scripts_are_printed(string shell, string expected)
    {
        var run = await CliProcess.RunAsync(Path.GetTempPath(), new Dictionary<string, string>(), "completion", shell);
        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains(expected, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_shell_is_a_usage_error()
    {
        var run = await CliProcess.RunAsync(Path.GetTempPath(), new Dictionary<string, string>(), "completion", "tcsh");
        Assert.Equal(2, run.Code);
        Assert.Contains("unknown shell 'tcsh'; use one of bash, zsh, fish", run.Err, StringComparison.Ordinal);
    }
}
