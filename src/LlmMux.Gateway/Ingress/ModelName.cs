namespace LlmMux.Gateway.Ingress;

/// <summary>
/// What a client may name a model. The name is kept in the request log, cooldown state and logs, so it is bounded
/// before anything stores it; metrics and usage never use it raw (see <see cref="Routing.ModelResolver.LabelFor"/>).
/// </summary>
internal static class ModelName
{
    /// <summary>Longer than any real model id (the longest seen are ~100 characters, e.g. Bedrock ARNs).</summary>
    public const int MaxLength = 256;

    /// <returns>Why the name is refused, or null when it is fine.</returns>
    public static string? Problem(string model)
    {
        if (model.Length > MaxLength)
        {
            return $"it is {model.Length} characters long; the limit is {MaxLength}";
        }

        foreach (var c in model)
        {
            if (char.IsControl(c))
            {
                return "it contains a control character";
            }
        }

        return null;
    }
}
