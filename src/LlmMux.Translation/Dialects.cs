namespace LlmMux.Translation;

/// <summary>The registered dialects, for callers outside the translator (the gateway's routes, errors and listings).</summary>
public static class Dialects
{
    public static IReadOnlyList<DialectDescriptor> All => DialectRegistry.Default.All;

    public static DialectDescriptor Get(Dialect dialect) => DialectRegistry.Default.Describe(dialect);
}
