using System.Collections.Concurrent;
using LlmMux.Gateway.Routing;

namespace LlmMux.Gateway.Telemetry;

/// <summary>
/// Names metrics and usage totals give models. Listed models are themselves; other names a client may send
/// (<c>provider/anything</c> pins, glob matches) become labels only while fewer than <see cref="MaxUnlisted"/> such names
/// have been seen, then <c>other</c>: a client cannot turn arbitrary strings into metric series or usage keys.
/// </summary>
internal sealed class ModelLabels
{
    public const int MaxUnlisted = 200;

    private readonly ConcurrentDictionary<string, byte> _unlisted = new(StringComparer.Ordinal);

    public string For(ModelResolver resolver, string model)
    {
        var listed = resolver.LabelFor(model);
        if (!ReferenceEquals(listed, ModelResolver.OtherLabel))
        {
            return listed;
        }

        if (_unlisted.ContainsKey(model) || (_unlisted.Count < MaxUnlisted && _unlisted.TryAdd(model, 0)))
        {
            return model;
        }

        return ModelResolver.OtherLabel;
    }
}
