using LlmMux.Gateway.Configuration;

namespace LlmMux.Cli;

/// <summary><c>llm-mux models</c>: what a client can ask for, and which providers would serve it, in order.</summary>
internal static class ModelsCommand
{
    public static int Run(string? config, Func<string, string?> getVariable, TextWriter output)
    {
        var source = ConfigLocator.Locate(config, getVariable);
        var options = ConfigLocator.Load(source, getVariable);
        var snapshot = new GatewaySnapshot(options, 1);
        var rows = snapshot.Resolver.ListedModels()
            .Select(m => (m.Model, Chain: string.Join(" -> ", snapshot.Resolver.Resolve(m.Model)!.Chain.Select(t => $"{t.Provider.Name}({t.UpstreamModel})"))))
            .ToList();
        if (rows.Count == 0)
        {
            output.WriteLine($"No models are listed in {source.DisplayName}. Add 'models:' to a provider, or routing rules.");
            return 0;
        }

        var width = rows.Max(r => r.Model.Length);
        output.WriteLine($"{"MODEL".PadRight(width)}  PROVIDERS");
        foreach (var (model, chain) in rows)
        {
            output.WriteLine($"{model.PadRight(width)}  {chain}");
        }

        return 0;
    }
}
