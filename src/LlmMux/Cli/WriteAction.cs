using System.CommandLine;
using System.CommandLine.Invocation;

namespace LlmMux.Cli;

/// <summary>An action that only writes to the output (help, version) and exits 0.</summary>
internal sealed class WriteAction(Action<TextWriter> write) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        write(parseResult.InvocationConfiguration.Output);
        return 0;
    }
}
