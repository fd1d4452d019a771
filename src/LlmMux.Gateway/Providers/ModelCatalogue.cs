namespace LlmMux.Gateway.Providers;

/// <summary>
/// What a provider type is known to serve when its config lists no <c>models</c>: a few current ids to list, and the
/// family prefixes it routes, so a model released after this build still reaches the right type.
/// </summary>
/// <param name="Known">Listed in model lists, and served.</param>
/// <param name="Families">Prefixes of model ids it serves.</param>
public sealed record ModelCatalogue(IReadOnlyList<string> Known, IReadOnlyList<string> Families)
{
    public bool Serves(string model) => Families.Any(f => model.StartsWith(f, StringComparison.Ordinal)) || Known.Contains(model);
}
