namespace LlmMux.Gateway.Forwarding;

/// <summary>An upstream answer that ends an attempt without reaching the client (429, 401, 5xx, ...).</summary>
/// <param name="Status">Upstream HTTP status.</param>
/// <param name="ResetAt">When the upstream said to come back (see <see cref="Health.RateLimitResets"/>), if it did.</param>
/// <param name="Detail">The start of the upstream's error body, for the final error; never a credential.</param>
public sealed record UpstreamOutcome(int Status, DateTimeOffset? ResetAt, string Detail)
{
    /// <summary>
    /// Statuses another account or provider may answer differently. 400-class client errors are not among them:
    /// the same body would fail everywhere, so those go back to the client at once (spec §7).
    /// </summary>
    public static bool AllowsFailover(int status) => status is 401 or 403 or 408 or 429 or >= 500;
}
