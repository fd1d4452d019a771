using System.CommandLine;
using System.Text;

namespace LlmMux.Cli;

/// <summary>
/// <c>llm-mux completion bash|zsh|fish</c>: shell completion generated from the command tree itself (commands,
/// sub-commands, options, and the fixed values of arguments such as login providers and connect clients), so a new
/// command or option completes without editing a script.
/// </summary>
internal static class CompletionScripts
{
    public static IReadOnlyList<string> Shells { get; } = ["bash", "zsh", "fish"];

    public static string For(string shell, RootCommand root) => shell switch
    {
        "bash" => Bash(root),
        // zsh runs the bash function through its bash compatibility layer.
        "zsh" => "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + Bash(root),
        "fish" => Fish(root),
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "unknown shell"),
    };

    /// <summary>Every visible command below the root with its path ("accounts/remove"), depth first.</summary>
    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path = "")
    {
        yield return (path, command);
        foreach (var child in command.Subcommands.Where(c => !c.Hidden))
        {
            foreach (var item in Walk(child, path.Length == 0 ? child.Name : $"{path}/{child.Name}"))
            {
                yield return item;
            }
        }
    }

    private static IEnumerable<string> Words(Command command) =>
        command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)
            .Concat(ArgumentValues(command))
            .Concat(Options(command).Select(o => o.Name));

    private static IEnumerable<string> ArgumentValues(Command command) =>
        command.Arguments.SelectMany(a => a.HelpName is { } help && help.Contains('|', StringComparison.Ordinal) ? help.Split('|') : []);

    /// <summary>The fixed values of an option such as <c>doctor --client</c>, from its help name (<c>a|b|c</c>).</summary>
    private static string[] OptionValues(Option option) =>
        option.HelpName is { } help && help.Contains('|', StringComparison.Ordinal) ? help.Split('|') : [];

    private static IEnumerable<Option> Options(Command command) =>
        command.Options.Where(o => !o.Hidden && o.Name.StartsWith("--", StringComparison.Ordinal) && o.Name != "--help" && o.Name != "--version")
            .DistinctBy(o => o.Name);

    private static string Bash(RootCommand root)
    {
        var commands = Walk(root).ToList();
        var script = new StringBuilder();
        script.Append("# llm-mux completion for bash: source <(llm-mux completion bash)\n");
        script.Append("_llm_mux() {\n");
        script.Append("  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=\"\" w i words=\"\"\n");
        script.Append("  for ((i=1; i<COMP_CWORD; i++)); do\n    w=\"${COMP_WORDS[i]}\"\n    case \"$path/$w\" in\n");
        foreach (var (path, _) in commands.Where(c => c.Path.Length > 0))
        {
            script.Append($"      /{path}) path=\"$path/$w\" ;;\n");
        }

        script.Append("    esac\n  done\n  case \"$path\" in\n");
        foreach (var (path, command) in commands)
        {
            var words = Words(command).ToList();
            if (command is RootCommand)
            {
                words.AddRange(["--help", "--version"]);
            }

            script.Append($"    \"{(path.Length == 0 ? "" : "/" + path)}\") words=\"{string.Join(' ', words)}\" ;;\n");
        }

        script.Append("  esac\n");
        var valued = commands.SelectMany(c => Options(c.Command)).Where(o => OptionValues(o).Length > 0).DistinctBy(o => o.Name).ToList();
        if (valued.Count > 0)
        {
            script.Append("  case \"${COMP_WORDS[COMP_CWORD-1]}\" in\n");
            foreach (var option in valued)
            {
                script.Append($"    {option.Name}) words=\"{string.Join(' ', OptionValues(option))}\" ;;\n");
            }

            script.Append("  esac\n");
        }

        script.Append("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\ncomplete -o default -F _llm_mux llm-mux\n");
        return script.ToString();
    }

    private static string Fish(RootCommand root)
    {
        var script = new StringBuilder("# llm-mux completion for fish: llm-mux completion fish | source\ncomplete -c llm-mux -f\n");
        foreach (var (path, command) in Walk(root))
        {
            var condition = path.Length == 0 ? "__fish_use_subcommand" : $"__fish_seen_subcommand_from {path.Split('/')[^1]}";
            foreach (var child in command.Subcommands.Where(c => !c.Hidden))
            {
                script.Append($"complete -c llm-mux -n '{condition}' -a {child.Name} -d '{Quote(child.Description)}'\n");
            }

            foreach (var value in ArgumentValues(command))
            {
                script.Append($"complete -c llm-mux -n '{condition}' -a {value}\n");
            }

            foreach (var option in Options(command))
            {
                script.Append($"complete -c llm-mux -n '{condition}' -l {option.Name[2..]} -d '{Quote(option.Description)}'{(option.Name == "--config" ? " -r -F" : "")}{(OptionValues(option) is { Length: > 0 } values ? $" -x -a '{string.Join(' ', values)}'" : "")}\n");
            }
        }

        return script.ToString();
    }

    private static string Quote(string? text) => (text ?? "").Replace("'", "\\'", StringComparison.Ordinal);
}
