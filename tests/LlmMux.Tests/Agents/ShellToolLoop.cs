using LlmMux.Tests.Agents.Upstreams;

namespace LlmMux.Tests.Agents;

/// <summary>
/// The fake model's side of a tool loop: ask for the agent's shell tool to run <see cref="Command"/>, then, once
/// the result is back, answer with <see cref="FinalAnswer"/> only if it holds what the command printed.
/// </summary>
internal static class ShellToolLoop
{
    /// <summary>Its output (<c>agent-42</c>) is not in its text, so that output can reach the upstream only if the
    /// agent really ran it. (No <c>$(…)</c>: the Gemini CLI refuses command substitutions.)</summary>
    public const string Command = "printf 'agent-%s' 42";

    public const string Output = "agent-42";

    public const string FinalAnswer = $"The command printed {Output}.";

    public const string Prompt = "Run the marker command and tell me what it printed";

    /// <param name="tool">The agent's shell tool.</param>
    /// <param name="arguments">Its arguments, with <c>{command}</c> where the command goes.</param>
    public static Func<Turn, Reply> Script(string tool, string arguments) => turn =>
        turn.ToolResults.Count > 0
            ? new Reply.Text(turn.ToolResults[^1].Contains(Output, StringComparison.Ordinal) ? FinalAnswer : $"no marker in: {turn.ToolResults[^1]}")
            : turn.Tools.Contains(tool)
                ? new Reply.ToolCall(tool, arguments.Replace("{command}", Command, StringComparison.Ordinal))
                : new Reply.Text($"(no {tool} tool offered)");
}
