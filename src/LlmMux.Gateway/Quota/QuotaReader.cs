using System.Net.Http.Headers;
using LlmMux.Accounts.Refresh;

namespace LlmMux.Gateway.Quota;

/// <summary>
/// How one provider type reports an account's quota windows: asked lazily (<see cref="ReadAsync"/>, on use and no
/// more often than needed) and, for free, from the headers of every answer (<see cref="FromHeaders"/>). A provider
/// type that reports nothing has no reader (<see cref="Providers.ProviderType.Quota"/> is null); learned limits stay
/// its fallback.
/// </summary>
public abstract class QuotaReader
{
    /// <summary>Asks the provider for the account's windows now; null when it reported nothing usable.</summary>
    public abstract Task<IReadOnlyList<QuotaWindow>?> ReadAsync(QuotaReadContext context, CancellationToken cancellationToken);

    /// <summary>Windows an answer carries in its headers (plan headers, unified rate-limit headers); null when none.</summary>
    public virtual IReadOnlyList<QuotaWindow>? FromHeaders(HttpResponseHeaders headers, DateTimeOffset now) => null;
}

/// <summary>What a <see cref="QuotaReader"/> gets to ask with: the account's token and the provider's base URL (a fake in tests).</summary>
public sealed record QuotaReadContext(HttpClient Http, UpstreamCredential Credential, string BaseUrl, DateTimeOffset Now);
